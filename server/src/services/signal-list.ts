import type { ListSignalsQuery, PayerSignal, PayerSignalKind, PayerSignalList } from '@settle/schema';
import { sql } from 'kysely';
import { badRequest } from '../errors.js';
import type { Executor } from '../store/db.js';

/** The merchant API's view of payer signals (signals.ts records them): one customer's, newest first. */

/** Payments that still pay what they allocate: a refunded or reversed one leaves its invoices unpaid. */
const STANDING_STATUSES = ['processing', 'succeeded', 'disputed'];

function toSignal(row: {
  id: number;
  kind: string;
  customer_id: string;
  session_id: string;
  pay_link_id: string | null;
  invoice_id: string | null;
  payment_id: string | null;
  at: unknown;
}): PayerSignal {
  return {
    id: String(row.id),
    kind: row.kind as PayerSignalKind,
    customerId: row.customer_id,
    sessionId: row.session_id,
    payLinkId: row.pay_link_id,
    invoiceId: row.invoice_id,
    paymentId: row.payment_id,
    at: new Date(row.at as string).toISOString(),
  };
}

function decodeCursor(cursor: string): number {
  const id = /^[1-9]\d{0,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (Number.isSafeInteger(id)) return id;
  throw badRequest('The cursor is not valid', [
    { path: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor from a previous page' },
  ]);
}

/** A customer's signals, newest first, with what collectors ask first: last seen, viewed but not paid. */
export async function listSignals(
  ex: Executor,
  merchantId: string,
  customerId: string,
  query: ListSignalsQuery,
): Promise<PayerSignalList> {
  const limit = query.limit ?? 25;
  let q = ex
    .selectFrom('payer_signals')
    .select(['id', 'kind', 'customer_id', 'session_id', 'pay_link_id', 'invoice_id', 'payment_id', 'at'])
    .where('merchant_id', '=', merchantId)
    .where('customer_id', '=', customerId);
  if (query.cursor) q = q.where('id', '<', decodeCursor(query.cursor));
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(toSignal),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
    summary: await summarize(ex, merchantId, customerId),
  };
}

async function summarize(ex: Executor, merchantId: string, customerId: string): Promise<PayerSignalList['summary']> {
  const times = await ex
    .selectFrom('payer_signals')
    .select((eb) => [
      // Abandonment is the server noticing, at expiry, that nothing happened: not the payer being seen.
      eb.fn.max(sql<Date | null>`case when kind <> 'abandoned' then at end`).as('last_seen'),
      eb.fn.max(sql<Date | null>`case when kind = 'paid' then at end`).as('last_paid'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  // Viewed invoices that no payment of this customer has paid (or is paying) since.
  const viewed = await ex
    .selectFrom('payer_signals as s')
    .select('s.invoice_id')
    .where('s.merchant_id', '=', merchantId)
    .where('s.customer_id', '=', customerId)
    .where('s.kind', '=', 'invoice_viewed')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('payment_allocations as a')
            .innerJoin('payments as p', 'p.id', 'a.payment_id')
            .select('a.item_id')
            .where('p.merchant_id', '=', merchantId)
            .where('p.customer_id', '=', customerId)
            .where('p.status', 'in', STANDING_STATUSES)
            .where('a.kind', '=', 'invoice')
            .whereRef('a.item_id', '=', 's.invoice_id'),
        ),
      ),
    )
    .groupBy('s.invoice_id')
    .orderBy(sql`max(s.id)`, 'desc')
    .limit(100)
    .execute();
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    lastSeenAt: iso(times?.last_seen),
    lastPaidAt: iso(times?.last_paid),
    viewedUnpaidInvoiceIds: viewed.flatMap((r) => (r.invoice_id ? [r.invoice_id] : [])),
  };
}
