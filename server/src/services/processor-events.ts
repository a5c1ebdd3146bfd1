import type { PaymentStatus } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { ProcessorEvent } from '../processors/port.js';
import { recordEvent, transition } from './payments.js';

const EVENT_STATUS: Record<ProcessorEvent['type'], PaymentStatus> = {
  'payment.processing': 'processing',
  'payment.succeeded': 'succeeded',
  'payment.failed': 'failed',
  'payment.canceled': 'canceled',
  'payment.returned': 'reversed',
  'payment.refunded': 'refunded',
  'payment.partially_refunded': 'succeeded',
  'payment.disputed': 'disputed',
  'payment.dispute_won': 'succeeded',
};

const AFTER_SUCCESS: readonly PaymentStatus[] = ['reversed', 'refunded', 'disputed'];
const WAITING: readonly PaymentStatus[] = ['requires_confirmation', 'requires_action', 'processing'];

/**
 * A later change from the processor (ACH settled, failed, returned; a refund; a dispute).
 * Idempotent; an event that overtook the one before it throws, so the outbox retries it later.
 */
export async function handleProcessorEvent(deps: Deps, event: ProcessorEvent): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payments')
      .select('status')
      .where('id', '=', event.paymentId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new Error(`Processor event ${event.id} names unknown payment ${event.paymentId}`);
    const from = row.status as PaymentStatus;
    let to = EVENT_STATUS[event.type];
    // A bank debit that fails after it succeeded is money taken back (DOMAIN.md §2.4).
    if (to === 'failed' && (from === 'succeeded' || from === 'disputed')) to = 'reversed';
    if (event.type === 'payment.partially_refunded') {
      if (WAITING.includes(from))
        throw new Error(`Refund of ${event.paymentId} arrived while it is ${from}; will retry`);
      await recordEvent(trx, event.paymentId, 'status', from, from, `partial refund of ${event.amount ?? 0}`);
      return;
    }
    if (event.type === 'payment.dispute_won') {
      if (from !== 'disputed') {
        // Won before we saw it opened: wait for the opening, unless it was already handled.
        const seen = await trx
          .selectFrom('payment_events')
          .select('id')
          .where('payment_id', '=', event.paymentId)
          .where('to_state', '=', 'disputed')
          .executeTakeFirst();
        if (!seen && from === 'succeeded')
          throw new Error(`Dispute of ${event.paymentId} closed before it opened; will retry`);
        return;
      }
    }
    if (from === to) return;
    // An event that overtook the one before it (a return before the settlement) waits for it.
    if (from === 'requires_confirmation' || (AFTER_SUCCESS.includes(to) && WAITING.includes(from))) {
      throw new Error(`Event ${event.type} for ${event.paymentId} arrived while it is ${from}; will retry`);
    }
    const moved = await transition(trx, event.paymentId, to, event.type, event.failure);
    if (!moved && to === 'succeeded' && (from === 'canceled' || from === 'failed')) {
      // Money arrived for a payment Settle had closed: a person must refund or apply it.
      deps.log.error(
        `Payment ${event.paymentId} is ${from} but the processor reports it succeeded: refund it or apply it by hand`,
      );
      await recordEvent(trx, event.paymentId, 'status', from, from, `${event.type} after ${from}: needs review`);
    }
  });
}
