import type { PaymentStatus } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { ProcessorEvent } from '../processors/port.js';
import { recordEvent, succeededAfterClose, transition } from './payments.js';

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
    if (event.intentId) {
      // The event names the intent: a payment whose create answer was lost learns it here.
      await trx
        .updateTable('payments')
        .set({ intent_id: event.intentId })
        .where('id', '=', event.paymentId)
        .where('intent_id', 'is', null)
        .execute();
    }
    let to = EVENT_STATUS[event.type];
    // A bank debit that fails after it succeeded is money taken back (DOMAIN.md §2.4).
    if (to === 'failed' && (from === 'succeeded' || from === 'disputed')) to = 'reversed';
    if (event.type === 'payment.partially_refunded') {
      if (WAITING.includes(from))
        throw new Error(`Refund of ${event.paymentId} arrived while it is ${from}; will retry`);
      // The ERP posting is not adjusted for part of a payment: a person decides how to book it.
      deps.log.warn(`Payment ${event.paymentId} was partly refunded (${event.amount ?? 0}): review its ERP posting`);
      await recordEvent(
        trx,
        event.paymentId,
        'status',
        from,
        from,
        `processor.partial_refund: ${event.amount ?? 0} refunded in total, ERP posting not adjusted: needs review`,
      );
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
    // A payment still `requires_confirmation` (its create answer lost) moves straight on to what
    // the intent says; only an after-success event waits for the success itself.
    if (AFTER_SUCCESS.includes(to) && WAITING.includes(from)) {
      throw new Error(`Event ${event.type} for ${event.paymentId} arrived while it is ${from}; will retry`);
    }
    const moved = await transition(trx, event.paymentId, to, event.type, event.failure);
    if (!moved && to === 'succeeded') await succeededAfterClose(deps, trx, event.paymentId, event.type);
  });
}
