import type { FieldIssue, Problem } from './problem.js';

/**
 * The zod-free half of the Problem contract (problem.ts holds its schemas): the codes, the path
 * format, and a reader that a client without zod (the widget's) uses in place of ProblemSchema.
 */

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

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readIssue(value: unknown): FieldIssue | null {
  if (!isFields(value)) return null;
  const { path, code, message } = value;
  if (typeof path !== 'string' || typeof code !== 'string' || typeof message !== 'string') return null;
  return { path, code, message };
}

/**
 * A parsed JSON value as a Problem, or null when it is not one: what `ProblemSchema.safeParse`
 * gives, unknown keys dropped the same way, with a few `typeof` checks instead of zod.
 */
export function readProblem(value: unknown): Problem | null {
  if (!isFields(value)) return null;
  const { code, message, details } = value;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  if (details === undefined) return { code, message };
  if (!Array.isArray(details)) return null;
  const issues: FieldIssue[] = [];
  for (const item of details) {
    const issue = readIssue(item);
    if (!issue) return null;
    issues.push(issue);
  }
  return { code, message, details: issues };
}
