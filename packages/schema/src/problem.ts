import * as z from 'zod/mini';

/** One bad field: `path` is dotted, e.g. "allocations.0.amount". */
export const FieldIssueSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** The one wire shape of every error Settle returns. */
export const ProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.optional(z.array(FieldIssueSchema)),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** Error codes with a fixed meaning across server, client and widget. */
export const ErrorCode = {
  validation: 'validation_failed',
  unauthorized: 'unauthorized',
  sessionExpired: 'session_expired',
  notFound: 'not_found',
  idempotencyMismatch: 'idempotency_key_reused',
  idempotencyRequired: 'idempotency_key_required',
  idempotencyInFlight: 'idempotency_key_in_use',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  invalidJson: 'invalid_json',
  totalChanged: 'total_changed',
  cardDeclined: 'card_declined',
  processorUnavailable: 'processor_unavailable',
  erpUnavailable: 'erp_unavailable',
  internal: 'internal_error',
} as const;

/** Turns a zod path into the dotted form used in FieldIssue.path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.');
}
