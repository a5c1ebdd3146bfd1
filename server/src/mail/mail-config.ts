import type { Mode } from '@settle/schema';

/**
 * How Settle sends its confirmation emails (docs/emails.md).
 * - `smtp`: to the server in SMTP_URL.
 * - `catcher`: the test-mode demo's in-process SMTP server on loopback, listed at /demo/mail.
 * - `off`: no mail at all (live mode without SMTP_URL), said once at start.
 */
export interface MailConfig {
  transport: 'smtp' | 'catcher' | 'off';
  /** SMTP_URL, e.g. smtps://user:pass@smtp.example.com:465; set when transport is `smtp`. */
  smtpUrl: string | null;
  /** SETTLE_MAIL_FROM: the From header, e.g. `Northwind Supply Co. <billing@northwind.example.com>`. */
  from: string;
  /** SETTLE_AR_EMAIL: the merchant's accounts-receivable mailbox, copied on every mail; null for none. */
  arEmail: string | null;
  /** SETTLE_MAIL_CATCHER_PORT: the demo catcher's port on 127.0.0.1 (0: any free port). */
  catcherPort: number;
}

const DEMO_FROM = (merchantName: string) => `${merchantName.replace(/["<>\\]/g, '')} <billing@northwind.example.com>`;
const DEMO_AR = 'ar@northwind.example.com';

/** Reads the mail settings; a live server never falls back to the demo's example.com addresses. */
export function loadMailConfig(env: NodeJS.ProcessEnv, mode: Mode, merchantName: string): MailConfig {
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new Error('SMTP_URL must be a URL such as smtp://user:pass@smtp.example.com:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new Error('SMTP_URL must start with smtp:// or smtps://');
  }
  const transport = smtpUrl ? 'smtp' : mode === 'test' ? 'catcher' : 'off';
  const from = env.SETTLE_MAIL_FROM || (mode === 'test' ? DEMO_FROM(merchantName) : '');
  if (transport === 'smtp' && !from) throw new Error('SMTP_URL is set: set SETTLE_MAIL_FROM too (the From address)');
  const catcherPort = Number(env.SETTLE_MAIL_CATCHER_PORT || 2525);
  if (!Number.isInteger(catcherPort) || catcherPort < 0 || catcherPort > 65535) {
    throw new Error(`SETTLE_MAIL_CATCHER_PORT must be a port number, got "${env.SETTLE_MAIL_CATCHER_PORT}"`);
  }
  return {
    transport,
    smtpUrl,
    from,
    arEmail: env.SETTLE_AR_EMAIL || (mode === 'test' ? DEMO_AR : null),
    catcherPort,
  };
}
