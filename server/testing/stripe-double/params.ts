import type Stripe from 'stripe';
import {
  array,
  boolean,
  emptyable,
  integer,
  metadata,
  type ObjectSpec,
  object,
  oneOf,
  required,
  someOf,
  string,
  unmodelled,
} from './schema.js';

/**
 * The request parameters the double accepts, per endpoint. Top-level objects list every key of
 * the SDK's params type (`object<T>` fails tsc when the SDK adds or drops one); nested objects
 * the processor does not need are modelled in part (`someOf<T>`) or marked `unmodelled`.
 */

const paymentMethodTypes = ['card', 'us_bank_account', 'link'] as const;

const mandateData = emptyable(
  object<Stripe.PaymentIntentCreateParams.MandateData>({
    customer_acceptance: required(
      object<Stripe.PaymentIntentCreateParams.MandateData.CustomerAcceptance>({
        accepted_at: integer(),
        offline: object<Stripe.PaymentIntentCreateParams.MandateData.CustomerAcceptance.Offline>({}),
        online: object<Stripe.PaymentIntentCreateParams.MandateData.CustomerAcceptance.Online>({
          ip_address: required(string()),
          user_agent: required(string()),
        }),
        type: required(oneOf(['online', 'offline'])),
      }),
    ),
  }),
);

const paymentMethodOptions = someOf<Stripe.PaymentIntentCreateParams.PaymentMethodOptions>({
  card: emptyable(
    someOf<Stripe.PaymentIntentCreateParams.PaymentMethodOptions.Card>({
      request_three_d_secure: oneOf(['any', 'automatic', 'challenge']),
    }),
  ),
  us_bank_account: emptyable(
    someOf<Stripe.PaymentIntentCreateParams.PaymentMethodOptions.UsBankAccount>({
      verification_method: oneOf(['automatic', 'instant', 'microdeposits']),
      mandate_options: object<Stripe.PaymentIntentCreateParams.PaymentMethodOptions.UsBankAccount.MandateOptions>({
        collection_method: emptyable(oneOf(['paper'])),
      }),
      financial_connections:
        someOf<Stripe.PaymentIntentCreateParams.PaymentMethodOptions.UsBankAccount.FinancialConnections>({
          permissions: array(oneOf(['balances', 'ownership', 'payment_method', 'transactions'])),
          return_url: string({ format: 'url' }),
        }),
    }),
  ),
});

const shared = {
  allowed_payment_method_types: array(oneOf(paymentMethodTypes)),
  excluded_payment_method_types: unmodelled,
  capture_method: oneOf(['automatic', 'automatic_async', 'manual']),
  expand: array(string()),
  hooks: unmodelled,
  payment_details: unmodelled,
  payment_method: string(),
  payment_method_configuration: unmodelled,
  payment_method_data: unmodelled,
  payment_method_options: paymentMethodOptions,
  setup_future_usage: unmodelled,
  shipping: unmodelled,
} as const;

export const paymentIntentCreate = object<Stripe.PaymentIntentCreateParams>({
  ...shared,
  amount: required(integer()),
  currency: required(string()),
  amount_details: unmodelled,
  application_fee_amount: unmodelled,
  automatic_payment_methods: object<Stripe.PaymentIntentCreateParams.AutomaticPaymentMethods>({
    allow_redirects: oneOf(['always', 'never']),
    enabled: required(boolean()),
  }),
  confirm: boolean(),
  confirmation_method: oneOf(['automatic', 'manual']),
  confirmation_token: string(),
  customer: unmodelled,
  customer_account: unmodelled,
  description: string({ maxLength: 1000 }),
  error_on_requires_action: boolean(),
  mandate: unmodelled,
  mandate_data: mandateData,
  metadata: metadata(),
  off_session: unmodelled,
  on_behalf_of: unmodelled,
  radar_options: unmodelled,
  receipt_email: string({ format: 'email' }),
  return_url: string({ format: 'url' }),
  statement_descriptor: unmodelled,
  statement_descriptor_suffix: string({ maxLength: 22 }),
  transfer_data: unmodelled,
  transfer_group: unmodelled,
  use_stripe_sdk: boolean(),
});

export const paymentIntentUpdate = object<Stripe.PaymentIntentUpdateParams>({
  ...shared,
  amount: integer(),
  amount_details: unmodelled,
  application_fee_amount: unmodelled,
  currency: string(),
  customer: unmodelled,
  customer_account: unmodelled,
  description: string({ maxLength: 1000 }),
  metadata: emptyable(metadata()),
  receipt_email: emptyable(string({ format: 'email' })),
  statement_descriptor: unmodelled,
  statement_descriptor_suffix: string({ maxLength: 22 }),
  transfer_data: unmodelled,
  transfer_group: unmodelled,
});

export const paymentIntentConfirm = object<Stripe.PaymentIntentConfirmParams>({
  ...shared,
  amount_details: unmodelled,
  amount_to_confirm: unmodelled,
  confirmation_token: string(),
  error_on_requires_action: boolean(),
  mandate: unmodelled,
  mandate_data: mandateData,
  off_session: unmodelled,
  radar_options: unmodelled,
  receipt_email: emptyable(string({ format: 'email' })),
  return_url: string({ format: 'url' }),
  use_stripe_sdk: boolean(),
});

export const paymentIntentCancel = object<Stripe.PaymentIntentCancelParams>({
  cancellation_reason: oneOf(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']),
  expand: array(string()),
});

export const paymentIntentRetrieve = object<Stripe.PaymentIntentRetrieveParams>({
  client_secret: string(),
  expand: array(string()),
});

export const refundCreate = object<Stripe.RefundCreateParams>({
  amount: integer(),
  charge: string(),
  currency: unmodelled,
  customer: unmodelled,
  expand: array(string()),
  instructions_email: unmodelled,
  metadata: emptyable(metadata()),
  origin: unmodelled,
  payment_intent: string(),
  reason: oneOf(['duplicate', 'fraudulent', 'requested_by_customer']),
  refund_application_fee: unmodelled,
  reverse_transfer: unmodelled,
});

/** The test-helper params type is not re-exported by the SDK's namespace; take it from the method. */
type TokenParams = NonNullable<Parameters<Stripe['testHelpers']['confirmationTokens']['create']>[0]>;
type TokenPaymentMethodData = NonNullable<TokenParams['payment_method_data']>;

export const confirmationTokenCreate: ObjectSpec = object<TokenParams>({
  expand: array(string()),
  payment_method: string(),
  payment_method_data: someOf<TokenPaymentMethodData>({
    type: required(oneOf(['us_bank_account'])),
    allow_redisplay: oneOf(['always', 'limited', 'unspecified']),
    billing_details: someOf<NonNullable<TokenPaymentMethodData['billing_details']>>({
      email: emptyable(string({ format: 'email' })),
      name: emptyable(string()),
      phone: emptyable(string()),
    }),
    metadata: metadata(),
    us_bank_account: someOf<NonNullable<TokenPaymentMethodData['us_bank_account']>>({
      account_holder_type: oneOf(['company', 'individual']),
      account_number: string(),
      account_type: oneOf(['checking', 'savings']),
      routing_number: string(),
    }),
  }),
  payment_method_options: unmodelled,
  return_url: string({ format: 'url' }),
  setup_future_usage: oneOf(['off_session', 'on_session']),
  shipping: unmodelled,
});

export const confirmationTokenRetrieve = object<Stripe.ConfirmationTokenRetrieveParams>({
  expand: array(string()),
});
