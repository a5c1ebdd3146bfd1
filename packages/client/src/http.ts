import {
  ErrorCode,
  type FieldIssue,
  formatPath,
  type Problem,
  ProblemSchema,
  pathFor,
  type RouteDef,
} from '@settle/schema';
import ky, { isHTTPError, isTimeoutError, type SearchParamsOption } from 'ky';
import type * as z from 'zod/mini';
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

type BodyOf<R> = R extends { body: infer S extends z.ZodMiniType } ? z.input<S> : undefined;
type QueryOf<R> = R extends { query: infer S extends z.ZodMiniType } ? z.output<S> : undefined;
export type ResponseOf<R extends RouteDef> = z.output<R['response']>;

export interface Call<R extends RouteDef> extends CallOptions {
  params?: Record<string, string>;
  body?: BodyOf<R>;
  query?: QueryOf<R>;
  headers?: Record<string, string>;
}

export interface Http {
  /** Sends one request and returns its answer, parsed by the route's response schema. */
  request<R extends RouteDef>(route: R, call?: Call<R>): Promise<ResponseOf<R>>;
  /** Opens a server-sent-event route and yields each event's data, parsed; ends when the server closes it. */
  stream<R extends RouteDef>(route: R, call?: Call<R>): AsyncGenerator<ResponseOf<R>>;
}

// Statuses that say "try again later" rather than "this request is wrong". 500 is left out: it
// may come from a bug that a repeat would only hit again.
const RETRY_STATUSES = [408, 429, 502, 503, 504];

/** The one HTTP layer under both clients: auth, retries, error mapping and response parsing. */
export function createHttp(options: ClientOptions & { token: string }): Http {
  const timeout = options.timeout ?? 15_000;
  const retries = options.retry ?? 2;
  const custom = options.fetch;
  const api = ky.create({
    prefixUrl: options.apiUrl,
    timeout,
    headers: { authorization: `Bearer ${options.token}` },
    // Only a failure of fetch itself is a network error; a TypeError from anywhere else is a bug.
    fetch: async (input, init) => {
      try {
        return await (custom ?? globalThis.fetch)(input, init);
      } catch (error) {
        // Duck-typed: a runtime may swap the global Request (as @hono/node-server does), and ky's
        // retries send clones that are then no `instanceof Request`.
        const signal = typeof input === 'object' && 'signal' in input ? input.signal : init?.signal;
        if (signal?.aborted) throw error;
        throw new SettleNetworkError(`Could not reach Settle at ${options.apiUrl}`, { cause: error });
      }
    },
  });

  async function send<R extends RouteDef>(route: R, call: Call<R>, accept: string): Promise<Response> {
    const headers = { accept, ...call.headers };
    // A GET changes nothing, and a POST with an Idempotency-Key is answered once however often it
    // arrives; any other POST could act twice, so it is never repeated.
    const repeatable = route.method === 'GET' || new Headers(headers).has('idempotency-key');
    try {
      return await api(pathFor(route.path, call.params).slice(1), {
        method: route.method,
        json: call.body,
        searchParams: call.query as SearchParamsOption,
        headers,
        signal: call.signal,
        retry: {
          limit: repeatable ? retries : 0,
          methods: ['get', 'post'],
          statusCodes: RETRY_STATUSES,
          afterStatusCodes: [429, 503],
          maxRetryAfter: timeout,
          // The same key still being worked on elsewhere (a retry overtaking the first attempt):
          // asking again shortly returns that attempt's payment.
          shouldRetry: async ({ error }) =>
            isHTTPError(error) && error.response.status === 409
              ? (await codeOf(error.response)) === inFlight
              : undefined,
        },
      });
    } catch (error) {
      throw await toSettleError(error, timeout);
    }
  }

  async function request<R extends RouteDef>(route: R, call: Call<R> = {}): Promise<ResponseOf<R>> {
    const response = await send(route, call, 'application/json');
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw call.signal?.aborted
        ? error
        : new SettleNetworkError('The connection broke during the answer', { cause: error });
    }
    return parse(route, text);
  }

  async function* stream<R extends RouteDef>(route: R, call: Call<R> = {}): AsyncGenerator<ResponseOf<R>> {
    try {
      const response = await send(route, call, 'text/event-stream');
      if (!response.body) return;
      for await (const event of readSse(response.body, call.signal)) yield parse(route, event.data);
    } catch (error) {
      if (call.signal?.aborted) return;
      if (isSettleError(error)) throw error;
      throw new SettleNetworkError('The event stream broke', { cause: error });
    }
  }

  return { request, stream };
}

async function toSettleError(error: unknown, timeout: number): Promise<unknown> {
  if (isHTTPError(error)) {
    const { status, statusText } = error.response;
    return new SettleHttpError(status, await problemOf(error.response, statusText), { cause: error });
  }
  if (isTimeoutError(error)) {
    return new SettleTimeoutError(`Settle did not answer within ${timeout} ms`, timeout, { cause: error });
  }
  return error;
}

const inFlight = ErrorCode.idempotencyInFlight;

async function codeOf(response: Response): Promise<unknown> {
  try {
    return ((await response.clone().json()) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

const STATUS_CODES: Record<number, string> = {
  401: ErrorCode.unauthorized,
  404: ErrorCode.notFound,
  413: ErrorCode.payloadTooLarge,
  415: ErrorCode.unsupportedMediaType,
  422: ErrorCode.validation,
  500: ErrorCode.internal,
};

/** The error's Problem body, or one made from the status when a proxy or gateway answered instead. */
async function problemOf(response: Response, statusText: string): Promise<Problem> {
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(await response.text()));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON (an HTML error page, an empty body): fall through.
  }
  const status = response.status;
  return {
    code: STATUS_CODES[status] ?? `http_${status}`,
    message: `Settle answered ${status}${statusText ? ` ${statusText}` : ''}`,
  };
}

function parse<R extends RouteDef>(route: R, text: string): ResponseOf<R> {
  const where = `${route.method} ${route.path}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const issue = { path: '', code: 'invalid_json', message: 'Expected a JSON body' };
    throw new SettleSchemaError(`The answer to ${where} is not JSON`, [issue], { cause: error });
  }
  const result = route.response.safeParse(value);
  if (result.success) return result.data as ResponseOf<R>;
  const issues: FieldIssue[] = result.error.issues.map((i) => ({
    path: formatPath(i.path),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new SettleSchemaError(
    `The answer to ${where} does not match the schema: ${first?.path || '(body)'}: ${first?.message}${more}`,
    issues,
    { cause: result.error },
  );
}
