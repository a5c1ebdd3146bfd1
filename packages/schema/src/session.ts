import * as z from 'zod/mini';
import { SessionDocumentsSchema } from './documents.js';
import { CurrencySchema, MinorUnitsSchema, PositiveMinorUnitsSchema } from './money.js';

/** An identifier as the ERP or Settle spells it: printable, no spaces, at most 128 characters. */
export const IdSchema = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.:\-/#]+$/, 'Expected an id'));
/** A calendar date, YYYY-MM-DD. */
export const DateSchema = z.iso.date();
/** An instant, ISO 8601 with offset. */
export const TimestampSchema = z.iso.datetime({ offset: true });

export const PaymentMethodTypeSchema = z.enum(['card', 'ach_debit', 'wallet']);
export type PaymentMethodType = z.infer<typeof PaymentMethodTypeSchema>;
export const PAYMENT_METHOD_TYPES = PaymentMethodTypeSchema.options;

/** A card's funding type as the card network reports it (Stripe: card.funding). */
export const CardFundingSchema = z.enum(['credit', 'debit', 'prepaid', 'unknown']);
export type CardFunding = z.infer<typeof CardFundingSchema>;

export const ModeSchema = z.enum(['test', 'live']);
export type Mode = z.infer<typeof ModeSchema>;

/** A region as ISO 3166-2 ("US-NY") or a bare country ("US"). */
export const RegionSchema = z
  .string()
  .check(z.regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'Expected a region such as "US-NY"'));

export const CustomerSchema = z.object({
  id: IdSchema,
  name: z.string(),
  email: z.nullable(z.string()),
  currency: CurrencySchema,
  /** Where the customer is billed; surcharge rules can differ per region. */
  region: z.nullable(RegionSchema),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const InvoiceSchema = z.object({
  id: IdSchema,
  number: z.string(),
  issueDate: DateSchema,
  dueDate: DateSchema,
  currency: CurrencySchema,
  /** The invoice's original total. */
  amount: MinorUnitsSchema,
  /** What the ERP says is still owed. */
  openAmount: MinorUnitsSchema,
  /** Reserved by payments that are in flight (not yet failed, nor posted to the ERP). */
  pendingAmount: MinorUnitsSchema,
  documentUrl: z.nullable(z.string()),
  poNumber: z.nullable(z.string()),
});
export type Invoice = z.infer<typeof InvoiceSchema>;

export const CreditMemoSchema = z.object({
  id: IdSchema,
  number: z.string(),
  issueDate: DateSchema,
  currency: CurrencySchema,
  amount: MinorUnitsSchema,
  openAmount: MinorUnitsSchema,
  pendingAmount: MinorUnitsSchema,
  memo: z.nullable(z.string()),
});
export type CreditMemo = z.infer<typeof CreditMemoSchema>;

export const ReasonCodeSchema = z.object({
  code: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/)),
  label: z.string(),
  /** When true, a short payment with this reason needs a note. */
  requiresNote: z.boolean(),
  /** The merchant's own ERP code for this deduction reason. */
  erpCode: z.nullable(z.string()),
  /**
   * When true the unpaid rest stays open on the invoice (a partial payment, paid later);
   * otherwise it is recorded in the ERP as a deduction with this reason.
   */
  leavesOpen: z.boolean(),
});
export type ReasonCode = z.infer<typeof ReasonCodeSchema>;

export const MethodLimitSchema = z.object({
  min: z.optional(MinorUnitsSchema),
  max: z.optional(PositiveMinorUnitsSchema),
});
export type MethodLimit = z.infer<typeof MethodLimitSchema>;

const BasisPointsSchema = z.int().check(z.gte(0), z.lte(10_000));

export const SurchargeRegionRuleSchema = z.object({
  enabled: z.optional(z.boolean()),
  maxRateBps: z.optional(BasisPointsSchema),
});

/**
 * Card surcharge policy. Only credit cards are ever surcharged (never debit, prepaid or
 * unknown funding). The applied rate is the lowest of rateBps, maxRateBps and the region's
 * maxRateBps, and the amount is rounded down so it never exceeds the cap.
 */
export const SurchargeRuleSchema = z.object({
  enabled: z.boolean(),
  rateBps: BasisPointsSchema,
  /** The network cap (Visa 300 = 3%). */
  maxRateBps: BasisPointsSchema,
  /** An absolute cap per payment, if any. */
  maxAmount: z.nullable(MinorUnitsSchema),
  /** Per-region overrides keyed "US-CT" or "US": off where a state forbids it, lower caps. */
  regions: z.record(RegionSchema, SurchargeRegionRuleSchema),
});
export type SurchargeRule = z.infer<typeof SurchargeRuleSchema>;

export const MerchantRulesSchema = z.object({
  allowedMethods: z.array(PaymentMethodTypeSchema),
  methodLimits: z.object({
    card: z.optional(MethodLimitSchema),
    ach_debit: z.optional(MethodLimitSchema),
    wallet: z.optional(MethodLimitSchema),
  }),
  surcharge: SurchargeRuleSchema,
  /** Paying less than an invoice's balance (with a reason code). */
  allowPartialPayment: z.boolean(),
  /** Paying more than the selected invoices; the rest is left on account. */
  allowOverpayment: z.boolean(),
  reasonCodes: z.array(ReasonCodeSchema),
});
export type MerchantRules = z.infer<typeof MerchantRulesSchema>;

export const ProcessorInfoSchema = z.object({
  name: z.enum(['sandbox', 'stripe']),
  publishableKey: z.nullable(z.string()),
});

/** What GET /v1/session returns to the browser: one customer's items and the rules. */
export const SessionViewSchema = z.object({
  id: IdSchema,
  mode: ModeSchema,
  expiresAt: TimestampSchema,
  merchant: z.object({ name: z.string(), returnUrl: z.nullable(z.string()) }),
  customer: CustomerSchema,
  currency: CurrencySchema,
  invoices: z.array(InvoiceSchema),
  credits: z.array(CreditMemoSchema),
  preselectedInvoiceIds: z.array(IdSchema),
  rules: MerchantRulesSchema,
  processor: ProcessorInfoSchema,
  /** Signed links to the customer's statement; absent from servers that do not offer them. */
  documents: z.optional(SessionDocumentsSchema),
});
export type SessionView = z.infer<typeof SessionViewSchema>;

export const CreateSessionRequestSchema = z.strictObject({
  customerId: IdSchema,
  invoiceIds: z.optional(z.array(IdSchema).check(z.maxLength(1000))),
  /** Which of the customer's currencies to collect; defaults to the customer's own. */
  currency: z.optional(CurrencySchema),
  expiresInSeconds: z.optional(z.int().check(z.gte(60), z.lte(86_400))),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

export const CreateSessionResponseSchema = z.object({
  id: IdSchema,
  clientToken: z.string(),
  expiresAt: TimestampSchema,
  url: z.string(),
});
export type CreateSessionResponse = z.infer<typeof CreateSessionResponseSchema>;
