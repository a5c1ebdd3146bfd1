import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { type BankOutcome, TEST_BANK_NAME, type TestCard } from './catalog.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Stripe-looking id: prefix, underscore, 24 base62 characters. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** A payment method the double created, with what decides its outcome. */
export interface MethodRecord {
  object: Stripe.PaymentMethod;
  card?: TestCard;
  bank?: BankOutcome;
}

export interface BillingInput {
  name?: string;
  email?: string;
  phone?: string;
}

function billingDetails(input: BillingInput): Stripe.PaymentMethod.BillingDetails {
  return {
    address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    email: input.email || null,
    name: input.name || null,
    phone: input.phone || null,
    tax_id: null,
  };
}

export function cardMethod(card: TestCard, billing: BillingInput = {}): MethodRecord {
  const object: Stripe.PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(billing),
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country,
      display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: newId('fp', 16).slice(3),
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  return { object, card };
}

export interface BankInput {
  routingNumber: string;
  accountNumber: string;
  accountHolderType: 'individual' | 'company';
  accountType: 'checking' | 'savings';
  outcome: BankOutcome;
}

export function bankMethod(bank: BankInput, billing: BillingInput): MethodRecord {
  const object: Stripe.PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(billing),
    created: now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'us_bank_account',
    us_bank_account: {
      account_holder_type: bank.accountHolderType,
      account_type: bank.accountType,
      bank_name: TEST_BANK_NAME,
      financial_connections_account: null,
      fingerprint: newId('fp', 16).slice(3),
      last4: bank.accountNumber.slice(-4),
      networks: { preferred: 'ach', supported: ['ach'] },
      routing_number: bank.routingNumber,
      status_details: null,
    },
  };
  return { object, bank: bank.outcome };
}

export function confirmationToken(
  method: MethodRecord,
  params: { return_url?: string; setup_future_usage?: 'off_session' | 'on_session' },
): Stripe.ConfirmationToken {
  const pm = method.object;
  const created = now();
  return {
    id: newId('ctoken'),
    object: 'confirmation_token',
    created,
    expires_at: created + 12 * 60 * 60,
    livemode: false,
    mandate_data: null,
    metadata: null,
    payment_intent: null,
    payment_method_options: null,
    payment_method_preview: {
      allow_redisplay: 'unspecified',
      billing_details: pm.billing_details,
      customer: null,
      customer_account: null,
      type: pm.type,
      ...(pm.card ? { card: { ...pm.card, generated_from: null } } : {}),
      ...(pm.us_bank_account ? { us_bank_account: pm.us_bank_account } : {}),
    },
    return_url: params.return_url ?? null,
    setup_future_usage: params.setup_future_usage ?? null,
    setup_intent: null,
    shipping: null,
    use_stripe_sdk: true,
  };
}

/** The Charge fields the double keeps, each typed by the SDK's `Stripe.Charge`. */
export type ChargeObject = Pick<
  Stripe.Charge,
  | 'id'
  | 'object'
  | 'amount'
  | 'amount_captured'
  | 'amount_refunded'
  | 'captured'
  | 'created'
  | 'currency'
  | 'description'
  | 'disputed'
  | 'failure_code'
  | 'failure_message'
  | 'livemode'
  | 'metadata'
  | 'paid'
  | 'payment_intent'
  | 'payment_method'
  | 'receipt_email'
  | 'refunded'
  | 'status'
> & {
  payment_method_details: {
    type: string;
    card?: Pick<Stripe.Charge.PaymentMethodDetails.Card, 'brand' | 'country' | 'funding' | 'last4'>;
    us_bank_account?: Pick<
      Stripe.Charge.PaymentMethodDetails.UsBankAccount,
      'account_holder_type' | 'account_type' | 'bank_name' | 'last4' | 'routing_number'
    >;
  };
};

export function chargeFor(intent: Stripe.PaymentIntent, method: Stripe.PaymentMethod): ChargeObject {
  const card = method.card;
  const bank = method.us_bank_account;
  return {
    // ACH Direct Debit charges are `py_` objects at Stripe; card charges `ch_`.
    id: newId(bank ? 'py' : 'ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: 0,
    amount_refunded: 0,
    captured: false,
    created: now(),
    currency: intent.currency,
    description: intent.description,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { ...intent.metadata },
    paid: false,
    payment_intent: intent.id,
    payment_method: method.id,
    payment_method_details: {
      type: method.type,
      ...(card ? { card: { brand: card.brand, country: card.country, funding: card.funding, last4: card.last4 } } : {}),
      ...(bank
        ? {
            us_bank_account: {
              account_holder_type: bank.account_holder_type,
              account_type: bank.account_type,
              bank_name: bank.bank_name,
              last4: bank.last4,
              routing_number: bank.routing_number,
            },
          }
        : {}),
    },
    receipt_email: intent.receipt_email,
    refunded: false,
    status: 'pending',
  };
}

export type RefundObject = Pick<
  Stripe.Refund,
  'id' | 'object' | 'amount' | 'charge' | 'created' | 'currency' | 'metadata' | 'payment_intent' | 'reason' | 'status'
>;

export type DisputeObject = Pick<
  Stripe.Dispute,
  'id' | 'object' | 'amount' | 'charge' | 'created' | 'currency' | 'livemode' | 'payment_intent' | 'reason' | 'status'
>;
