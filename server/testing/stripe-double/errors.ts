import type Stripe from 'stripe';

/** Error codes the double answers with, checked against the SDK's list of Stripe's codes. */
export type ErrorCode = Stripe.PaymentIntent.LastPaymentError.Code;
export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** The `error` member of a Stripe error response body. */
export interface StripeErrorObject {
  type: ErrorType;
  message: string;
  code?: ErrorCode;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
  payment_method?: Partial<Stripe.PaymentMethod>;
  request_log_url?: string;
}

/** A Stripe error with its HTTP status; thrown inside the double, written as `{ error }`. */
export class StripeDoubleError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorObject,
    /** Whether Stripe would store this result under the idempotency key (false for validation failures). */
    readonly storable = true,
  ) {
    super(body.message);
    this.name = 'StripeDoubleError';
  }
}

function docUrl(code: ErrorCode): string {
  return `https://docs.stripe.com/error-codes/${code.replaceAll('_', '-')}`;
}

/** 400 invalid_request_error from parameter validation; Stripe stores no idempotent result for these. */
export function invalidParam(message: string, param: string, code?: ErrorCode): StripeDoubleError {
  return new StripeDoubleError(
    400,
    { type: 'invalid_request_error', message, param, ...(code ? { code, doc_url: docUrl(code) } : {}) },
    false,
  );
}

/** 400 invalid_request_error raised while the endpoint runs (stored under the idempotency key). */
export function invalidRequest(
  message: string,
  extra: { code?: ErrorCode; param?: string; payment_intent?: Stripe.PaymentIntent } = {},
): StripeDoubleError {
  const { code, ...rest } = extra;
  return new StripeDoubleError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...rest,
  });
}

export function resourceMissing(kind: string, id: string, param?: string): StripeDoubleError {
  return new StripeDoubleError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${kind}: '${id}'`,
    ...(param ? { param } : {}),
  });
}

export function cardError(body: Omit<StripeErrorObject, 'type'> & { code: ErrorCode }): StripeDoubleError {
  return new StripeDoubleError(402, { type: 'card_error', doc_url: docUrl(body.code), ...body });
}

export function withDocUrl(code: ErrorCode): { code: ErrorCode; doc_url: string } {
  return { code, doc_url: docUrl(code) };
}
