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

/**
 * A mailer for the SMTP server at `url` (smtp:// or smtps://, credentials in the URL), through
 * nodemailer. Timeouts are short enough that a hung server fails the outbox attempt (and is
 * retried later) instead of holding the job's lease.
 */
export function smtpMailer(url: string): Mailer {
  const transport = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
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
      });
    },
    close() {
      transport.close();
    },
  };
}
