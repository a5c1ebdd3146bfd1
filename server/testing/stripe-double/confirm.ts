import type Stripe from 'stripe';
import { TEST_CARDS } from './catalog.js';
import { cardError, invalidParam, invalidRequest, resourceMissing, withDocUrl } from './errors.js';
import { findIntent, findMethod } from './intents.js';
import { chargeFor, type MethodRecord, newId } from './objects.js';
import type { State } from './state.js';
import type { Params } from './validate.js';
import type { RequestContext } from './webhooks.js';

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

type ConfirmInput = Pick<
  Stripe.PaymentIntentConfirmParams,
  | 'confirmation_token'
  | 'payment_method'
  | 'mandate_data'
  | 'return_url'
  | 'use_stripe_sdk'
  | 'error_on_requires_action'
  | 'receipt_email'
  | 'capture_method'
>;

function resolveMethod(
  state: State,
  intent: Stripe.PaymentIntent,
  p: ConfirmInput,
): { method: MethodRecord; token?: Stripe.ConfirmationToken } {
  if (p.confirmation_token && p.payment_method) {
    throw invalidParam(
      'You may only specify one of these parameters: confirmation_token, payment_method.',
      'confirmation_token',
      'parameters_exclusive',
    );
  }
  if (p.confirmation_token) {
    const token = state.tokens.get(p.confirmation_token);
    if (!token) throw resourceMissing('confirmationtoken', p.confirmation_token, 'confirmation_token');
    if (token.payment_intent || token.setup_intent) {
      throw invalidRequest('This ConfirmationToken has already been used to confirm a PaymentIntent or SetupIntent.', {
        code: 'token_already_used',
        param: 'confirmation_token',
      });
    }
    return { method: state.tokenMethods.get(token.id)!, token };
  }
  if (p.payment_method) return { method: findMethod(state, p.payment_method) };
  const existing = intent.payment_method ? state.intentMethods.get(intent.id) : undefined;
  if (existing) return { method: existing };
  throw invalidRequest(
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent " +
      'with a payment method and then confirm it again, or confirm it again directly with a payment method or ConfirmationToken.',
    { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
  );
}

/** Confirms `intent` (from create with `confirm=true` or `/confirm`) and applies the test method's outcome. */
export function confirm(
  state: State,
  intent: Stripe.PaymentIntent,
  raw: Params,
  context: RequestContext,
): Stripe.PaymentIntent {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const p = raw as unknown as ConfirmInput;
  if (!CONFIRMABLE.includes(intent.status)) {
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. ` +
        `Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
    );
  }
  const { method, token } = resolveMethod(state, intent, p);
  const type = method.object.type;
  if (!intent.payment_method_types.includes(type)) {
    throw invalidRequest(
      `The PaymentMethod provided (${type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${intent.payment_method_types.join(', ')}.`,
      { code: 'payment_intent_invalid_parameter', param: 'payment_method', payment_intent: structuredClone(intent) },
    );
  }
  const returnUrl = p.return_url ?? token?.return_url ?? undefined;
  const redirects =
    intent.automatic_payment_methods?.enabled && intent.automatic_payment_methods.allow_redirects !== 'never';
  if (redirects && !returnUrl) {
    throw invalidRequest(
      'This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page ' +
        'redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to ' +
        '`true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents. If you do ' +
        'want to accept redirect-based payment methods, set the `return_url` parameter when confirming a PaymentIntent.',
      { payment_intent: structuredClone(intent) },
    );
  }
  if (type === 'us_bank_account' && !p.mandate_data && !token?.mandate_data) {
    throw invalidRequest(
      'A mandate is required to confirm a PaymentIntent with a us_bank_account PaymentMethod: pass mandate_data[customer_acceptance].',
      { code: 'payment_intent_mandate_invalid', param: 'mandate_data', payment_intent: structuredClone(intent) },
    );
  }
  if (token) token.payment_intent = intent.id;
  if (p.receipt_email !== undefined) intent.receipt_email = p.receipt_email || null;
  if (p.capture_method) intent.capture_method = p.capture_method as Stripe.PaymentIntent.CaptureMethod;
  intent.payment_method = method.object.id;
  intent.last_payment_error = null;
  intent.next_action = null;
  state.intentMethods.set(intent.id, method);

  if (method.bank) {
    const charge = chargeFor(intent, method.object);
    state.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    intent.status = 'processing';
    state.emit('charge.pending', charge, context);
    state.emit('payment_intent.processing', intent, context);
    return intent;
  }
  const card = method.card ?? TEST_CARDS.pm_card_visa!;
  if (card.outcome.kind === 'requires_action' && !p.error_on_requires_action) {
    intent.status = 'requires_action';
    intent.next_action =
      p.use_stripe_sdk || !returnUrl
        ? { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', source: newId('src') } }
        : {
            type: 'redirect_to_url',
            redirect_to_url: { return_url: returnUrl, url: `https://hooks.stripe.invalid/3d_secure_2/${intent.id}` },
          };
    state.emit('payment_intent.requires_action', intent, context);
    return intent;
  }
  const charge = chargeFor(intent, method.object);
  state.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  const decline =
    card.outcome.kind === 'declines'
      ? card.outcome
      : card.outcome.kind === 'requires_action'
        ? {
            code: 'authentication_required' as const,
            declineCode: 'authentication_required',
            message: 'Your card was declined. This transaction requires authentication.',
          }
        : undefined;
  if (decline) {
    charge.status = 'failed';
    charge.failure_code = decline.code;
    charge.failure_message = decline.message;
    const error = {
      ...withDocUrl(decline.code),
      ...(decline.declineCode ? { decline_code: decline.declineCode } : {}),
      message: decline.message,
      charge: charge.id,
      payment_method: method.object,
      type: 'card_error' as const,
    };
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = error;
    state.emit('charge.failed', charge, context);
    state.emit('payment_intent.payment_failed', intent, context);
    throw cardError({ ...error, payment_intent: structuredClone(intent) });
  }
  succeedCharge(state, intent, charge.id, context);
  return intent;
}

/** Marks the intent's charge paid: succeeded, or requires_capture for manual capture. */
export function succeedCharge(
  state: State,
  intent: Stripe.PaymentIntent,
  chargeId: string,
  context: RequestContext,
): void {
  const charge = state.charges.get(chargeId)!;
  const manual = intent.capture_method === 'manual';
  charge.status = 'succeeded';
  charge.paid = true;
  charge.captured = !manual;
  charge.amount_captured = manual ? 0 : charge.amount;
  intent.status = manual ? 'requires_capture' : 'succeeded';
  intent.amount_received = manual ? 0 : intent.amount;
  intent.amount_capturable = manual ? intent.amount : 0;
  intent.next_action = null;
  state.emit('charge.succeeded', charge, context);
  state.emit(manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', intent, context);
}

export function confirmById(state: State, id: string, params: Params, context: RequestContext): Stripe.PaymentIntent {
  return confirm(state, findIntent(state, id), params, context);
}
