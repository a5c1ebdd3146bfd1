import {
  type CreatePaymentRequest,
  computeQuote,
  ErrorCode,
  formatMoney,
  type Payment,
  type PaymentFailure,
  type PaymentMethodSummary,
  type PaymentStatus,
  type Quote,
  type QuoteRequest,
  type SessionPayment,
} from '@settle/schema';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { ApiError, validationError } from '../errors.js';
import { hashRequest, newId } from '../keys.js';
import { enqueue } from '../outbox/outbox.js';
import {
  type PayerContext,
  type PaymentProcessor,
  type ProcessorOutcome,
  ProcessorRejectedError,
  ProcessorUnavailableError,
} from '../processors/port.js';
import { json, lockCustomer, lockIdempotencyKey, type Tx } from '../store/db.js';
import { callErp } from './erp-calls.js';
import { enqueueSettleEvent, settleEventType } from './events.js';
import { replayedId } from './idempotency.js';
import { loadPayment, type StoredQuote } from './payment-view.js';
import { applyProcessorLimits } from './processor-limits.js';
import { currentItems, openItemsView, type SessionContext } from './sessions.js';
import { recordPaid, recordPaymentStarted } from './signals.js';

export const ERP_POST_JOB = 'erp_post';
export const ERP_REVERSE_JOB = 'erp_reverse';
export const PAYMENT_EXPIRE_JOB = 'payment_expire';
/** Cancels the processor's intent of a failed payment, so the payer's client secret cannot charge it later. */
export const PROCESSOR_CANCEL_JOB = 'processor_cancel';
/** A payment the processor never confirmed is canceled after this, releasing its reservation. */
const CONFIRMATION_WINDOW_MS = 15 * 60 * 1000;
/** Stripe gives a payer 10 days to verify microdeposits (DOMAIN.md §2.2); the reservation waits as long. */
const MICRODEPOSIT_WINDOW_MS = 10 * 24 * 60 * 60 * 1000;

/** The only moves a payment may make (DESIGN.md "States"). */
const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  requires_confirmation: ['requires_action', 'processing', 'succeeded', 'failed', 'canceled'],
  requires_action: ['processing', 'succeeded', 'failed', 'canceled'],
  processing: ['succeeded', 'failed'],
  succeeded: ['reversed', 'refunded', 'disputed'],
  // Lost: the money went back (reversed). Won: the payment stands again. Or the merchant refunds it.
  disputed: ['reversed', 'succeeded', 'refunded'],
  failed: [],
  canceled: [],
  reversed: [],
  refunded: [],
};

function methodMatches(method: Payment['method'], summary: PaymentMethodSummary): boolean {
  if (method === 'ach_debit') return summary.type === 'ach_debit';
  if (method === 'wallet') return summary.type === 'wallet';
  return summary.type === 'card';
}

async function resolveToken(deps: Deps, session: SessionContext, token: string, method: Payment['method']) {
  let summary: PaymentMethodSummary | null;
  try {
    summary = await deps.processor.retrievePaymentMethod(token, {
      merchantId: session.merchant.id,
      sessionId: session.id,
    });
  } catch (err) {
    if (!(err instanceof ProcessorUnavailableError)) throw err;
    throw new ApiError(
      503,
      ErrorCode.processorUnavailable,
      'The payment processor is not reachable, so the payment method cannot be checked. Nothing was charged; try again shortly.',
    );
  }
  if (!summary) {
    throw validationError([
      { path: 'paymentMethodToken', code: 'token_not_found', message: 'Unknown payment method token for this session' },
    ]);
  }
  if (!methodMatches(method, summary)) {
    throw validationError([
      {
        path: 'paymentMethodToken',
        code: 'token_method_mismatch',
        message: `The token is a ${summary.type}, not a ${method} payment method`,
      },
    ]);
  }
  return summary;
}

/** The authoritative quote, against the ERP's current balances and in-flight reservations. */
export async function quote(deps: Deps, session: SessionContext, request: QuoteRequest): Promise<Quote> {
  const summary = request.paymentMethodToken
    ? await resolveToken(deps, session, request.paymentMethodToken, request.method)
    : null;
  const items = await currentItems(deps, session);
  const result = await priced(deps.db, session, items, request, summary, deps.processor);
  if (result.issues.length) throw validationError(result.issues, 'The payment');
  return result.quote;
}

async function priced(
  ex: Tx | Deps['db'],
  session: SessionContext,
  items: Awaited<ReturnType<typeof currentItems>>,
  proposal: QuoteRequest,
  summary: PaymentMethodSummary | null,
  processor: PaymentProcessor,
) {
  const view = await openItemsView(ex, session.merchant.id, session.customerId, session.currency, items);
  const result = computeQuote(
    {
      currency: session.currency,
      invoices: view.invoices,
      credits: view.credits,
      rules: session.merchant.rules,
      region: session.customer.region,
    },
    proposal,
    { cardFunding: summary ? (summary.funding ?? 'unknown') : null },
  );
  applyProcessorLimits(result, processor, session.currency);
  return result;
}

/**
 * Creates a payment under an idempotency key: re-reads the ERP under the customer's lock,
 * re-prices, reserves, then confirms at the processor. The same key and body return the
 * same payment (resuming a confirmation that was interrupted); another body is a 422.
 */
export async function createPayment(
  deps: Deps,
  session: SessionContext,
  request: CreatePaymentRequest,
  key: string,
  payer: PayerContext = { ipAddress: null, userAgent: null },
): Promise<SessionPayment> {
  const merchantId = session.merchant.id;
  const requestHash = hashRequest({ session: session.id, request });
  const replay = await findByKey(deps, merchantId, key, requestHash);
  if (replay) return resume(deps, session, replay, payer);

  const summary = await resolveToken(deps, session, request.paymentMethodToken, request.method);
  const paymentId = newId('pay');
  const created = await deps.db.transaction().execute(async (trx) => {
    // Waiting behind another payment of this customer is fine; waiting forever is not.
    await sql`set local lock_timeout = '20s'`.execute(trx);
    await lockIdempotencyKey(trx, merchantId, key);
    await lockCustomer(trx, merchantId, session.customerId);
    const raced = await findByKey(trx, merchantId, key, requestHash);
    if (raced) return raced;
    const items = await callErp(() => deps.erp.listOpenItems(session.customerId));
    const { quote: q, issues } = await priced(trx, session, items, request, summary, deps.processor);
    if (issues.length) throw validationError(issues, 'The payment');
    if (q.surcharge.amount > 0 && request.expectedTotal === undefined) {
      // Card rules: the payer must see a surcharge before paying, and be able to refuse it.
      const fee = formatMoney(q.surcharge.amount, q.currency, 'en-US');
      throw validationError(
        [
          {
            path: 'expectedTotal',
            code: 'surcharge_not_confirmed',
            message: `A card surcharge of ${fee} applies: send the total the payer accepted as expectedTotal`,
          },
        ],
        'The payment',
      );
    }
    if (request.expectedTotal !== undefined && request.expectedTotal !== q.total) {
      const money = (amount: number) => formatMoney(amount, q.currency, 'en-US');
      throw new ApiError(
        409,
        ErrorCode.totalChanged,
        `The total is now ${money(q.total)} (you saw ${money(request.expectedTotal)}): review it and pay again`,
        [{ path: 'expectedTotal', code: ErrorCode.totalChanged, message: `The total is now ${money(q.total)}` }],
      );
    }
    const stored: StoredQuote = {
      invoiceTotal: q.invoiceTotal,
      creditTotal: q.creditTotal,
      onAccountAmount: q.onAccountAmount,
      subtotal: q.subtotal,
      surcharge: q.surcharge,
      lines: q.lines,
      credits: q.credits,
    };
    await trx
      .insertInto('payments')
      .values({
        id: paymentId,
        merchant_id: merchantId,
        session_id: session.id,
        customer_id: session.customerId,
        status: 'requires_confirmation',
        currency: session.currency,
        method: request.method,
        amount: q.total,
        quote: json(stored),
        payment_method: json(summary),
        failure: null,
        erp_reference: null,
        processor: deps.processor.name,
        intent_id: null,
        token: request.paymentMethodToken,
      })
      .execute();
    const allocations = [
      // The posting takes the deduction off the invoice too, so it is reserved with the payment.
      ...q.lines.map((l) => ({
        payment_id: paymentId,
        kind: 'invoice' as const,
        item_id: l.invoiceId,
        amount: l.amount + l.deductionAmount,
      })),
      ...q.credits.map((c) => ({
        payment_id: paymentId,
        kind: 'credit' as const,
        item_id: c.creditId,
        amount: c.amount,
      })),
    ];
    if (allocations.length) await trx.insertInto('payment_allocations').values(allocations).execute();
    await recordEvent(trx, paymentId, 'status', null, 'requires_confirmation', 'created');
    await recordPaymentStarted(
      trx,
      session,
      paymentId,
      q.lines.map((l) => l.invoiceId),
    );
    // The customer lock does not cover another customer's request sending the same key at the same
    // moment: the key's primary key decides, and the loser is answered as a replay (422), not a 500.
    const keyed = await trx
      .insertInto('idempotency_keys')
      .values({ merchant_id: merchantId, key, request_hash: requestHash, payment_id: paymentId })
      .onConflict((oc) => oc.columns(['merchant_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!keyed) {
      await findByKey(trx, merchantId, key, requestHash);
      throw new ApiError(409, ErrorCode.idempotencyInFlight, 'A request with this Idempotency-Key is in progress');
    }
    await enqueue(trx, {
      kind: PAYMENT_EXPIRE_JOB,
      dedupeKey: `${PAYMENT_EXPIRE_JOB}:${paymentId}`,
      runAt: new Date(Date.now() + CONFIRMATION_WINDOW_MS),
      payload: { paymentId },
    });
    return paymentId;
  });
  return resume(deps, session, created, payer);
}

async function findByKey(
  deps: Deps | Tx,
  merchantId: string,
  key: string,
  requestHash: string,
): Promise<string | null> {
  const ex = 'db' in deps ? deps.db : deps;
  const row = await ex
    .selectFrom('idempotency_keys')
    .select(['payment_id as id', 'request_hash'])
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .executeTakeFirst();
  return replayedId(row, requestHash, 'payment');
}

/** Confirms at the processor if that has not happened yet, then returns the payment as its payer sees it. */
async function resume(
  deps: Deps,
  session: SessionContext,
  paymentId: string,
  payer: PayerContext,
): Promise<SessionPayment> {
  const scope = { merchantId: session.merchant.id, customerId: session.customerId };
  const payment = await loadPayment(deps.db, paymentId, scope);
  if (!payment) throw new ApiError(404, ErrorCode.notFound, `No payment ${paymentId}`);
  if (payment.status !== 'requires_confirmation') return reconcile(deps, payment, scope);
  let outcome: ProcessorOutcome;
  try {
    outcome = await deps.processor.confirm({
      paymentId,
      merchantId: session.merchant.id,
      customerId: session.customerId,
      amount: payment.amount,
      currency: payment.currency,
      method: payment.method,
      token: (
        await deps.db.selectFrom('payments').select('token').where('id', '=', paymentId).executeTakeFirstOrThrow()
      ).token,
      idempotencyKey: `settle_confirm_${paymentId}`,
      returnUrl: session.merchant.returnUrl ?? deps.config.returnUrl ?? `${deps.config.publicUrl}/`,
      payer,
    });
  } catch (err) {
    if (err instanceof ProcessorRejectedError) {
      // Refused for good: retrying cannot help, so the payment fails and its invoices are free again.
      deps.log.warn(`processor refused the confirm of ${paymentId}: ${err.message}`);
      const failure = {
        code: err.code,
        declineCode: null,
        message: rejectionMessage(err),
      } satisfies PaymentFailure;
      await deps.db.transaction().execute((trx) => transition(trx, paymentId, 'failed', 'processor.rejected', failure));
      const path = err.param === 'confirmation_token' || /token/.test(err.code) ? 'paymentMethodToken' : 'payment';
      throw validationError([{ path, code: err.code, message: failure.message }], 'The payment');
    }
    deps.log.error(`processor confirm failed for ${paymentId}: ${(err as Error).message}`);
    throw new ApiError(
      503,
      ErrorCode.processorUnavailable,
      err instanceof ProcessorUnavailableError
        ? 'The payment processor is not reachable. Your payment was not completed; retry with the same Idempotency-Key.'
        : 'The payment processor refused the request. Your payment was not completed; retry with the same Idempotency-Key.',
    );
  }
  await applyOutcome(deps, paymentId, outcome, 'processor.confirm');
  const after = (await loadPayment(deps.db, paymentId, scope)) as Payment;
  return { ...after, nextAction: after.status === 'requires_action' ? (outcome.nextAction ?? null) : null };
}

/**
 * The payment as its payer sees it. While it waits on the payer or the bank, the processor is
 * asked where it stands, so a payer back from 3-D Secure sees the outcome before the webhook.
 * A processor that cannot be reached leaves the stored state as it is.
 */
export async function reconcile(
  deps: Deps,
  payment: Payment,
  scope: { merchantId: string; customerId?: string },
): Promise<SessionPayment> {
  if (payment.status !== 'requires_action' && payment.status !== 'processing') {
    return { ...payment, nextAction: null };
  }
  let outcome: ProcessorOutcome | null;
  try {
    outcome = await deps.processor.retrieve(payment.id);
  } catch (err) {
    deps.log.warn(`could not reconcile ${payment.id} with the processor: ${(err as Error).message}`);
    return { ...payment, nextAction: null };
  }
  if (!outcome) return { ...payment, nextAction: null };
  if (OUTCOME_STATUS[outcome.status] !== payment.status) {
    await applyOutcome(deps, payment.id, outcome, 'processor.reconcile');
  }
  const now = (await loadPayment(deps.db, payment.id, scope)) ?? payment;
  return { ...now, nextAction: now.status === 'requires_action' ? (outcome.nextAction ?? null) : null };
}

const OUTCOME_STATUS: Record<ProcessorOutcome['status'], PaymentStatus> = {
  requires_action: 'requires_action',
  processing: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};

export async function applyOutcome(
  deps: Deps,
  paymentId: string,
  outcome: ProcessorOutcome,
  cause: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (outcome.intentId) {
      await trx
        .updateTable('payments')
        .set({ intent_id: outcome.intentId })
        .where('id', '=', paymentId)
        .where('intent_id', 'is', null)
        .execute();
    }
    const to = OUTCOME_STATUS[outcome.status];
    const moved = await transition(trx, paymentId, to, cause, outcome.failure);
    if (!moved && to === 'succeeded') await succeededAfterClose(deps, trx, paymentId, cause);
    if (moved && outcome.nextAction?.type === 'verify_with_microdeposits') {
      // Microdeposits take days to arrive: the payment is not abandoned after the usual window.
      await trx
        .updateTable('outbox')
        .set({ run_at: new Date(Date.now() + MICRODEPOSIT_WINDOW_MS) })
        .where('dedupe_key', '=', `${PAYMENT_EXPIRE_JOB}:${paymentId}`)
        .where('status', '=', 'pending')
        .execute();
    }
  });
}

/**
 * The processor took money for a payment Settle had closed (canceled or failed): nothing moves,
 * but a person must refund it or apply it by hand, so it is logged and recorded as needing review.
 */
export async function succeededAfterClose(deps: Deps, trx: Tx, paymentId: string, cause: string): Promise<void> {
  const row = await trx.selectFrom('payments').select('status').where('id', '=', paymentId).executeTakeFirst();
  const from = row?.status;
  if (from !== 'canceled' && from !== 'failed') return;
  deps.log.error(
    `Payment ${paymentId} is ${from} but the processor reports it succeeded: refund it or apply it by hand`,
  );
  await recordEvent(trx, paymentId, 'status', from, from, `${cause} succeeded after ${from}: needs review`);
}

function rejectionMessage(err: ProcessorRejectedError): string {
  if (
    err.code === 'token_already_used' ||
    err.code === 'confirmation_token_expired' ||
    err.param === 'confirmation_token'
  ) {
    return 'The payment method token (paymentMethodToken) was already used or has expired: enter the payment details again and pay with a new token. Nothing was charged.';
  }
  if (err.code === 'idempotency_error') {
    return 'The payment processor refused this payment because its confirmation was sent with different details before. Start a new payment; nothing more will be charged for this one.';
  }
  return `The payment processor refused this payment (${err.code}${err.param ? ` on ${err.param}` : ''}). Nothing was charged; start a new payment.`;
}

/**
 * Moves a payment forward and records why. Success schedules the ERP posting; a late
 * failure (a return, a dispute) schedules its reversal. Returns false for a move the state
 * machine forbids, which is then ignored: processors may repeat or reorder events.
 */
export async function transition(
  trx: Tx,
  paymentId: string,
  to: PaymentStatus,
  cause: string,
  failure: PaymentFailure | null = null,
): Promise<boolean> {
  const row = await trx
    .selectFrom('payments')
    .select(['status', 'erp_status', 'processor'])
    .where('id', '=', paymentId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const from = row.status as PaymentStatus;
  if (!NEXT[from].includes(to)) return false;
  if (to === 'failed' && row.processor === 'stripe') {
    // A failed intent waits in requires_payment_method, and the payer still holds its client
    // secret: cancel it at Stripe (through the outbox, so it is retried) so it can never charge.
    await enqueue(trx, {
      kind: PROCESSOR_CANCEL_JOB,
      dedupeKey: `${PROCESSOR_CANCEL_JOB}:${paymentId}`,
      payload: { paymentId },
    });
  }
  let erpStatus = row.erp_status;
  if (from === 'disputed' && to === 'succeeded') {
    // A won dispute: the posting stands as it was.
  } else if (to === 'succeeded') {
    erpStatus = 'pending';
    await enqueue(trx, { kind: ERP_POST_JOB, dedupeKey: `${ERP_POST_JOB}:${paymentId}`, payload: { paymentId } });
  } else if ((from === 'succeeded' || from === 'disputed') && to !== 'disputed') {
    // An open dispute changes nothing in the ERP yet: only a lost one (reversed) or a refund does.
    // `pending` may already be in the ERP (its answer lost, or a crash before our commit):
    // reverse it too. Reversing a posting the ERP never applied is a no-op by contract.
    if (row.erp_status === 'posted' || row.erp_status === 'pending') {
      erpStatus = 'reversal_pending';
      await enqueue(trx, {
        kind: ERP_REVERSE_JOB,
        dedupeKey: `${ERP_REVERSE_JOB}:${paymentId}`,
        payload: { paymentId, reason: cause },
      });
    } else if (row.erp_status === 'parked') {
      // The ERP refused it: nothing to undo.
      erpStatus = 'none';
    }
  }
  await trx
    .updateTable('payments')
    .set({ status: to, erp_status: erpStatus, updated_at: new Date(), ...(failure ? { failure: json(failure) } : {}) })
    .where('id', '=', paymentId)
    .execute();
  await recordEvent(trx, paymentId, 'status', from, to, cause);
  if (to === 'succeeded') await recordPaid(trx, paymentId);
  if ((from === 'requires_confirmation' || from === 'requires_action') && to !== 'requires_action') {
    // Confirmed or canceled: the expiry check has nothing left to do.
    await trx
      .updateTable('outbox')
      .set({ status: 'done', done_at: new Date() })
      .where('dedupe_key', '=', `${PAYMENT_EXPIRE_JOB}:${paymentId}`)
      .where('status', '=', 'pending')
      .execute();
  }
  if (erpStatus !== row.erp_status) await recordEvent(trx, paymentId, 'erp', row.erp_status, erpStatus, cause);
  return true;
}

/**
 * Records a change of a payment and, when it is one merchants are told about (events.ts), enqueues
 * its fan-out in the same transaction: a change is never recorded without its event, nor the reverse.
 */
export async function recordEvent(
  trx: Tx,
  paymentId: string,
  kind: 'status' | 'erp',
  from: string | null,
  to: string,
  cause: string,
) {
  const row = await trx
    .insertInto('payment_events')
    // The time of the change, not of its transaction's start: callers hold the payment's row lock,
    // so a later change always gets a later time, and events order by createdAt.
    .values({ payment_id: paymentId, kind, from_state: from, to_state: to, cause, at: sql<Date>`clock_timestamp()` })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
  const type = settleEventType(kind, from, to);
  if (type) await enqueueSettleEvent(trx, { id: row.id, paymentId, at: row.at, type });
}

/** Cancels a payment the payer abandoned before the processor confirmed it. */
export async function expirePayment(deps: Deps, paymentId: string): Promise<void> {
  const row = await deps.db.selectFrom('payments').select('status').where('id', '=', paymentId).executeTakeFirst();
  if (row?.status !== 'requires_confirmation' && row?.status !== 'requires_action') return;
  const outcome = await deps.processor.cancel(paymentId);
  await applyOutcome(deps, paymentId, outcome, outcome.status === 'canceled' ? 'expired' : 'processor.reconcile');
}

/** Cancels the processor's intent of a payment Settle failed; a success it reveals needs review. */
export async function cancelFailedAtProcessor(deps: Deps, paymentId: string): Promise<void> {
  const outcome = await deps.processor.cancel(paymentId);
  if (outcome.status === 'succeeded') await applyOutcome(deps, paymentId, outcome, 'processor.cancel');
}
