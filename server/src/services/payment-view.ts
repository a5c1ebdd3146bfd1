import {
  type ErpStatus,
  IdSchema,
  type ListPaymentsQuery,
  type Payment,
  type PaymentFailure,
  type PaymentList,
  type PaymentMethodSummary,
  type PaymentStatus,
  type Quote,
} from '@settle/schema';
import type { Selectable } from 'kysely';
import { badRequest } from '../errors.js';
import type { Database, Executor } from '../store/db.js';
import { fromJson } from '../store/db.js';

export type PaymentRow = Selectable<Database['payments']>;

/** The parts of a quote a payment keeps. */
export type StoredQuote = Pick<
  Quote,
  'invoiceTotal' | 'creditTotal' | 'onAccountAmount' | 'subtotal' | 'surcharge' | 'lines' | 'credits'
>;

async function eventsOf(ex: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, Payment['events']>();
  const rows = await ex.selectFrom('payment_events').selectAll().where('payment_id', 'in', ids).orderBy('id').execute();
  const byPayment = new Map<string, Payment['events']>();
  for (const r of rows) {
    const list = byPayment.get(r.payment_id) ?? [];
    list.push({
      at: new Date(r.at).toISOString(),
      kind: r.kind === 'erp' ? 'erp' : 'status',
      from: r.from_state,
      to: r.to_state,
      cause: r.cause,
    });
    byPayment.set(r.payment_id, list);
  }
  return byPayment;
}

export function toPayment(row: PaymentRow, events: Payment['events']): Payment {
  const q = fromJson<StoredQuote>(row.quote);
  return {
    id: row.id,
    sessionId: row.session_id,
    customerId: row.customer_id,
    status: row.status as PaymentStatus,
    currency: row.currency,
    method: row.method as Payment['method'],
    amount: Number(row.amount),
    invoiceTotal: q.invoiceTotal,
    creditTotal: q.creditTotal,
    onAccountAmount: q.onAccountAmount,
    subtotal: q.subtotal,
    surcharge: q.surcharge,
    lines: q.lines,
    credits: q.credits,
    paymentMethod: row.payment_method ? fromJson<PaymentMethodSummary>(row.payment_method) : null,
    failure: row.failure ? fromJson<PaymentFailure>(row.failure) : null,
    erpStatus: row.erp_status as ErpStatus,
    erpReference: row.erp_reference,
    processor: { name: row.processor, intentId: row.intent_id },
    events,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Loads one payment as the wire shape, scoped to a merchant (and a session's customer, when given). */
export async function loadPayment(
  ex: Executor,
  id: string,
  scope: { merchantId: string; customerId?: string },
): Promise<Payment | null> {
  let q = ex.selectFrom('payments').selectAll().where('id', '=', id).where('merchant_id', '=', scope.merchantId);
  if (scope.customerId) q = q.where('customer_id', '=', scope.customerId);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const events = await eventsOf(ex, [row.id]);
  return toPayment(row, events.get(row.id) ?? []);
}

function encodeCursor(row: { created_at: unknown; id: string }): string {
  return Buffer.from(JSON.stringify([new Date(row.created_at as string).toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      // Only what encodeCursor writes: a plain UTC instant (PostgreSQL refuses Date's extreme years) and an id.
      /^(19[7-9]\d|[2-9]\d{3})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value[0]) &&
      !Number.isNaN(Date.parse(value[0])) &&
      IdSchema.safeParse(value[1]).success
    ) {
      return [value[0], value[1]];
    }
  } catch {}
  throw badRequest('The cursor is not valid', [
    { path: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor from a previous page' },
  ]);
}

/** Newest first, paginated by an opaque cursor. */
export async function listPayments(ex: Executor, merchantId: string, query: ListPaymentsQuery): Promise<PaymentList> {
  const limit = query.limit ?? 25;
  let q = ex.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId);
  if (query.customerId) q = q.where('customer_id', '=', query.customerId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.erpStatus) q = q.where('erp_status', '=', query.erpStatus);
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', new Date(at)), eb.and([eb('created_at', '=', new Date(at)), eb('id', '<', id)])]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const events = await eventsOf(
    ex,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    data: page.map((r) => toPayment(r, events.get(r.id) ?? [])),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
