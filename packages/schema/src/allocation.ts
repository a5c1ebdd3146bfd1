import * as z from 'zod/mini';
import { CurrencySchema, MinorUnitsSchema, PositiveMinorUnitsSchema } from './money.js';
import { CardFundingSchema, IdSchema, PaymentMethodTypeSchema } from './session.js';

/**
 * Free text a person typed: no control characters (line breaks and tabs aside) and no lone
 * UTF-16 surrogates, which PostgreSQL's jsonb refuses.
 */
export const TextSchema = z
  .string()
  .check(z.maxLength(500), z.refine(isPlainText, 'Contains characters that are not allowed'));

function isPlainText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** Per invoice, how much of it this payment settles (credits plus money). */
export const AllocationInputSchema = z.strictObject({
  invoiceId: IdSchema,
  amount: PositiveMinorUnitsSchema,
  /** Required when amount is below the invoice's payable balance. */
  reasonCode: z.optional(z.string().check(z.maxLength(40))),
  note: z.optional(TextSchema),
});
export type AllocationInput = z.infer<typeof AllocationInputSchema>;

/** A credit memo applied to this payment; pinned to one invoice, or spread oldest-first. */
export const CreditApplicationInputSchema = z.strictObject({
  creditId: IdSchema,
  amount: PositiveMinorUnitsSchema,
  invoiceId: z.optional(IdSchema),
});
export type CreditApplicationInput = z.infer<typeof CreditApplicationInputSchema>;

/** What the customer proposes to pay. The same shape is quoted and then paid. */
export const PaymentProposalSchema = z.strictObject({
  method: PaymentMethodTypeSchema,
  allocations: z.array(AllocationInputSchema).check(z.minLength(1), z.maxLength(10_000)),
  credits: z.optional(z.array(CreditApplicationInputSchema).check(z.maxLength(1_000))),
  /** Money paid beyond the selected invoices, left on account (only if the merchant allows it). */
  onAccountAmount: z.optional(MinorUnitsSchema),
});
export type PaymentProposal = z.infer<typeof PaymentProposalSchema>;

export const QuoteLineSchema = z.object({
  invoiceId: IdSchema,
  invoiceNumber: z.string(),
  /** What could be paid on this invoice: ERP balance minus in-flight payments. */
  payableAmount: MinorUnitsSchema,
  amount: MinorUnitsSchema,
  creditApplied: MinorUnitsSchema,
  cashApplied: MinorUnitsSchema,
  /** payableAmount - amount: what this payment leaves unpaid on the invoice. */
  shortAmount: MinorUnitsSchema,
  /**
   * The part of shortAmount the ERP records as a deduction with the reason code, closing the
   * invoice; 0 when the reason leaves the rest open (a partial payment). The payment reserves,
   * and the posting takes off the invoice, amount + deductionAmount.
   */
  deductionAmount: MinorUnitsSchema,
  reasonCode: z.nullable(z.string()),
  note: z.nullable(z.string()),
});
export type QuoteLine = z.infer<typeof QuoteLineSchema>;

export const QuoteCreditSchema = z.object({
  creditId: IdSchema,
  creditNumber: z.string(),
  amount: MinorUnitsSchema,
  applications: z.array(z.object({ invoiceId: IdSchema, amount: MinorUnitsSchema })),
});
export type QuoteCredit = z.infer<typeof QuoteCreditSchema>;

export const SurchargeStatusSchema = z.enum([
  'applied',
  /** The method or the card's funding is never surcharged (ACH, debit, prepaid). */
  'not_applicable',
  /** A card was chosen but its funding is not known yet: a credit card would carry `rateBps`. */
  'unknown_funding',
  'disabled',
  /** The customer's region forbids surcharges. */
  'region_forbids',
]);

export const QuoteSurchargeSchema = z.object({
  status: SurchargeStatusSchema,
  /** The rate that applies, or would apply to a credit card. 0 when none. */
  rateBps: z.int(),
  amount: MinorUnitsSchema,
});
export type QuoteSurcharge = z.infer<typeof QuoteSurchargeSchema>;

export const MethodAvailabilitySchema = z.object({
  method: PaymentMethodTypeSchema,
  available: z.boolean(),
  /** Why not, for people: "Card payments are limited to $5,000.00". */
  reason: z.nullable(z.object({ code: z.string(), message: z.string(), limit: z.nullable(MinorUnitsSchema) })),
});
export type MethodAvailability = z.infer<typeof MethodAvailabilitySchema>;

export const QuoteSchema = z.object({
  currency: CurrencySchema,
  method: PaymentMethodTypeSchema,
  cardFunding: z.nullable(CardFundingSchema),
  lines: z.array(QuoteLineSchema),
  credits: z.array(QuoteCreditSchema),
  /** Sum of the lines' amounts. */
  invoiceTotal: MinorUnitsSchema,
  creditTotal: MinorUnitsSchema,
  onAccountAmount: MinorUnitsSchema,
  /** invoiceTotal - creditTotal + onAccountAmount: the money before any fee. */
  subtotal: MinorUnitsSchema,
  surcharge: QuoteSurchargeSchema,
  /** What is charged: subtotal + surcharge. */
  total: MinorUnitsSchema,
  methods: z.array(MethodAvailabilitySchema),
});
export type Quote = z.infer<typeof QuoteSchema>;

export const QuoteRequestSchema = z.strictObject({
  ...PaymentProposalSchema.shape,
  /** A processor token for the entered card or bank account; its funding decides the surcharge. */
  paymentMethodToken: z.optional(z.string().check(z.maxLength(255))),
});
export type QuoteRequest = z.infer<typeof QuoteRequestSchema>;

export const CreatePaymentRequestSchema = z.strictObject({
  ...PaymentProposalSchema.shape,
  paymentMethodToken: z.string().check(z.minLength(1), z.maxLength(255)),
  /** The total the customer saw; the payment is refused if the server's total differs. */
  expectedTotal: z.optional(MinorUnitsSchema),
});
export type CreatePaymentRequest = z.infer<typeof CreatePaymentRequestSchema>;
