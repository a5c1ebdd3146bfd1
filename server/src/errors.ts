import { ErrorCode, type FieldIssue, type Problem } from '@settle/schema';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A typed HTTP error; the app's one onError turns it into the Problem wire shape. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldIssue[],
  ) {
    super(message);
  }

  toProblem(): Problem {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export const badRequest = (message: string, details?: FieldIssue[]) =>
  new ApiError(422, ErrorCode.validation, message, details);
export const unauthorized = (message: string) => new ApiError(401, ErrorCode.unauthorized, message);
export const notFound = (message: string) => new ApiError(404, ErrorCode.notFound, message);

const MAX_DETAILS = 100;

/** Summarizes field issues into one sentence that names the first few fields. */
export function validationError(issues: FieldIssue[], what = 'The request'): ApiError {
  const named = issues.slice(0, 3).map((i) => `${i.path || '(body)'}: ${i.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  // Enough to fix a request; a body with 10,000 bad lines does not get a 10,000-line answer.
  return badRequest(
    `${what} has ${issues.length === 1 ? 'a problem' : 'problems'}: ${named.join('; ')}${more}`,
    issues.slice(0, MAX_DETAILS),
  );
}

type Logger = Pick<Console, 'error'>;

/** The app's single error handler: known errors keep their shape, the rest become a bare 500. */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(err.toProblem(), err.status);
    if (err instanceof HTTPException) {
      const status = err.status;
      const code =
        status === 413 ? ErrorCode.payloadTooLarge : status === 401 ? ErrorCode.unauthorized : ErrorCode.validation;
      const message = status === 413 ? 'The request body is too large' : err.message || 'Bad request';
      return c.json({ code, message } satisfies Problem, status);
    }
    if ((err as { code?: unknown }).code === '55P03') {
      // lock_timeout: another payment of this customer held its lock too long.
      return c.json(
        {
          code: 'busy',
          message: 'Another payment for this customer is still being processed. Try again in a moment.',
        } satisfies Problem,
        503,
      );
    }
    log.error('unhandled error', err);
    return c.json(
      { code: ErrorCode.internal, message: 'Something went wrong on our side. Please try again.' } satisfies Problem,
      500,
    );
  };
}
