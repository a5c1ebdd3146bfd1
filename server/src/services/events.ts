import { createHash } from 'node:crypto';
import type { SettleEventType } from '@settle/schema';
import type { Deps } from '../deps.js';
import { enqueue } from '../outbox/outbox.js';
import type { Tx } from '../store/db.js';

/** What a merchant (or a mail, a webhook) can be told about a payment; the list lives in the wire contract. */
export { SETTLE_EVENT_TYPES, type SettleEventType } from '@settle/schema';

export interface SettleEvent {
  /** `evt_…`, derived from the payment_events row, so every subscriber sees the same id for one change. */
  id: string;
  type: SettleEventType;
  /** When the change was recorded (ISO 8601). */
  createdAt: string;
  merchantId: string;
  customerId: string;
  paymentId: string;
}

/** Called inside the fan-out job's transaction; must only enqueue outbox jobs with dedupe keys (idempotent). */
export type EventSubscriber = (trx: Tx, deps: Deps, event: SettleEvent) => Promise<void>;

/** The outbox job that hands one event to every subscriber. */
export const EVENT_FANOUT_JOB = 'settle_event';

/** The fan-out job's payload: the event without what the payment row tells. */
export interface EventFanoutPayload {
  id: string;
  type: SettleEventType;
  createdAt: string;
  paymentId: string;
}

const STATUS_EVENTS: Partial<Record<string, SettleEventType>> = {
  processing: 'payment.processing',
  succeeded: 'payment.succeeded',
  failed: 'payment.failed',
  canceled: 'payment.canceled',
  disputed: 'payment.disputed',
  reversed: 'payment.reversed',
  refunded: 'payment.refunded',
};

const ERP_EVENTS: Partial<Record<string, SettleEventType>> = {
  posted: 'payment.posted_to_erp',
  parked: 'payment.erp_parked',
  reversed: 'payment.erp_reversed',
};

/**
 * The event a recorded change is, if any. A row that stays in its state (a "needs review" note)
 * and the internal steps (created, requires_action, ERP pending) are not events.
 */
export function settleEventType(kind: 'status' | 'erp', from: string | null, to: string): SettleEventType | null {
  if (from === to) return null;
  return (kind === 'status' ? STATUS_EVENTS[to] : ERP_EVENTS[to]) ?? null;
}

/**
 * The public id of the event of payment_events row `rowId`. Hashed with the payment id, so it is
 * stable across retries yet does not reveal how many events the whole installation has recorded.
 */
export function settleEventId(paymentId: string, rowId: number): string {
  return `evt_${createHash('sha256').update(`${paymentId}:${rowId}`).digest('hex').slice(0, 24)}`;
}

/** Enqueues the fan-out of one recorded change, in the transaction that recorded it. */
export async function enqueueSettleEvent(
  trx: Tx,
  row: { id: number; paymentId: string; at: Date; type: SettleEventType },
): Promise<void> {
  const payload: EventFanoutPayload = {
    id: settleEventId(row.paymentId, row.id),
    type: row.type,
    createdAt: new Date(row.at).toISOString(),
    paymentId: row.paymentId,
  };
  // No top-level paymentId in the payload: a parked fan-out is not a payment that needs review.
  await enqueue(trx, { kind: EVENT_FANOUT_JOB, dedupeKey: `settle_event:${row.id}`, payload: { event: payload } });
}

/** Runs every subscriber for one event in one transaction: all their jobs are enqueued, or none. */
export async function fanOutEvent(
  deps: Deps,
  payload: unknown,
  subscribers: readonly EventSubscriber[],
): Promise<void> {
  const { event } = payload as { event: EventFanoutPayload };
  await deps.db.transaction().execute(async (trx) => {
    const payment = await trx
      .selectFrom('payments')
      .select(['merchant_id', 'customer_id'])
      .where('id', '=', event.paymentId)
      .executeTakeFirst();
    if (!payment) return;
    const full: SettleEvent = { ...event, merchantId: payment.merchant_id, customerId: payment.customer_id };
    for (const subscriber of subscribers) await subscriber(trx, deps, full);
  });
}
