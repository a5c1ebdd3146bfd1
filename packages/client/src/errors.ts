import type { FieldIssue, Problem } from '@settle/schema';

/**
 * Codes the client gives to failures that never got an answer from Settle. An HTTP error
 * carries the server's own code instead (`ErrorCode` from @settle/schema).
 */
export const ClientErrorCode = {
  network: 'network_error',
  timeout: 'timeout',
  invalidResponse: 'invalid_response',
} as const;

/** The base of every error the Settle clients throw; `code` is stable, `message` is for people. */
export class SettleError extends Error {
  override name = 'SettleError';
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Settle answered with an error status; `problem` is its answer (or one made up from the status). */
export class SettleHttpError extends SettleError {
  override name = 'SettleHttpError';
  readonly status: number;
  readonly problem: Problem;
  /** Every bad field, e.g. `{ path: 'allocations.0.amount', code, message }`; empty when none. */
  readonly details: FieldIssue[];

  constructor(status: number, problem: Problem, options?: ErrorOptions) {
    super(problem.code, problem.message, options);
    this.status = status;
    this.problem = problem;
    this.details = problem.details ?? [];
  }

  /** The first message for each bad field, keyed by its dotted path: ready to show beside inputs. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const issue of this.details) errors[issue.path] ??= issue.message;
    return errors;
  }
}

/** The request never got an answer: offline, DNS, refused connection, CORS, or a dropped stream. */
export class SettleNetworkError extends SettleError {
  override name = 'SettleNetworkError';

  constructor(message: string, options?: ErrorOptions) {
    super(ClientErrorCode.network, message, options);
  }
}

/** No answer arrived within `timeout` milliseconds. */
export class SettleTimeoutError extends SettleError {
  override name = 'SettleTimeoutError';
  readonly timeout: number;

  constructor(message: string, timeout: number, options?: ErrorOptions) {
    super(ClientErrorCode.timeout, message, options);
    this.timeout = timeout;
  }
}

/**
 * Settle answered with a success status but a body the schema rejects: usually a client and a
 * server of different versions, or a proxy answering in Settle's place. `issues` name each field.
 */
export class SettleSchemaError extends SettleError {
  override name = 'SettleSchemaError';
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[], options?: ErrorOptions) {
    super(ClientErrorCode.invalidResponse, message, options);
    this.issues = issues;
  }
}

/** Why `verifyWebhook` refused a delivery: answer it with a 4xx and do not act on it. */
export const WebhookErrorCode = {
  /** The header or the body is not what Settle sends (no `t=`/`v1=`, not JSON, not an event). */
  malformed: 'webhook_malformed',
  /** No `v1` signature matches: a wrong secret, or a body changed on the way (parse it only after verifying). */
  badSignature: 'webhook_bad_signature',
  /** Signed longer ago than the tolerance allows: possibly a replay. */
  tooOld: 'webhook_too_old',
} as const;
export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/** A webhook delivery that failed verification; `code` says why. */
export class SettleWebhookError extends SettleError {
  override name = 'SettleWebhookError';
  declare readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

// The guards also accept a matching `name`, so an error thrown by another copy of this package
// (two bundles on one page) is still recognized, as ky's guards do (STYLE.md).
/** Every error class here is named `Settle…Error`: a pattern, so a new class needs no entry (and no bytes). */
const SETTLE_ERROR_NAME = /^Settle[A-Z]\w*Error$/;

function nameOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}

export function isSettleError(error: unknown): error is SettleError {
  return error instanceof SettleError || SETTLE_ERROR_NAME.test(String(nameOf(error)));
}

export function isSettleHttpError(error: unknown): error is SettleHttpError {
  return error instanceof SettleHttpError || nameOf(error) === 'SettleHttpError';
}

export function isSettleNetworkError(error: unknown): error is SettleNetworkError {
  return error instanceof SettleNetworkError || nameOf(error) === 'SettleNetworkError';
}

export function isSettleTimeoutError(error: unknown): error is SettleTimeoutError {
  return error instanceof SettleTimeoutError || nameOf(error) === 'SettleTimeoutError';
}

export function isSettleSchemaError(error: unknown): error is SettleSchemaError {
  return error instanceof SettleSchemaError || nameOf(error) === 'SettleSchemaError';
}

export function isSettleWebhookError(error: unknown): error is SettleWebhookError {
  return error instanceof SettleWebhookError || nameOf(error) === 'SettleWebhookError';
}
