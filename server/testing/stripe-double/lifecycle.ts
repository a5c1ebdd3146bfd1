import type Stripe from 'stripe';
import type { BankOutcome } from './catalog.js';
import { succeedCharge } from './confirm.js';
import { type ErrorCode, withDocUrl } from './errors.js';
import { findIntent } from './intents.js';
import { type ChargeObject, chargeFor as createCharge, type DisputeObject, newId, now } from './objects.js';
import { refund } from './refunds.js';
import type { State } from './state.js';
import type { RequestContext } from './webhooks.js';

export type Outcome = 'succeeded' | 'failed' | 'refunded' | 'disputed' | 'dispute_closed';
export interface AdvanceOptions {
  /** Failure code for 'failed' (default: the test account's, else `insufficient_funds`). */
  code?: ErrorCode;
  /** Refund amount for 'refunded' (default: what is left). */
  amount?: number;
  /** Dispute reason for 'disputed'. */
  reason?: Stripe.Dispute['reason'];
  /** Final status for 'dispute_closed' (default `lost`). */
  status?: 'won' | 'lost' | 'warning_closed';
}

const AUTOMATIC: RequestContext = { id: null, idempotencyKey: null };

/** DOMAIN.md §2.4: an ACH failure after `succeeded` becomes a dispute with one of these reasons. */
function lateFailureReason(code: ErrorCode | undefined): Stripe.Dispute['reason'] {
  if (code === 'insufficient_funds') return 'insufficient_funds';
  if (code === 'account_closed' || code === 'no_account' || code === 'account_number_invalid') {
    return 'incorrect_account_details';
  }
  return 'bank_cannot_process';
}

function chargeOf(state: State, intent: Stripe.PaymentIntent): ChargeObject {
  const charge = typeof intent.latest_charge === 'string' ? state.charges.get(intent.latest_charge) : undefined;
  if (!charge) throw new Error(`stripe-double: ${intent.id} has no charge (status ${intent.status})`);
  return charge;
}

function fail(
  state: State,
  intent: Stripe.PaymentIntent,
  bank: BankOutcome | undefined,
  options: AdvanceOptions,
): void {
  const method = state.intentMethods.get(intent.id)!;
  if (intent.status === 'requires_action') {
    intent.status = 'requires_payment_method';
    intent.next_action = null;
    intent.payment_method = null;
    intent.last_payment_error = {
      ...withDocUrl('payment_intent_authentication_failure'),
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      payment_method: method.object,
      type: 'invalid_request_error',
    };
    state.emit('payment_intent.payment_failed', intent, AUTOMATIC);
    return;
  }
  const charge = chargeOf(state, intent);
  const code = options.code ?? (bank?.kind === 'fails' ? bank.code : 'insufficient_funds');
  const message = bank?.kind === 'fails' && bank.code === code ? bank.message : `The payment failed (${code}).`;
  charge.status = 'failed';
  charge.failure_code = code;
  charge.failure_message = message;
  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.last_payment_error = {
    ...withDocUrl(code),
    message,
    payment_method: method.object,
    type: 'invalid_request_error',
  };
  state.emit('charge.failed', charge, AUTOMATIC);
  state.emit('payment_intent.payment_failed', intent, AUTOMATIC);
}

export function dispute(state: State, intent: Stripe.PaymentIntent, reason: Stripe.Dispute['reason']): DisputeObject {
  const charge = chargeOf(state, intent);
  if (charge.status !== 'succeeded')
    throw new Error(`stripe-double: ${charge.id} has not succeeded, nothing to dispute`);
  const ach = charge.payment_method_details.type === 'us_bank_account';
  const record: DisputeObject = {
    id: newId('du'),
    object: 'dispute',
    amount: charge.amount - charge.amount_refunded,
    charge: charge.id,
    created: now(),
    currency: charge.currency,
    livemode: false,
    payment_intent: intent.id,
    reason,
    // ACH disputes are final, there is nothing to respond to (DOMAIN.md §2.4).
    status: ach ? 'lost' : 'needs_response',
  };
  charge.disputed = true;
  state.disputes.set(record.id, record);
  state.emit('charge.dispute.created', record, AUTOMATIC);
  return record;
}

/** Moves an intent on as time and the banks would; see `StripeDouble.advance`. */
export function advance(
  state: State,
  id: string,
  outcome: Outcome | undefined,
  options: AdvanceOptions,
): Stripe.PaymentIntent {
  const intent = findIntent(state, id);
  const bank = state.intentMethods.get(id)?.bank;
  const next =
    outcome ?? (bank?.kind === 'fails' ? 'failed' : bank?.kind === 'stays_processing' ? undefined : 'succeeded');
  switch (next) {
    case undefined:
      return intent;
    case 'succeeded':
      if (intent.status === 'requires_action') {
        const charge = chargeFor(state, intent);
        succeedCharge(state, intent, charge, AUTOMATIC);
      } else if (intent.status === 'processing') {
        succeedCharge(state, intent, chargeOf(state, intent).id, AUTOMATIC);
      } else throw new Error(`stripe-double: cannot succeed ${id} from ${intent.status}`);
      if (!outcome && bank?.kind === 'disputed') dispute(state, intent, bank.reason);
      return intent;
    case 'failed':
      if (intent.status === 'succeeded' && bank) {
        dispute(state, intent, options.reason ?? lateFailureReason(options.code));
      } else if (intent.status === 'processing' || intent.status === 'requires_action') {
        fail(state, intent, bank, options);
      } else throw new Error(`stripe-double: cannot fail ${id} from ${intent.status}`);
      return intent;
    case 'refunded':
      refund(state, { payment_intent: id, ...(options.amount ? { amount: options.amount } : {}) }, AUTOMATIC);
      return intent;
    case 'disputed':
      dispute(state, intent, options.reason ?? (bank ? 'bank_cannot_process' : 'fraudulent'));
      return intent;
    case 'dispute_closed': {
      const open = [...state.disputes.values()].filter((d) => d.payment_intent === id);
      const last = open.at(-1);
      if (!last) throw new Error(`stripe-double: ${id} has no dispute to close`);
      last.status = options.status ?? 'lost';
      state.emit('charge.dispute.closed', last, AUTOMATIC);
      return intent;
    }
  }
}

function chargeFor(state: State, intent: Stripe.PaymentIntent): string {
  const method = state.intentMethods.get(intent.id)!;
  const charge = createCharge(intent, method.object);
  state.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  return charge.id;
}
