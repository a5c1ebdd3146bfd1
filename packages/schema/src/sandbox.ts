import * as z from 'zod/mini';
import { PaymentMethodSummarySchema } from './payment.js';

/**
 * The sandbox processor's tokenization call: the only request that ever carries a card or
 * bank number, sent by the sandbox's own fields straight to the sandbox, like Stripe.js does.
 * The server keeps only the summary (brand, last4, funding) of what it receives.
 */
export const SandboxCardInputSchema = z.strictObject({
  type: z.literal('card'),
  number: z.string().check(z.regex(/^[\d ]{12,23}$/, 'Expected a card number')),
  expMonth: z.int().check(z.gte(1), z.lte(12)),
  expYear: z.int().check(z.gte(2000), z.lte(2100)),
  cvc: z.string().check(z.regex(/^\d{3,4}$/, 'Expected a 3 or 4 digit security code')),
  /** Pay with the card through a wallet (Apple Pay, Google Pay). */
  wallet: z.optional(z.enum(['apple_pay', 'google_pay'])),
});

export const SandboxBankInputSchema = z.strictObject({
  type: z.literal('us_bank_account'),
  routingNumber: z.string().check(z.regex(/^\d{9}$/, 'Expected a 9 digit routing number')),
  accountNumber: z.string().check(z.regex(/^\d{4,17}$/, 'Expected an account number of 4 to 17 digits')),
  accountHolderName: z.string().check(z.minLength(1), z.maxLength(200)),
  accountHolderType: z.enum(['individual', 'company']),
});

export const SandboxTokenRequestSchema = z.discriminatedUnion('type', [SandboxCardInputSchema, SandboxBankInputSchema]);
export type SandboxTokenRequest = z.infer<typeof SandboxTokenRequestSchema>;

export const PaymentMethodTokenSchema = z.object({
  id: z.string(),
  summary: PaymentMethodSummarySchema,
});
export type PaymentMethodToken = z.infer<typeof PaymentMethodTokenSchema>;
