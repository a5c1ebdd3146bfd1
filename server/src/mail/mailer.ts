import { createTransport } from 'nodemailer';

/** One message as Settle sends it: one recipient, a text and an HTML part. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per (payment, kind, recipient): a copy sent again after a crash is recognisable. */
  messageId: string;
  /** The Date header: when what the mail reports happened, so a late copy sorts where it belongs. */
  date: Date;
  headers?: Record<string, string>;
}

/** Hands a message to an SMTP server; resolves once the server accepted it (250), throws otherwise. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The longest one send may take, whatever the lease (nodemailer's own timeouts are per step). */
const MAX_SEND_MS = 20_000;

/**
 * How long one send may take in all: well inside the outbox lease (half of it, at most 20 s), so
 * a send still running when the lease ends, and another worker sends the same mail, cannot happen.
 */
export function sendDeadlineMs(leaseMs: number): number {
  return Math.min(MAX_SEND_MS, Math.floor(leaseMs / 2));
}

/** A send that took longer than its deadline: the connection was closed and the outbox retries it. */
export class MailDeadlineError extends Error {
  override readonly name = 'MailDeadlineError';
}

/**
 * A mailer for the SMTP server at `url` (smtp:// or smtps://, credentials in the URL), through
 * nodemailer. Its timeouts are per step (connect, greeting, each read), so a server that answers
 * slowly step by step could hold a send for minutes: `deadlineMs` bounds the whole send, aborting
 * it (nodemailer closes the connection) so the attempt fails and the outbox retries it later.
 */
export function smtpMailer(url: string, { deadlineMs = MAX_SEND_MS }: { deadlineMs?: number } = {}): Mailer {
  const stepMs = Math.min(10_000, deadlineMs);
  const transport = createTransport({
    url,
    connectionTimeout: stepMs,
    greetingTimeout: stepMs,
    socketTimeout: deadlineMs,
  });
  return {
    async send(mail) {
      const signal = AbortSignal.timeout(deadlineMs);
      try {
        await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          date: mail.date,
          headers: {
            // RFC 3834: an automatic message, so auto-responders stay quiet.
            'Auto-Submitted': 'auto-generated',
            ...mail.headers,
          },
          signal,
        });
      } catch (err) {
        if (signal.aborted) {
          throw new MailDeadlineError(`the SMTP server did not take the mail within ${deadlineMs} ms`, { cause: err });
        }
        throw err;
      }
    },
    close() {
      transport.close();
    },
  };
}
