/**
 * A real SMTP server on loopback for the mail tests (mail.test.ts, reminders.test.ts): it keeps
 * what it accepted, parsed, and can refuse a recipient's next messages with given reply codes.
 * With it, a test server that mails there, and waits that end when the outbox has sent all.
 */
import { createServer } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';
import type { MailConfig } from '../src/mail/mail-config.js';
import { startTestServer, type TestServer, waitFor } from './harness.js';

export const AR = 'ar@northwind.example.com';
export const FROM = 'Northwind Supply Co. <billing@northwind.example.com>';

/** Mail from Northwind's billing address through the SMTP server on `port`, with AR in copy. */
export const smtpConfig = (port: number): MailConfig => ({
  transport: 'smtp',
  smtpUrl: `smtp://127.0.0.1:${port}`,
  from: FROM,
  arEmail: AR,
  catcherPort: 0,
});

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

export interface MailingServer {
  server: TestServer;
  inbox: Inbox;
  /** The port the server sends mail to. */
  port: number;
  /** Closes the server, then the inbox. */
  close(): Promise<void>;
}

/**
 * A test server that mails through a fresh Inbox with `smtpConfig` (`mail` overrides parts of it).
 * With `smtpDown` the Inbox does not listen yet: the test brings it up with `inbox.listen(port)`.
 */
export async function startMailingServer(
  options: Parameters<typeof startTestServer>[0] & { mail?: Partial<MailConfig>; smtpDown?: boolean },
): Promise<MailingServer> {
  const { mail, smtpDown, ...rest } = options;
  const inbox = new Inbox();
  const port = smtpDown ? await reservePort() : await inbox.listen();
  let server: TestServer;
  try {
    server = await startTestServer({ ...rest, config: { ...rest.config, mail: { ...smtpConfig(port), ...mail } } });
  } catch (err) {
    await inbox.close();
    throw err;
  }
  return {
    server,
    inbox,
    port,
    async close() {
      await server.close();
      await inbox.close();
    },
  };
}

/** Waits until no job of these kinds is pending in the server's outbox. */
export async function outboxSettled(server: TestServer, kinds: readonly string[], what: string): Promise<void> {
  await waitFor(what, async () => {
    const pending = await server.settle.deps.db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('kind', 'in', kinds)
      .executeTakeFirst();
    return pending ? undefined : true;
  });
}

/**
 * Waits for `count` messages that `pick` selects, lets the outbox's jobs of `kinds` finish, and
 * checks that no more came.
 */
export async function settledMails(
  server: TestServer,
  inbox: Inbox,
  expected: { what: string; pick: (m: ParsedMail) => boolean; count: number; kinds: readonly string[] },
): Promise<ParsedMail[]> {
  const picked = () => inbox.messages.filter(expected.pick);
  await waitFor(expected.what, async () => (picked().length >= expected.count ? true : undefined));
  await outboxSettled(server, expected.kinds, `the outbox to settle after ${expected.what}`);
  await new Promise((r) => setTimeout(r, 200));
  const got = picked();
  expect(got.map((m) => `${recipient(m)}: ${m.subject}`)).toHaveLength(expected.count);
  return got;
}

/** The one address a message went to ('' for none or several). */
export const recipient = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '');

/** A message's HTML part ('' for none). */
export const htmlOf = (m: ParsedMail) => (typeof m.html === 'string' ? m.html : '');
