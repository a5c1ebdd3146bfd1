import * as z from 'zod/mini';
import { QuoteCreditSchema, QuoteLineSchema, QuoteSurchargeSchema } from './allocation.js';
import { CurrencySchema, MinorUnitsSchema } from './money.js';
import { CardFundingSchema, IdSchema, PaymentMethodTypeSchema, TimestampSchema } from './session.js';

/**
 * A payment only moves forward:
 * requires_confirmation -> [requires_action ->] processing -> succeeded -> (reversed | refunded | disputed)
 *                       \-> failed                            \-> failed
 * requires_confirmation | requires_action -> canceled;  disputed -> reversed (lost) | succeeded (won)
 * `requires_action`: the processor needs the payer (3-D Secure, bank microdeposits) before it can go on.
 */
export const PaymentStatusSchema = z.enum([
  'requires_confirmation',
  'requires_action',
  'processing',
  'succeeded',
  'failed',
  'canceled',
  'reversed',
  'refunded',
  'disputed',
]);
export type PaymentStatus = z.infer<typeof PaymentStatusSchema>;

export { IN_FLIGHT_STATUSES } from './payment-states.js';

/** The payment's write-back to the ERP: pending -> posted | parked; posted -> reversal_pending -> reversed. */
export const ErpStatusSchema = z.enum(['none', 'pending', 'posted', 'parked', 'reversal_pending', 'reversed']);
export type ErpStatus = z.infer<typeof ErpStatusSchema>;

/** What may be kept of a card or bank account: never the number. */
export const PaymentMethodSummarySchema = z.object({
  type: PaymentMethodTypeSchema,
  brand: z.nullable(z.string()),
  last4: z.string(),
  funding: z.nullable(CardFundingSchema),
  bankName: z.nullable(z.string()),
  accountHolderType: z.nullable(z.enum(['individual', 'company'])),
});
export type PaymentMethodSummary = z.infer<typeof PaymentMethodSummarySchema>;

export const PaymentFailureSchema = z.object({
  code: z.string(),
  /** A sentence for the payer that says what to do next. */
  message: z.string(),
  declineCode: z.nullable(z.string()),
});
export type PaymentFailure = z.infer<typeof PaymentFailureSchema>;

export const PaymentEventSchema = z.object({
  at: TimestampSchema,
  kind: z.enum(['status', 'erp']),
  from: z.nullable(z.string()),
  to: z.string(),
  cause: z.string(),
});
export type PaymentEvent = z.infer<typeof PaymentEventSchema>;

export const PaymentSchema = z.object({
  id: IdSchema,
  sessionId: IdSchema,
  customerId: IdSchema,
  status: PaymentStatusSchema,
  currency: CurrencySchema,
  method: PaymentMethodTypeSchema,
  /** What was charged: subtotal + surcharge. */
  amount: MinorUnitsSchema,
  invoiceTotal: MinorUnitsSchema,
  creditTotal: MinorUnitsSchema,
  onAccountAmount: MinorUnitsSchema,
  subtotal: MinorUnitsSchema,
  surcharge: QuoteSurchargeSchema,
  lines: z.array(QuoteLineSchema),
  credits: z.array(QuoteCreditSchema),
  paymentMethod: z.nullable(PaymentMethodSummarySchema),
  failure: z.nullable(PaymentFailureSchema),
  erpStatus: ErpStatusSchema,
  erpReference: z.nullable(z.string()),
  processor: z.object({ name: z.string(), intentId: z.nullable(z.string()) }),
  events: z.array(PaymentEventSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Payment = z.infer<typeof PaymentSchema>;

/**
 * What the payer's browser must do for a payment in `requires_action`, with the processor's SDK:
 * `use_stripe_sdk` and `verify_with_microdeposits` through `stripe.handleNextAction({ clientSecret })`,
 * `redirect_to_url` by sending the payer to `url`. Only the payer's own session sees it.
 */
export const NextActionSchema = z.object({
  type: z.enum(['use_stripe_sdk', 'verify_with_microdeposits', 'redirect_to_url']),
  clientSecret: z.string(),
  url: z.optional(z.string()),
});
export type NextAction = z.infer<typeof NextActionSchema>;

/** A payment as its payer's session sees it: the merchant's view plus what the payer must do next. */
export const SessionPaymentSchema = z.extend(PaymentSchema, {
  /** Present while the payment is `requires_action`, else null. */
  nextAction: z.nullable(NextActionSchema),
  /** A signed link to the receipt PDF once the payment is processing or succeeded; expires with the session. */
  receiptUrl: z.optional(z.nullable(z.string())),
});
export type SessionPayment = z.infer<typeof SessionPaymentSchema>;

export const PaymentListSchema = z.object({
  data: z.array(PaymentSchema),
  nextCursor: z.nullable(z.string()),
});
export type PaymentList = z.infer<typeof PaymentListSchema>;
