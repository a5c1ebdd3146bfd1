import type Stripe from 'stripe';
import { TEST_CARDS } from './catalog.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { invalidParam, invalidRequest, resourceMissing } from './errors.js';
import { cardMethod, type MethodRecord, newId, now } from './objects.js';
import type { State } from './state.js';
import type { Params } from './validate.js';
import type { RequestContext } from './webhooks.js';

const UPDATABLE_AMOUNT = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action'];

export function findIntent(state: State, id: string): Stripe.PaymentIntent {
  const intent = state.intents.get(id);
  if (!intent) throw resourceMissing('payment_intent', id, 'intent');
  return intent;
}

/** A test PaymentMethod alias (`pm_card_visa`) becomes a new PaymentMethod, as at Stripe. */
export function findMethod(state: State, id: string, param = 'payment_method'): MethodRecord {
  const card = TEST_CARDS[id];
  if (card) {
    const record = cardMethod(card);
    state.methods.set(record.object.id, record);
    return record;
  }
  const record = state.methods.get(id);
  if (!record) throw resourceMissing('PaymentMethod', id, param);
  return record;
}

function methodTypes(state: State, currency: string, allowed: readonly string[] | undefined, param: string): string[] {
  const types = (allowed ?? state.enabledTypes).filter(
    (type) => state.enabledTypes.includes(type) && (type !== 'us_bank_account' || currency === 'usd'),
  );
  if (types.length === 0) {
    throw invalidParam(
      `None of the payment method types [${(allowed ?? []).join(', ')}] are activated for this account or compatible with the currency ${currency}.`,
      param,
    );
  }
  return types;
}

export function createIntent(state: State, raw: Params, context: RequestContext): Stripe.PaymentIntent {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const params = raw as unknown as Stripe.PaymentIntentCreateParams;
  const currency = checkCurrency(params.currency);
  checkAmount(params.amount, currency);
  const allowed = params.allowed_payment_method_types;
  const automatic = params.automatic_payment_methods;
  if (automatic?.enabled === false && !allowed) {
    throw invalidParam(
      'You must either enable automatic_payment_methods or provide allowed_payment_method_types.',
      'automatic_payment_methods[enabled]',
    );
  }
  if (params.confirmation_token && params.payment_method) {
    throw invalidParam(
      'You may only specify one of these parameters: confirmation_token, payment_method.',
      'confirmation_token',
      'parameters_exclusive',
    );
  }
  const id = newId('pi');
  const intent: Stripe.PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: (allowed as Stripe.PaymentIntent.AllowedPaymentMethodType[] | undefined) ?? null,
    amount: params.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: automatic?.enabled
      ? { enabled: true, allow_redirects: automatic.allow_redirects ?? 'always' }
      : allowed
        ? null
        : { enabled: true, allow_redirects: 'always' },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: params.capture_method ?? 'automatic_async',
    client_secret: `${id}_secret_${newId('x').slice(2)}`,
    confirmation_method: params.confirmation_method ?? 'automatic',
    created: now(),
    currency,
    customer: null,
    customer_account: null,
    description: params.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: Object.fromEntries(
      Object.entries(params.metadata ?? {}).filter(([, value]) => value !== ''),
    ) as Stripe.Metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: methodTypes(state, currency, allowed, 'allowed_payment_method_types'),
    payment_record: null,
    processing: null,
    receipt_email: params.receipt_email ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: params.statement_descriptor_suffix ?? null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
  if (params.payment_method) {
    const method = findMethod(state, params.payment_method);
    intent.payment_method = method.object.id;
    intent.status = 'requires_confirmation';
    state.intentMethods.set(id, method);
  }
  state.intents.set(id, intent);
  state.emit('payment_intent.created', intent, context);
  return intent;
}

export function updateIntent(state: State, id: string, raw: Params): Stripe.PaymentIntent {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const params = raw as unknown as Stripe.PaymentIntentUpdateParams;
  const intent = findIntent(state, id);
  const changesAmount = params.amount !== undefined || params.currency !== undefined;
  if (changesAmount && !UPDATABLE_AMOUNT.includes(intent.status)) {
    throw invalidRequest(
      `This PaymentIntent's amount could not be updated because it has a status of ${intent.status}. ` +
        `You may only update the amount of a PaymentIntent with one of the following statuses: ${UPDATABLE_AMOUNT.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', param: 'amount', payment_intent: structuredClone(intent) },
    );
  }
  const currency = params.currency !== undefined ? checkCurrency(params.currency) : intent.currency;
  const amount = params.amount ?? intent.amount;
  if (changesAmount) checkAmount(amount, currency);
  const allowed = params.allowed_payment_method_types;
  if (allowed || params.currency !== undefined) {
    intent.payment_method_types = methodTypes(
      state,
      currency,
      allowed ?? intent.allowed_payment_method_types ?? undefined,
      'allowed_payment_method_types',
    );
    if (allowed) intent.allowed_payment_method_types = allowed as Stripe.PaymentIntent.AllowedPaymentMethodType[];
  }
  intent.amount = amount;
  intent.currency = currency;
  if (params.metadata === '') intent.metadata = {};
  else if (params.metadata) {
    for (const [key, value] of Object.entries(params.metadata)) {
      if (value === '' || value === null) delete intent.metadata[key];
      else intent.metadata[key] = String(value);
    }
  }
  if (params.description !== undefined) intent.description = params.description || null;
  if (params.receipt_email !== undefined) intent.receipt_email = params.receipt_email || null;
  if (params.statement_descriptor_suffix !== undefined)
    intent.statement_descriptor_suffix = params.statement_descriptor_suffix;
  if (params.capture_method !== undefined)
    intent.capture_method = params.capture_method as Stripe.PaymentIntent.CaptureMethod;
  if (params.payment_method !== undefined) {
    const method = findMethod(state, params.payment_method);
    intent.payment_method = method.object.id;
    state.intentMethods.set(id, method);
    if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
  }
  return intent;
}

export function cancelIntent(state: State, id: string, raw: Params, context: RequestContext): Stripe.PaymentIntent {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const params = raw as unknown as Stripe.PaymentIntentCancelParams;
  const intent = findIntent(state, id);
  if (!CANCELABLE.includes(intent.status)) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. ` +
        `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
    );
  }
  intent.status = 'canceled';
  intent.canceled_at = now();
  intent.cancellation_reason = params.cancellation_reason ?? null;
  intent.next_action = null;
  intent.amount_capturable = 0;
  state.emit('payment_intent.canceled', intent, context);
  return intent;
}
