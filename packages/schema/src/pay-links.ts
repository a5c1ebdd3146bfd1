import * as z from 'zod/mini';
import { IdSchema, TimestampSchema } from './session.js';

/** A pay link holds its pinned invoice ids in its signed token, so their number is kept small. */
export const MAX_PINNED_INVOICES = 20;
export const DEFAULT_PAY_LINK_DAYS = 14;
export const MAX_PAY_LINK_DAYS = 90;

/** `POST /v1/pay-links`: a signed, expiring link for one customer, optionally pinned to invoices. */
export const CreatePayLinkRequestSchema = z.strictObject({
  customerId: IdSchema,
  /** Open invoices of this customer, in one currency, to preselect on the page. */
  invoiceIds: z.optional(z.array(IdSchema).check(z.minLength(1), z.maxLength(MAX_PINNED_INVOICES))),
  /** Whole days the link stays valid (default 14, at most 90). */
  expiresInDays: z.optional(z.int().check(z.gte(1), z.lte(MAX_PAY_LINK_DAYS))),
});
export type CreatePayLinkRequest = z.infer<typeof CreatePayLinkRequestSchema>;

export const PayLinkSchema = z.object({
  id: IdSchema,
  /** Open it in a browser: the hosted page for this customer, with the pinned invoices selected. */
  url: z.string(),
  customerId: IdSchema,
  invoiceIds: z.array(IdSchema),
  expiresAt: TimestampSchema,
  createdAt: TimestampSchema,
  /** When the merchant withdrew the link (`POST /v1/pay-links/:id/revoke`); a withdrawn link opens nothing. */
  revokedAt: z.nullable(TimestampSchema),
});
export type PayLink = z.infer<typeof PayLinkSchema>;

/** A link as Settle keeps it: everything but the URL, which is not stored. */
export const PayLinkRecordSchema = z.omit(PayLinkSchema, { url: true });
export type PayLinkRecord = z.infer<typeof PayLinkRecordSchema>;

export const PayLinkListSchema = z.object({ data: z.array(PayLinkRecordSchema) });
export type PayLinkList = z.infer<typeof PayLinkListSchema>;

/** What a payer did, in the order it happened; ids only, never card or bank details. */
export const PayerSignalKindSchema = z.enum([
  'session_opened',
  'invoice_viewed',
  'payment_started',
  'paid',
  'abandoned',
]);
export type PayerSignalKind = z.infer<typeof PayerSignalKindSchema>;

export const PayerSignalSchema = z.object({
  id: z.string(),
  kind: PayerSignalKindSchema,
  customerId: IdSchema,
  sessionId: IdSchema,
  /** The pay link the session was opened from, if any. */
  payLinkId: z.nullable(IdSchema),
  invoiceId: z.nullable(IdSchema),
  paymentId: z.nullable(IdSchema),
  at: TimestampSchema,
});
export type PayerSignal = z.infer<typeof PayerSignalSchema>;

export const ListSignalsQuerySchema = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});
export type ListSignalsQuery = z.infer<typeof ListSignalsQuerySchema>;

export const PayerSignalListSchema = z.object({
  data: z.array(PayerSignalSchema),
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.nullable(z.string()),
  /** For collectors: when the customer was last seen, and which invoices were looked at but not paid. */
  summary: z.object({
    lastSeenAt: z.nullable(TimestampSchema),
    lastPaidAt: z.nullable(TimestampSchema),
    viewedUnpaidInvoiceIds: z.array(IdSchema),
  }),
});
export type PayerSignalList = z.infer<typeof PayerSignalListSchema>;
