/**
 * A real SMTP server on loopback for the mail tests (mail.test.ts, reminders.test.ts): it keeps
 * what it accepted, parsed, and can refuse a recipient's next messages with given reply codes.
 */
import { createServer } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps every message it accepted, parsed. */
export class Inbox {
  readonly messages: ParsedMail[] = [];
  /** Recipients whose next messages are refused, with the reply code, in order. */
  readonly refusals = new Map<string, number[]>();
  readonly refused: Array<{ to: string; code: number }> = [];
  readonly #server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData: (stream, session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const code = this.refusals.get(to)?.shift();
        if (code) {
          this.refused.push({ to, code });
          return done(Object.assign(new Error(`Refused for the test (${code})`), { responseCode: code }));
        }
        simpleParser(Buffer.concat(chunks)).then((m) => {
          this.messages.push(m);
          done();
        }, done);
      });
    },
  });

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        resolve((this.#server.server.address() as { port: number }).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  of(paymentId: string): ParsedMail[] {
    return this.messages.filter((m) => m.headers.get('x-settle-payment') === paymentId);
  }
}

/** A port nothing listens on (for now): an SMTP server that is down. */
export async function reservePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}
