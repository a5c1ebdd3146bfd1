import * as z from 'zod/mini';
import { MAX_PAY_LINK_DAYS, MAX_PINNED_INVOICES } from './pay-links.js';
import { IdSchema, TimestampSchema } from './session.js';

/** The collector's own words in a reminder: a paragraph or two, not a letter. */
export const MAX_REMINDER_MESSAGE = 1000;

/**
 * `POST /v1/customers/:id/reminders`: emails the customer a past-due reminder carrying a pay
 * link pinned to the invoices it lists. Sent with an `Idempotency-Key` header.
 */
export const SendReminderRequestSchema = z.strictObject({
  /** Past-due open invoices of this customer, in one currency; default: all of them. */
  invoiceIds: z.optional(z.array(IdSchema).check(z.minLength(1), z.maxLength(MAX_PINNED_INVOICES))),
  /** Shown in the mail as written (as text, never as markup). */
  message: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_REMINDER_MESSAGE))),
  /** Whole days the mailed pay link stays valid (default 14, at most 90). */
  expiresInDays: z.optional(z.int().check(z.gte(1), z.lte(MAX_PAY_LINK_DAYS))),
});
export type SendReminderRequest = z.infer<typeof SendReminderRequestSchema>;

/** queued: the mail waits in the outbox; sent: the SMTP server took it; skipped: its invoices were paid first. */
export const ReminderStatusSchema = z.enum(['queued', 'sent', 'skipped']);
export type ReminderStatus = z.infer<typeof ReminderStatusSchema>;

export const ReminderSchema = z.object({
  id: IdSchema,
  customerId: IdSchema,
  /** The invoices the mail lists and its pay link preselects, in that order. */
  invoiceIds: z.array(IdSchema),
  payLink: z.object({ id: IdSchema, url: z.string(), expiresAt: TimestampSchema }),
  status: ReminderStatusSchema,
  createdAt: TimestampSchema,
});
export type Reminder = z.infer<typeof ReminderSchema>;

export const ReminderListSchema = z.object({ data: z.array(ReminderSchema) });
export type ReminderList = z.infer<typeof ReminderListSchema>;
