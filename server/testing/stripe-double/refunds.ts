import type Stripe from 'stripe';
import { invalidParam, invalidRequest } from './errors.js';
import { findIntent } from './intents.js';
import { type ChargeObject, newId, now, type RefundObject } from './objects.js';
import type { State } from './state.js';
import type { Params } from './validate.js';
import type { RequestContext } from './webhooks.js';

/** `POST /v1/refunds`: card refunds succeed at once, ACH refunds stay pending (DOMAIN.md §2.3). */
export function refund(state: State, raw: Params, context: RequestContext): RefundObject {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const params = raw as unknown as Stripe.RefundCreateParams;
  if (!params.payment_intent && !params.charge) {
    throw invalidParam(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'payment_intent',
      'parameter_missing',
    );
  }
  const charge = params.charge
    ? state.charges.get(params.charge)
    : chargeOrUndefined(state, findIntent(state, params.payment_intent!));
  if (charge?.status !== 'succeeded') {
    throw invalidRequest(
      params.charge && !charge
        ? `No such charge: '${params.charge}'`
        : 'This PaymentIntent does not have a successful charge to refund.',
      {
        code: params.charge && !charge ? 'resource_missing' : 'charge_not_refundable',
        param: params.charge ? 'charge' : 'payment_intent',
      },
    );
  }
  if (charge.disputed) {
    throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, {
      code: 'charge_disputed',
    });
  }
  const left = charge.amount - charge.amount_refunded;
  if (left === 0)
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  const amount = params.amount ?? left;
  if (amount < 1) throw invalidParam('This value must be greater than or equal to 1.', 'amount');
  if (amount > left) {
    throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, {
      param: 'amount',
    });
  }
  const ach = charge.payment_method_details.type === 'us_bank_account';
  const record: RefundObject = {
    id: newId(ach ? 'pyr' : 're'),
    object: 'refund',
    amount,
    charge: charge.id,
    created: now(),
    currency: charge.currency,
    metadata: params.metadata
      ? (Object.fromEntries(Object.entries(params.metadata).filter(([, v]) => v !== '')) as Stripe.Metadata)
      : {},
    payment_intent: charge.payment_intent,
    reason: params.reason ?? null,
    // ACH refunds take days to settle (DOMAIN.md §2.3); card refunds in test mode succeed at once.
    status: ach ? 'pending' : 'succeeded',
  };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  state.refunds.set(record.id, record);
  state.emit('refund.created', record, context);
  state.emit('charge.refunded', charge, context);
  return record;
}

function chargeOrUndefined(state: State, intent: Stripe.PaymentIntent): ChargeObject | undefined {
  return typeof intent.latest_charge === 'string' ? state.charges.get(intent.latest_charge) : undefined;
}
