import type {
  CreatePaymentRequest,
  EndpointDef,
  PaymentMethodToken,
  Quote,
  QuoteRequest,
  Routes,
  SandboxTokenRequest,
  SessionPayment,
  SessionView,
} from '@settle/schema';
import { SettleTimeoutError } from './errors.js';
import type { Call, ResponseOf } from './http.js';
import type { CallOptions, ClientOptions, Transport } from './transport.js';

export interface SessionClientOptions extends ClientOptions {
  /** The session's short-lived `ct_...` token, minted by the merchant's backend. */
  clientToken: string;
}

export interface CreatePaymentOptions extends CallOptions {
  /**
   * Identifies this payment attempt: the same key with the same request returns the same
   * payment instead of charging again. Generated when omitted; pass your own to retry safely
   * after a call that failed (reuse it until the customer changes what they pay).
   */
  idempotencyKey?: string;
}

export interface CreatedPayment {
  payment: SessionPayment;
  /** The key the payment was created under (yours, or the generated one). */
  idempotencyKey: string;
}

export interface WaitOptions extends CallOptions {
  /** Give up with a SettleTimeoutError after this many milliseconds. Default 60 000. */
  timeoutMs?: number;
}

/** The browser's client: everything one customer's session may do, with its client token. */
export interface SessionClient {
  /** The customer, their open invoices and credits, and the merchant's rules. */
  getSession(options?: CallOptions): Promise<SessionView>;
  /** The server's authoritative totals for a proposal (with a token, its card's surcharge). */
  quote(request: QuoteRequest, options?: CallOptions): Promise<Quote>;
  /** Sandbox only: turns test card or bank details into a payment method token. */
  createPaymentMethodToken(input: SandboxTokenRequest, options?: CallOptions): Promise<PaymentMethodToken>;
  /** Creates and confirms a payment under an Idempotency-Key; retried on network errors with the same key. */
  createPayment(request: CreatePaymentRequest, options?: CreatePaymentOptions): Promise<CreatedPayment>;
  getPayment(id: string, options?: CallOptions): Promise<SessionPayment>;
  /**
   * The payment now and after each change, live. The server ends the stream once nothing more is
   * expected soon (a final status, posted to the ERP); aborting `signal` or `break` ends it too.
   */
  watchPayment(id: string, options?: CallOptions): AsyncGenerator<SessionPayment>;
  /** Watches until `predicate` holds, reconnecting if the stream ends first; resolves with that snapshot. */
  waitForPayment(
    id: string,
    predicate: (payment: SessionPayment) => boolean,
    options?: WaitOptions,
  ): Promise<SessionPayment>;
}

type SessionRouteName =
  | 'getSession'
  | 'quote'
  | 'createSandboxToken'
  | 'createPayment'
  | 'getSessionPayment'
  | 'watchSessionPayment';

/** The session's routes by name: `routes` (with schemas) for the validating client, `sessionEndpoints` for the trusting one. */
export type SessionRoutes<R extends EndpointDef> = Record<SessionRouteName, R>;

/**
 * The session client over any transport: both `createSessionClient` and `createLeanSessionClient`
 * are this, with a different decoder and route table. No zod here, so the lean one bundles none.
 * Calls and answers are typed by the routes' schemas whichever table is passed.
 */
export function sessionClientOver<R extends EndpointDef>(
  transport: Transport<R>,
  table: SessionRoutes<R>,
): SessionClient {
  const request = <N extends SessionRouteName>(name: N, call: Call<Routes[N]>) =>
    transport.request(table[name], call) as Promise<ResponseOf<Routes[N]>>;

  const watchPayment = (id: string, { signal }: CallOptions = {}) =>
    transport.stream(table.watchSessionPayment, { params: { id }, signal }) as AsyncGenerator<
      ResponseOf<Routes['watchSessionPayment']>
    >;

  return {
    getSession: ({ signal } = {}) => request('getSession', { signal }),
    quote: (body, { signal } = {}) => request('quote', { body, signal }),
    createPaymentMethodToken: (body, { signal } = {}) => request('createSandboxToken', { body, signal }),

    async createPayment(body, { idempotencyKey = newIdempotencyKey(), signal } = {}) {
      const headers = { 'idempotency-key': idempotencyKey };
      const payment = await request('createPayment', { body, headers, signal });
      return { payment, idempotencyKey };
    },

    getPayment: (id, { signal } = {}) => request('getSessionPayment', { params: { id }, signal }),
    watchPayment,

    async waitForPayment(id, predicate, { timeoutMs = 60_000, signal } = {}) {
      // A timer of our own, cleared on the way out, so a wait that is over leaves nothing pending.
      const stop = new AbortController();
      const abort = () => stop.abort();
      const timer = setTimeout(abort, timeoutMs);
      if (signal?.aborted) abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        // The server closes a stream once the payment has settled or after a few minutes; a later
        // change (an ACH return) is still possible, so look again, less and less often.
        for (let pause = 500; !stop.signal.aborted; pause = Math.min(pause * 2, 15_000)) {
          for await (const payment of watchPayment(id, { signal: stop.signal })) {
            if (predicate(payment)) return payment;
          }
          await sleep(pause, stop.signal);
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      }
      if (signal?.aborted) throw signal.reason;
      throw new SettleTimeoutError(`Payment ${id} did not reach the awaited state within ${timeoutMs} ms`, timeoutMs);
    },
  };
}

function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts; getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
