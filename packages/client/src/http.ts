import { type FieldIssue, formatPath, type RouteDef } from '@settle/schema';
import type * as z from 'zod/mini';
import { SettleSchemaError } from './errors.js';
import { type CallOptions, type ClientOptions, createTransport, type RawCall } from './transport.js';

export type { CallOptions, ClientOptions };

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
  /** Sends one request for a file (a PDF, a CSV) and returns the successful Response unread. */
  download<R extends RouteDef>(route: R, accept: string, call?: Call<R>): Promise<Response>;
}

/** The validating HTTP layer: the shared transport, each answer parsed by its route's response schema. */
export function createHttp(options: ClientOptions & { token: string }): Http {
  const transport = createTransport(options, validate);
  return {
    // What validate returns is the schema's output for that route: the casts only name it.
    request: <R extends RouteDef>(route: R, call?: Call<R>) =>
      transport.request(route, withSearch(call)) as Promise<ResponseOf<R>>,
    stream: <R extends RouteDef>(route: R, call?: Call<R>) =>
      transport.stream(route, withSearch(call)) as AsyncGenerator<ResponseOf<R>>,
    download: (route, accept, call) => transport.send(route, withSearch(call) ?? {}, accept),
  };
}

/**
 * The call with its `query` as a query string, keys without a value left out. Done here, not in the
 * transport, as only the merchant's routes take a query: the session clients carry none of this.
 */
function withSearch<R extends RouteDef>(call?: Call<R>): RawCall | undefined {
  const query = Object.entries((call?.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return query.length
    ? { ...call, search: `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}` }
    : call;
}

/** Parses an answer with the route's response schema; a mismatch names every bad field. */
export function validate(route: RouteDef, value: unknown): unknown {
  const result = route.response.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((i) => ({
    path: formatPath(i.path),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new SettleSchemaError(
    `The answer to ${route.method} ${route.path} does not match the schema: ${first?.path || '(body)'}: ${first?.message}${more}`,
    issues,
    { cause: result.error },
  );
}
