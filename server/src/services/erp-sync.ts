import type { MerchantRules, PaymentMethodSummary } from '@settle/schema';
import type { Deps } from '../deps.js';
import { type ErpPosting, ErpRejectedError } from '../erp/port.js';
import { MAIL_JOB, sendMailJob } from '../mail/mail-jobs.js';
import { REMINDER_MAIL_JOB, sendReminderMail } from '../mail/reminder-mail.js';
import type { JobHandler } from '../outbox/outbox.js';
import type { ProcessorEvent } from '../processors/port.js';
import { PROCESSOR_EVENT_JOB } from '../processors/sandbox.js';
import { fromJson, lockCustomer } from '../store/db.js';
import { subscribers } from './event-subscribers.js';
import { EVENT_FANOUT_JOB, fanOutEvent } from './events.js';
import type { PaymentRow, StoredQuote } from './payment-view.js';
import {
  cancelFailedAtProcessor,
  ERP_POST_JOB,
  ERP_REVERSE_JOB,
  expirePayment,
  PAYMENT_EXPIRE_JOB,
  PROCESSOR_CANCEL_JOB,
  recordEvent,
} from './payments.js';
import { handleProcessorEvent } from './processor-events.js';
import { checkAbandoned, SESSION_ABANDON_JOB } from './signals.js';
import { deliverWebhook, markDeliveryParked, WEBHOOK_DELIVERY_JOB } from './webhooks.js';

/** What the ERP receives for a succeeded payment. */
export function buildPosting(row: PaymentRow, rules: MerchantRules): ErpPosting {
  const q = fromJson<StoredQuote>(row.quote);
  const reasons = new Map(rules.reasonCodes.map((r) => [r.code, r]));
  const pm = row.payment_method ? fromJson<PaymentMethodSummary>(row.payment_method) : null;
  const label = pm ? `${pm.brand ?? pm.bankName ?? pm.type} •${pm.last4}` : row.method;
  return {
    paymentId: row.id,
    customerId: row.customer_id,
    currency: row.currency,
    date: new Date().toISOString().slice(0, 10),
    method: row.method as ErpPosting['method'],
    cashAmount: q.subtotal,
    surchargeAmount: q.surcharge.amount,
    reference: `Settle ${row.id} / ${label}`,
    applications: q.lines.map((l) => {
      // The deduction was decided when the payment was priced; today's rules only name its ERP code.
      const deduction =
        l.deductionAmount > 0 && l.reasonCode
          ? {
              amount: l.deductionAmount,
              reasonCode: l.reasonCode,
              erpReasonCode: reasons.get(l.reasonCode)?.erpCode ?? null,
              note: l.note,
            }
          : null;
      return { invoiceId: l.invoiceId, cash: l.cashApplied, credit: l.creditApplied, deduction };
    }),
    credits: q.credits.flatMap((c) =>
      c.applications.map((a) => ({ creditId: c.creditId, invoiceId: a.invoiceId, amount: a.amount })),
    ),
    unappliedAmount: q.onAccountAmount,
  };
}

/**
 * Posts a succeeded payment to the ERP, under the customer's lock so a concurrent payment
 * never sees the reservation released before the ERP balance drops. The adapter is
 * idempotent on the payment id, so a retry after a crash cannot apply it twice.
 */
async function postToErp(deps: Deps, paymentId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payments')
      .innerJoin('merchants', 'merchants.id', 'payments.merchant_id')
      .selectAll('payments')
      .select('merchants.rules')
      .where('payments.id', '=', paymentId)
      .executeTakeFirstOrThrow();
    await lockCustomer(trx, row.merchant_id, row.customer_id);
    const current = await trx
      .selectFrom('payments')
      .select(['status', 'erp_status'])
      .where('id', '=', paymentId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // A dispute opened before the posting does not undo the payment (yet): post it, and a lost
    // dispute reverses it like any other.
    if (current.erp_status !== 'pending' || (current.status !== 'succeeded' && current.status !== 'disputed')) return;
    try {
      const result = await deps.erp.postPayment(buildPosting(row, fromJson<MerchantRules>(row.rules)));
      await trx
        .updateTable('payments')
        .set({ erp_status: 'posted', erp_reference: result.erpReference, updated_at: new Date() })
        .where('id', '=', paymentId)
        .execute();
      await recordEvent(trx, paymentId, 'erp', 'pending', 'posted', `erp.${deps.erp.name}`);
    } catch (err) {
      if (!(err instanceof ErpRejectedError)) throw err;
      await trx
        .updateTable('payments')
        .set({ erp_status: 'parked', updated_at: new Date() })
        .where('id', '=', paymentId)
        .execute();
      await recordEvent(trx, paymentId, 'erp', 'pending', 'parked', `erp rejected: ${err.message}`.slice(0, 500));
      deps.log.warn(`ERP rejected posting of ${paymentId}; parked for review: ${err.message}`);
    }
  });
}

async function reverseInErp(deps: Deps, paymentId: string, reason: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('payments')
      .select(['erp_status'])
      .where('id', '=', paymentId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.erp_status !== 'reversal_pending') return;
    await deps.erp.reversePayment(paymentId, reason);
    await trx
      .updateTable('payments')
      .set({ erp_status: 'reversed', updated_at: new Date() })
      .where('id', '=', paymentId)
      .execute();
    await recordEvent(trx, paymentId, 'erp', 'reversal_pending', 'reversed', `erp.${deps.erp.name}`);
  });
}

/** The outbox's handlers, by job kind. */
export function jobHandlers(deps: Deps): Record<string, JobHandler> {
  return {
    [ERP_POST_JOB]: (p) => postToErp(deps, (p as { paymentId: string }).paymentId),
    [ERP_REVERSE_JOB]: (p) => {
      const { paymentId, reason } = p as { paymentId: string; reason: string };
      return reverseInErp(deps, paymentId, reason);
    },
    [PAYMENT_EXPIRE_JOB]: (p) => expirePayment(deps, (p as { paymentId: string }).paymentId),
    [PROCESSOR_CANCEL_JOB]: (p) => cancelFailedAtProcessor(deps, (p as { paymentId: string }).paymentId),
    [PROCESSOR_EVENT_JOB]: (p) => handleProcessorEvent(deps, p as ProcessorEvent),
    [MAIL_JOB]: (p) => sendMailJob(deps, p),
    [REMINDER_MAIL_JOB]: (p) => sendReminderMail(deps, p),
    [SESSION_ABANDON_JOB]: (p) => checkAbandoned(deps, (p as { sessionId: string }).sessionId),
    [EVENT_FANOUT_JOB]: (p) => fanOutEvent(deps, p, subscribers),
    [WEBHOOK_DELIVERY_JOB]: (p) => deliverWebhook(deps, p),
  };
}

/**
 * A job the outbox gave up on: the payment it concerns shows it in its events (the merchant
 * API's payment view), so a person sees it needs review.
 */
export async function recordParkedJob(
  deps: Deps,
  job: { kind: string; payload: unknown; attempts: number; lastError: string },
): Promise<void> {
  // An endpoint that never took an event is the merchant's to see in its delivery log, not a payment to review.
  if (job.kind === WEBHOOK_DELIVERY_JOB) return markDeliveryParked(deps, job.payload);
  const paymentId = (job.payload as { paymentId?: unknown } | null)?.paymentId;
  if (typeof paymentId !== 'string') return;
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('payments').select('status').where('id', '=', paymentId).executeTakeFirst();
    if (!row) return;
    await recordEvent(
      trx,
      paymentId,
      'status',
      row.status,
      row.status,
      `outbox ${job.kind} parked after ${job.attempts} attempts: needs review (${job.lastError})`.slice(0, 500),
    );
  });
}
