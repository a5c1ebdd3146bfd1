import type { Logger } from '../deps.js';
import { MailCatcher } from './catcher.js';
import type { MailConfig } from './mail-config.js';
import { type Mailer, sendDeadlineMs, smtpMailer } from './mailer.js';

/** The mailer the outbox sends through, and the demo's catcher when mail goes to it. */
export interface MailRuntime {
  mailer: Mailer;
  catcher: MailCatcher | null;
  /** Where mail goes, for the start banner: a host, never the URL's credentials. */
  target: string;
  close(): Promise<void>;
}

/**
 * Starts what the mail config asks for: the demo catcher on loopback (test mode without
 * SMTP_URL), a mailer for SMTP_URL, or nothing, said once, when mail is off. Each send must
 * finish within half the outbox lease (see `sendDeadlineMs`).
 */
export async function startMail(
  config: MailConfig,
  log: Logger,
  { leaseMs }: { leaseMs: number },
): Promise<MailRuntime | null> {
  const deadlineMs = sendDeadlineMs(leaseMs);
  if (config.transport === 'off') {
    log.info('Mail is off: SMTP_URL is not set, so no confirmation emails are sent (docs/emails.md).');
    return null;
  }
  if (config.transport === 'smtp') {
    const url = new URL(config.smtpUrl as string);
    const mailer = smtpMailer(url.toString(), { deadlineMs });
    return {
      mailer,
      catcher: null,
      target: `${url.protocol}//${url.host}`,
      async close() {
        mailer.close();
      },
    };
  }
  const catcher = new MailCatcher(log);
  const port = await catcher.listen(config.catcherPort);
  const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, { deadlineMs });
  return {
    mailer,
    catcher,
    target: `the demo catcher on smtp://127.0.0.1:${port}`,
    async close() {
      mailer.close();
      await catcher.close();
    },
  };
}
