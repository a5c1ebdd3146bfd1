import { formatMoney } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { ErpInvoice } from '../erp/port.js';
import { issuedPayLinkUrl } from '../services/pay-links.js';
import { fromJson } from '../store/db.js';
import { mailDomain, mailIsOff } from './mail-jobs.js';
import type { Receipt, ReceiptLine } from './receipt.js';
import { renderHtml, renderText } from './render.js';

/** The outbox job that mails one past-due reminder (services/reminders.ts) to its customer. */
export const REMINDER_MAIL_JOB = 'mail_reminder';

export interface ReminderMailPayload {
  reminderId: string;
  merchantId: string;
}

export interface ReminderInput {
  merchantName: string;
  customer: { id: string; name: string };
  /** The invoices to list, in the order the reminder pinned them. */
  invoices: ErpInvoice[];
  /** When the collector sent it: days overdue count to this day. */
  at: Date;
  message: string | null;
  link: { url: string; expiresAt: Date };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const longDate = (at: Date) => new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(at);

/** Whole days from an invoice's due date (YYYY-MM-DD) to the day of `at` (UTC). */
export function daysOverdue(dueDate: string, at: Date): number {
  return Math.round((Date.parse(at.toISOString().slice(0, 10)) - Date.parse(dueDate)) / DAY_MS);
}

/** What a reminder mail says, in the confirmation mails' layout (render.ts): invoices, totals, a Pay now button. */
export function buildReminder(input: ReminderInput): Receipt {
  const { merchantName, customer, invoices, at, link } = input;
  const lines: ReceiptLine[] = invoices.map((i) => {
    const days = daysOverdue(i.dueDate, at);
    return {
      label: `Invoice ${i.number}`,
      detail: `Due ${longDate(new Date(i.dueDate))}, ${days} ${days === 1 ? 'day' : 'days'} overdue`,
      amount: formatMoney(i.openAmount, i.currency, 'en-US'),
    };
  });
  const sums = new Map<string, number>();
  for (const i of invoices) sums.set(i.currency, (sums.get(i.currency) ?? 0) + i.openAmount);
  const totals = [...sums].map(([currency, amount]) => ({
    label: sums.size > 1 ? `Total past due (${currency})` : 'Total past due',
    amount: formatMoney(amount, currency, 'en-US'),
    strong: true,
  }));
  const total = totals.map((t) => t.amount).join(' + ');
  const count = invoices.length === 1 ? 'The invoice below is' : `The ${invoices.length} invoices below are`;
  const expires = `${longDate(link.expiresAt)} UTC`;
  return {
    brand: merchantName,
    subject: `Past-due invoices from ${merchantName}: ${total}`,
    heading: 'Past-due invoices',
    intro: `${count} past due, ${total} in all. You can pay them online now: the link below opens a secure page with them selected.`,
    ...(input.message ? { note: { from: merchantName, text: input.message } } : {}),
    lines,
    totals,
    action: { label: 'Pay now', url: link.url, detail: `This link is yours alone and works until ${expires}.` },
    facts: [
      { label: 'From', value: merchantName },
      { label: 'Account', value: `${customer.name} (${customer.id})` },
      { label: 'Link valid until', value: expires },
    ],
    footer: `Already paid, or something looks wrong? Reply to this email and ${merchantName} will look into it.`,
  };
}

/**
 * Mails a reminder, once: a reminder already sent (or skipped) is done. The invoices are read
 * from the ERP now, so one paid meanwhile is left out, and a reminder with nothing left open is
 * skipped rather than sent. Throws (and the outbox retries) when the ERP or SMTP server fails.
 */
export async function sendReminderMail(deps: Deps, payload: unknown): Promise<void> {
  const job = payload as ReminderMailPayload;
  const reminder = await deps.db
    .selectFrom('reminders')
    .innerJoin('pay_links', 'pay_links.id', 'reminders.pay_link_id')
    .innerJoin('merchants', 'merchants.id', 'reminders.merchant_id')
    .select([
      'reminders.customer_id',
      'reminders.invoice_ids',
      'reminders.message',
      'reminders.status',
      'reminders.created_at',
      'pay_links.id as link_id',
      'pay_links.invoice_ids as link_invoice_ids',
      'pay_links.expires_at',
      'pay_links.revoked_at',
      'merchants.name as merchant_name',
    ])
    .where('reminders.id', '=', job.reminderId)
    .where('reminders.merchant_id', '=', job.merchantId)
    .executeTakeFirst();
  if (!reminder) throw new Error(`mail for unknown reminder ${job.reminderId}`);
  if (reminder.status !== 'queued') return;
  const mail = deps.mail;
  if (!mail) throw mailIsOff(deps, `reminder ${job.reminderId}`);
  if (reminder.revoked_at) {
    // The merchant withdrew the link before the mail went out: a mail whose link says "withdrawn" helps nobody.
    deps.log.info(`reminder ${job.reminderId} skipped: its pay link was withdrawn`);
    await markReminder(deps, job.reminderId, 'skipped');
    return;
  }
  const [customer, open] = await Promise.all([
    deps.erp.getCustomer(reminder.customer_id),
    deps.erp.listOpenItems(reminder.customer_id),
  ]);
  const byId = new Map(open.invoices.filter((i) => i.openAmount > 0).map((i) => [i.id, i]));
  const invoices = fromJson<string[]>(reminder.invoice_ids).flatMap((id) => byId.get(id) ?? []);
  if (!customer?.email || !invoices.length) {
    deps.log.info(`reminder ${job.reminderId} skipped: ${customer?.email ? 'its invoices were paid' : 'no email'}`);
    await markReminder(deps, job.reminderId, 'skipped');
    return;
  }
  const expiresAt = new Date(reminder.expires_at);
  const url = await issuedPayLinkUrl(deps, job.merchantId, {
    id: reminder.link_id,
    customerId: reminder.customer_id,
    invoiceIds: fromJson<string[]>(reminder.link_invoice_ids),
    expiresAt,
  });
  const at = new Date(reminder.created_at);
  const content = buildReminder({
    merchantName: reminder.merchant_name,
    customer: { id: customer.id, name: customer.name },
    invoices,
    at,
    message: reminder.message,
    link: { url, expiresAt },
  });
  const from = deps.config.mail.from;
  const arEmail = deps.config.mail.arEmail;
  await mail.mailer.send({
    from,
    to: customer.email,
    subject: content.subject,
    text: renderText(content),
    html: renderHtml(content),
    // The same each time, so a copy sent again after a crash is recognisably this one.
    messageId: `<${job.reminderId}.reminder@${mailDomain(from)}>`,
    date: at,
    headers: {
      'X-Settle-Reminder': job.reminderId,
      // The customer's answer ("paid last week") reaches the collectors.
      ...(arEmail ? { 'Reply-To': arEmail } : {}),
    },
  });
  await markReminder(deps, job.reminderId, 'sent');
}

async function markReminder(deps: Deps, id: string, status: 'sent' | 'skipped'): Promise<void> {
  await deps.db
    .updateTable('reminders')
    .set({ status, ...(status === 'sent' ? { sent_at: new Date() } : {}) })
    .where('id', '=', id)
    .execute();
}
