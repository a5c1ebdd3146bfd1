import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the demo catcher received, as /demo/mail shows it. */
export interface CaughtMail {
  /** Position in the catcher, 1-based; stable for the process's life. */
  seq: number;
  receivedAt: string;
  messageId: string | null;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  raw: string;
}

const KEEP = 200;
const MAX_MESSAGE_BYTES = 1_000_000;

/**
 * The test-mode demo's mailbox: a real SMTP server on 127.0.0.1 that keeps the last 200
 * messages in memory, so a newcomer sees the confirmation emails at /demo/mail without an
 * account anywhere. It accepts mail for any address and relays nothing.
 */
export class MailCatcher {
  readonly #server: SMTPServer;
  readonly #messages: CaughtMail[] = [];
  #seq = 0;
  port = 0;

  constructor(log: Pick<Console, 'warn'>) {
    this.#server = new SMTPServer({
      // Loopback only, nothing secret in it: no TLS, no login.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onData: (stream, _session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', done);
        stream.on('end', () => {
          if (stream.sizeExceeded) return done(new Error('Message too large'));
          this.#keep(Buffer.concat(chunks)).then(() => done(), done);
        });
      },
    });
    // Without a listener an 'error' event would end the process; a demo mailbox must not.
    this.#server.on('error', (err) => log.warn(`demo mail catcher: ${err.message}`));
  }

  /** Listens on 127.0.0.1:`port`; a port in use falls back to a free one (said in `port`). */
  async listen(port: number): Promise<number> {
    const bind = (p: number) =>
      new Promise<number>((resolve, reject) => {
        // smtp-server re-emits its socket server's errors (EADDRINUSE) as its own.
        const onError = (err: Error) => reject(err);
        this.#server.once('error', onError);
        this.#server.listen(p, '127.0.0.1', () => {
          this.#server.off('error', onError);
          resolve((this.#server.server.address() as AddressInfo).port);
        });
      });
    try {
      this.port = await bind(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
      this.port = await bind(0);
    }
    return this.port;
  }

  /** Newest first. */
  list(): readonly CaughtMail[] {
    return [...this.#messages].reverse();
  }

  get(seq: number): CaughtMail | undefined {
    return this.#messages.find((m) => m.seq === seq);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #keep(raw: Buffer): Promise<void> {
    const parsed = await simpleParser(raw);
    const address = (a: typeof parsed.to) => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''));
    this.#messages.push({
      seq: ++this.#seq,
      receivedAt: new Date().toISOString(),
      messageId: parsed.messageId ?? null,
      from: address(parsed.from),
      to: address(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : null,
      raw: raw.toString('utf8'),
    });
    if (this.#messages.length > KEEP) this.#messages.splice(0, this.#messages.length - KEEP);
  }
}
