import type { MerchantRules } from '@settle/schema';
import type { Deps } from '../deps.js';
import { enqueue } from '../outbox/outbox.js';
import type { EventSubscriber, SettleEventType } from '../services/events.js';
import { loadPayment } from '../services/payment-view.js';
import { fromJson } from '../store/db.js';
import { type Audience, buildReceipt, type MailKind } from './receipt.js';
import { renderHtml, renderText } from './render.js';

/** The outbox job that sends one confirmation mail to one recipient. */
export const MAIL_JOB = 'mail_send';

export interface MailJobPayload {
  /** Top-level, so a mail the outbox parks shows on its payment as needing review. */
  paymentId: string;
  merchantId: string;
  customerId: string;
  kind: MailKind;
  audience: Audience;
  eventId: string;
  /** When the change happened (ISO 8601): the date the mail shows. */
  at: string;
}

/**
 * Which mail an event is, if any. Every method's success; for ACH debits also the wait while
 * the bank settles, a failure, and a return. A declined card gets no mail: the payer saw it in
 * the widget and is still there to try another card.
 */
export function mailKindOf(type: SettleEventType, method: string): MailKind | null {
  if (type === 'payment.succeeded') return 'succeeded';
  if (method !== 'ach_debit') return null;
  if (type === 'payment.processing') return 'pending';
  if (type === 'payment.failed') return 'failed';
  if (type === 'payment.reversed') return 'returned';
  return null;
}

/**
 * Enqueues one mail job per recipient for the events that get a mail. The dedupe key is per
 * payment, kind and recipient, so a payment gets each mail at most once even when its event
 * repeats (a won dispute brings `payment.succeeded` back).
 */
export const mailSubscriber: EventSubscriber = async (trx, deps, event) => {
  if (!deps.mail) return;
  const payment = await trx
    .selectFrom('payments')
    .select('method')
    .where('id', '=', event.paymentId)
    .executeTakeFirst();
  if (!payment) return;
  const kind = mailKindOf(event.type, payment.method);
  if (!kind) return;
  const audiences: Audience[] = deps.config.mail.arEmail ? ['payer', 'ar'] : ['payer'];
  for (const audience of audiences) {
    const payload: MailJobPayload = {
      paymentId: event.paymentId,
      merchantId: event.merchantId,
      customerId: event.customerId,
      kind,
      audience,
      eventId: event.id,
      at: event.createdAt,
    };
    await enqueue(trx, { kind: MAIL_JOB, dedupeKey: `mail:${event.paymentId}:${kind}:${audience}`, payload });
  }
};

/** The domain of a From address (`Name <billing@example.com>` → example.com), for Message-IDs. */
export function mailDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'settle.invalid';
}

/**
 * The same Message-ID each time this mail is sent: if a crash after the SMTP server's 250 makes
 * the outbox send it again, mail systems and people can tell it is the same message.
 */
export function mailMessageId(p: Pick<MailJobPayload, 'paymentId' | 'kind' | 'audience'>, from: string): string {
  return `<${p.paymentId}.${p.kind}.${p.audience}@${mailDomain(from)}>`;
}

/** Raised by an instance without mail for a mail job another instance (with SMTP_URL) enqueued. */
export class MailOffError extends Error {
  override readonly name = 'MailOffError';
}

/**
 * The error a mail job throws on an instance where mail is off: it stays in the outbox, retried
 * with back-off (an instance with SMTP_URL takes it), and is parked for a person after its last
 * attempt. Never marked done unsent, so a rolling deploy or one instance missing SMTP_URL loses
 * no mail. Logged, so the instance's missing setting shows.
 */
export function mailIsOff(deps: Pick<Deps, 'log'>, what: string): MailOffError {
  const message = `${what} not sent here: mail is off on this instance (set SMTP_URL); it stays queued for a retry`;
  deps.log.warn(message);
  return new MailOffError(message);
}

/**
 * Builds and sends one mail from what the payment, the ERP's customer and the merchant say now.
 * Throws (and the outbox retries) when the ERP or the SMTP server is unavailable or refuses, or
 * when mail is off on this instance.
 */
export async function sendMailJob(deps: Deps, payload: unknown): Promise<void> {
  const job = payload as MailJobPayload;
  const mail = deps.mail;
  if (!mail) throw mailIsOff(deps, `${job.kind} mail for ${job.paymentId} (${job.audience})`);
  const [merchant, payment, erpCustomer] = await Promise.all([
    deps.db.selectFrom('merchants').select(['name', 'rules']).where('id', '=', job.merchantId).executeTakeFirst(),
    loadPayment(deps.db, job.paymentId, { merchantId: job.merchantId }),
    deps.erp.getCustomer(job.customerId),
  ]);
  if (!merchant || !payment) throw new Error(`mail for unknown payment ${job.paymentId}`);
  const to = job.audience === 'ar' ? deps.config.mail.arEmail : erpCustomer?.email;
  if (!to) {
    deps.log.info(`no ${job.audience} address for ${job.paymentId} (${job.customerId}): ${job.kind} mail not sent`);
    return;
  }
  const rules = fromJson<MerchantRules>(merchant.rules);
  const receipt = buildReceipt({
    kind: job.kind,
    audience: job.audience,
    merchantName: merchant.name,
    customer: { id: job.customerId, name: erpCustomer?.name ?? job.customerId },
    payment,
    at: job.at,
    reasonLabels: new Map(rules.reasonCodes.map((r) => [r.code, r.label])),
  });
  const from = deps.config.mail.from;
  await mail.mailer.send({
    from,
    to,
    subject: receipt.subject,
    text: renderText(receipt),
    html: renderHtml(receipt),
    messageId: mailMessageId(job, from),
    date: new Date(job.at),
    headers: {
      'X-Settle-Payment': payment.id,
      'X-Settle-Event': job.eventId,
      // Replies from the payer reach the AR team, not a no-reply box.
      ...(job.audience === 'payer' && deps.config.mail.arEmail ? { 'Reply-To': deps.config.mail.arEmail } : {}),
    },
  });
}
