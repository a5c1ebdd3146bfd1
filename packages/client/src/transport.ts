import type { EndpointDef, ErrorCode, Problem } from '@settle/schema';
import { pathFor, readProblem } from '@settle/schema';
import { isSettleError, SettleHttpError, SettleNetworkError, SettleSchemaError, SettleTimeoutError } from './errors.js';
import { readSse } from './sse.js';

/** What both clients accept besides their credential. */
export interface ClientOptions {
  /** Settle's base URL, e.g. `https://pay.example.com`; a path prefix is kept. */
  apiUrl: string;
  /** A Fetch API implementation to use instead of the global `fetch` (tests, edge runtimes, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Milliseconds to wait for an answer's headers, per attempt. Default 15 000. */
  timeout?: number;
  /** How many times a request that is safe to repeat is retried. Default 2; 0 turns retries off. */
  retry?: number;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason (a watch just ends). */
  signal?: AbortSignal;
}

/** One request as the transport sends it, before any route's types narrow it. */
export interface RawCall extends CallOptions {
  params?: Record<string, string>;
  body?: unknown;
  /** Appended to the path as is, `?` included: the validating client's encoded `query` (http.ts). */
  search?: string;
  headers?: Record<string, string>;
}

/**
 * Turns a success answer's parsed JSON into the route's value, or throws a SettleSchemaError.
 * The validating clients pass the route's zod schema here; the widget's trusting client, a
 * shape check of its own. It is the only part of the transport that may know about zod.
 */
export type Decode<R extends EndpointDef> = (route: R, value: unknown) => unknown;

export interface Transport<R extends EndpointDef> {
  /** Sends one request and returns its answer, decoded. */
  request(route: R, call?: RawCall): Promise<unknown>;
  /** Opens a server-sent-event route and yields each event's data, decoded; ends when the server closes it. */
  stream(route: R, call?: RawCall): AsyncGenerator<unknown>;
  /**
   * Sends one request with auth, timeout, retries and error mapping, and resolves to the successful
   * Response unread: for a file (a PDF, a CSV), which the merchant client's downloads read as bytes.
   */
  send(route: R, call: RawCall, accept: string): Promise<Response>;
}

/**
 * `ErrorCode` values are written out in this file, each checked against its name, so that a bundle of
 * the client does not carry the whole `ErrorCode` table for these few.
 */
type Code<K extends keyof typeof ErrorCode> = (typeof ErrorCode)[K];

// Statuses that say "try again later" rather than "this request is wrong". 500 is left out: it
// may come from a bug that a repeat would only hit again.
const RETRY_STATUSES = [408, 429, 502, 503, 504];
const BACKOFF_MS = 300;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * The one HTTP layer under every client: auth, timeouts, retries, error mapping and JSON, on the
 * platform's fetch; `decode` does the rest. Not ky: the browser client ships inside the widget's
 * 20 KB budget, where ky would take 4.3 KB for what these few lines do (docs/decisions/0004).
 * No zod here, so the widget's trusting client bundles none (docs/decisions/0006).
 */
export function createTransport<R extends EndpointDef>(
  options: ClientOptions & { token: string },
  decode: Decode<R>,
): Transport<R> {
  const timeout = options.timeout ?? 15_000;
  const retries = options.retry ?? 2;
  const base = options.apiUrl.replace(/\/+$/, '');

  /** One attempt: the timeout covers the wait for the answer's headers, not a stream's life. */
  async function attempt(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      return await (options.fetch ?? globalThis.fetch)(url, { ...init, signal: controller.signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (timedOut)
        throw new SettleTimeoutError(`Settle did not answer within ${timeout} ms`, timeout, { cause: error });
      throw new SettleNetworkError(`Could not reach Settle at ${options.apiUrl}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function send(route: R, call: RawCall, accept: string): Promise<Response> {
    const headers = new Headers({ accept, authorization: `Bearer ${options.token}`, ...call.headers });
    const url = base + pathFor(route.path, call.params) + (call.search ?? '');
    const init: RequestInit = { method: route.method, headers };
    if (call.body !== undefined) {
      headers.set('content-type', 'application/json');
      init.body = JSON.stringify(call.body);
    }
    // A GET changes nothing, and a POST with an Idempotency-Key is answered once however often it
    // arrives; any other POST could act twice, so it is never repeated.
    const repeatable = route.method === 'GET' || headers.has('idempotency-key');
    for (let n = 0; ; n++) {
      const last = !repeatable || n >= retries;
      let response: Response;
      try {
        response = await attempt(url, init, call.signal);
      } catch (error) {
        // Timeouts are not retried: the server may still be working on the first attempt.
        if (last || !(error instanceof SettleNetworkError)) throw error;
        await sleep(BACKOFF_MS * 2 ** n, call.signal);
        continue;
      }
      if (response.ok) return response;
      const problem = await problemOf(response);
      // The same key still being worked on elsewhere: asking again shortly returns that attempt's payment.
      const again =
        RETRY_STATUSES.includes(response.status) ||
        (response.status === 409 && problem.code === ('idempotency_key_in_use' satisfies Code<'idempotencyInFlight'>));
      if (last || !again) throw new SettleHttpError(response.status, problem);
      const after = Number(response.headers.get('retry-after'));
      await sleep(after > 0 ? Math.min(after * 1000, timeout) : BACKOFF_MS * 2 ** n, call.signal);
    }
  }

  const decodeText = (route: R, text: string) => decode(route, parseJson(route, text));

  async function request(route: R, call: RawCall = {}): Promise<unknown> {
    const response = await send(route, call, 'application/json');
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw call.signal?.aborted
        ? error
        : new SettleNetworkError('The connection broke during the answer', { cause: error });
    }
    return decodeText(route, text);
  }

  async function* stream(route: R, call: RawCall = {}): AsyncGenerator<unknown> {
    try {
      const response = await send(route, call, 'text/event-stream');
      if (!response.body) return;
      for await (const event of readSse(response.body, call.signal)) yield decodeText(route, event.data);
    } catch (error) {
      if (call.signal?.aborted) return;
      if (isSettleError(error)) throw error;
      throw new SettleNetworkError('The event stream broke', { cause: error });
    }
  }

  return { request, stream, send };
}

const STATUS_CODES: Record<number, string> = {
  401: 'unauthorized' satisfies Code<'unauthorized'>,
  404: 'not_found' satisfies Code<'notFound'>,
  413: 'payload_too_large' satisfies Code<'payloadTooLarge'>,
  415: 'unsupported_media_type' satisfies Code<'unsupportedMediaType'>,
  422: 'validation_failed' satisfies Code<'validation'>,
  500: 'internal_error' satisfies Code<'internal'>,
};

/**
 * The error's Problem body, or one made from the status when a proxy or gateway answered instead.
 * Read without zod (readProblem gives what ProblemSchema would), so every client shares it.
 */
async function problemOf(response: Response): Promise<Problem> {
  try {
    const problem = readProblem(JSON.parse(await response.text()));
    if (problem) return problem;
  } catch {
    // Not JSON (an HTML error page, an empty body): fall through.
  }
  const { status, statusText } = response;
  return {
    code: STATUS_CODES[status] ?? `http_${status}`,
    message: `Settle answered ${status}${statusText ? ` ${statusText}` : ''}`,
  };
}

function parseJson(route: EndpointDef, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const issue = { path: '', code: 'invalid_json', message: 'Expected a JSON body' };
    throw new SettleSchemaError(`The answer to ${route.method} ${route.path} is not JSON`, [issue], {
      cause: error,
    });
  }
}
