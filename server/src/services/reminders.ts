import { MAX_PINNED_INVOICES, type Reminder, type ReminderList, type SendReminderRequest } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { ErpInvoice } from '../erp/port.js';
import { ApiError, validationError } from '../errors.js';
import { hashRequest, newId } from '../keys.js';
import { REMINDER_MAIL_JOB, type ReminderMailPayload } from '../mail/reminder-mail.js';
import { enqueue } from '../outbox/outbox.js';
import type { Db } from '../store/db.js';
import { fromJson, json, lockIdempotencyKey } from '../store/db.js';
import { callErp } from './erp-calls.js';
import { replayedId } from './idempotency.js';
import type { Merchant } from './merchants.js';
import { issuedPayLinkUrl, issuePayLink } from './pay-links.js';

/**
 * Past-due reminders: one call picks the customer's overdue invoices, issues a pay link pinned to
 * them and queues one mail that lists them and carries the link. The row is the collector's record
 * of what was sent; the mail itself goes through the outbox (mail/reminder-mail.ts).
 */

/** Today as the ERP writes dates (YYYY-MM-DD, UTC): an invoice is past due once its due date is before it. */
export const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/** Past due on `day`: open, and due before that day. */
export const isPastDue = (invoice: ErpInvoice, day: string) => invoice.openAmount > 0 && invoice.dueDate < day;

/**
 * Sends a reminder under an idempotency key: the same key and body return the reminder made the
 * first time (and queue nothing new); the same key with another body is a 422.
 */
export async function sendReminder(
  deps: Deps,
  merchant: Merchant,
  customerId: string,
  request: SendReminderRequest,
  key: string,
): Promise<Reminder> {
  const requestHash = hashRequest({ customerId, request });
  const replay = await findByKey(deps.db, merchant.id, key, requestHash);
  if (replay) return reminderOf(deps, merchant.id, replay);

  const customer = await callErp(() => deps.erp.getCustomer(customerId));
  if (!customer) throw new ApiError(404, 'customer_not_found', `The ERP has no customer ${customerId}`);
  if (!customer.email) {
    throw validationError([
      {
        path: 'customerId',
        code: 'no_email',
        message: `The ERP has no email address for customer ${customerId}: add one there, then send the reminder`,
      },
    ]);
  }
  const invoiceIds = await pastDueInvoiceIds(deps, customerId, request.invoiceIds);
  // Checks the invoices are this customer's, open, named once and in one currency.
  const link = await issuePayLink(deps, merchant, {
    customerId,
    invoiceIds,
    ...(request.expiresInDays ? { expiresInDays: request.expiresInDays } : {}),
  });
  const id = newId('rem');
  const made = await deps.db.transaction().execute(async (trx) => {
    await lockIdempotencyKey(trx, merchant.id, key);
    // Another request with this key got here first: its reminder is the answer (this link goes unused).
    const raced = await findByKey(trx, merchant.id, key, requestHash);
    if (raced) return raced;
    await trx
      .insertInto('reminders')
      .values({
        id,
        merchant_id: merchant.id,
        customer_id: customerId,
        invoice_ids: json(invoiceIds),
        pay_link_id: link.id,
        message: request.message ?? null,
        idempotency_key: key,
        request_hash: requestHash,
      })
      .execute();
    const payload: ReminderMailPayload = { reminderId: id, merchantId: merchant.id };
    await enqueue(trx, { kind: REMINDER_MAIL_JOB, dedupeKey: `${REMINDER_MAIL_JOB}:${id}`, payload });
    return id;
  });
  return reminderOf(deps, merchant.id, made);
}

/**
 * The invoices a reminder lists: those asked for, each of which must be past due, or else every
 * past-due invoice of the customer, oldest due first. None is a 422 naming `invoiceIds`.
 */
async function pastDueInvoiceIds(deps: Deps, customerId: string, asked: string[] | undefined): Promise<string[]> {
  const { invoices } = await callErp(() => deps.erp.listOpenItems(customerId));
  const today = isoDay(new Date());
  if (asked) {
    const byId = new Map(invoices.map((i) => [i.id, i]));
    const issues = asked.flatMap((id, at) => {
      const invoice = byId.get(id);
      // Unknown and closed invoices are named by issuePayLink's own checks.
      if (!invoice || isPastDue(invoice, today)) return [];
      return [{ path: `invoiceIds.${at}`, code: 'not_past_due', message: `${id} is not due until ${invoice.dueDate}` }];
    });
    if (issues.length) throw validationError(issues);
    return asked;
  }
  const pastDue = invoices
    .filter((i) => isPastDue(i, today))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  if (!pastDue.length) {
    throw validationError([
      { path: 'invoiceIds', code: 'nothing_past_due', message: `Customer ${customerId} has no past-due invoices` },
    ]);
  }
  const currencies = [...new Set(pastDue.map((i) => i.currency))];
  if (currencies.length > 1) {
    throw validationError([
      {
        path: 'invoiceIds',
        code: 'currency_mismatch',
        message: `Customer ${customerId} has past-due invoices in ${currencies.join(' and ')}: a pay link collects one currency, so name the invoices of one in invoiceIds`,
      },
    ]);
  }
  if (pastDue.length > MAX_PINNED_INVOICES) {
    throw validationError([
      {
        path: 'invoiceIds',
        code: 'too_many',
        message: `Customer ${customerId} has ${pastDue.length} past-due invoices; a reminder lists at most ${MAX_PINNED_INVOICES}: name them in invoiceIds`,
      },
    ]);
  }
  return pastDue.map((i) => i.id);
}

async function findByKey(db: Db, merchantId: string, key: string, requestHash: string): Promise<string | null> {
  const row = await db
    .selectFrom('reminders')
    .select(['id', 'request_hash'])
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return replayedId(row, requestHash, 'reminder');
}

const reminderRows = (db: Db, merchantId: string) =>
  db
    .selectFrom('reminders')
    .innerJoin('pay_links', 'pay_links.id', 'reminders.pay_link_id')
    .select([
      'reminders.id',
      'reminders.customer_id',
      'reminders.invoice_ids',
      'reminders.status',
      'reminders.created_at',
      'pay_links.id as link_id',
      'pay_links.invoice_ids as link_invoice_ids',
      'pay_links.expires_at',
    ])
    .where('reminders.merchant_id', '=', merchantId);

type ReminderRow = Awaited<ReturnType<ReturnType<typeof reminderRows>['executeTakeFirstOrThrow']>>;

async function toReminder(deps: Deps, merchantId: string, row: ReminderRow): Promise<Reminder> {
  const expiresAt = new Date(row.expires_at);
  const url = await issuedPayLinkUrl(deps, merchantId, {
    id: row.link_id,
    customerId: row.customer_id,
    invoiceIds: fromJson<string[]>(row.link_invoice_ids),
    expiresAt,
  });
  return {
    id: row.id,
    customerId: row.customer_id,
    invoiceIds: fromJson<string[]>(row.invoice_ids),
    payLink: { id: row.link_id, url, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString() },
    status: row.status as Reminder['status'],
    createdAt: new Date(row.created_at).toISOString(),
  };
}

async function reminderOf(deps: Deps, merchantId: string, id: string): Promise<Reminder> {
  const row = await reminderRows(deps.db, merchantId).where('reminders.id', '=', id).executeTakeFirstOrThrow();
  return toReminder(deps, merchantId, row);
}

/** The reminders sent to a customer, newest first (the last 100), each with the link its mail carried. */
export async function listReminders(deps: Deps, merchantId: string, customerId: string): Promise<ReminderList> {
  const rows = await reminderRows(deps.db, merchantId)
    .where('reminders.customer_id', '=', customerId)
    .orderBy('reminders.created_at', 'desc')
    .orderBy('reminders.id', 'desc')
    .limit(100)
    .execute();
  return { data: await Promise.all(rows.map((r) => toReminder(deps, merchantId, r))) };
}
