import type { IncomingMessage, ServerResponse } from 'node:http';
import { StripeDoubleError, type StripeErrorObject } from './errors.js';
import { type FormRecord, parseForm } from './form.js';
import { newId } from './objects.js';
import { ROUTES } from './routes.js';
import type { State } from './state.js';
import { checkObject } from './validate.js';

/** One request as the double saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The form parameters as parsed (strings, before type conversion). */
  params: FormRecord;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  requestId: string;
  status: number;
  /** True when the answer was a stored idempotent result. */
  replayed: boolean;
}

interface Stored {
  endpoint: string;
  params: string;
  status: number;
  body: string;
  requestId: string;
}

/** Parameters in a comparable form; `a[]=x` and `a[0]=x` are the same list to Stripe. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) {
      const record = value as Record<string, unknown>;
      return canonical(keys.sort((a, b) => Number(a) - Number(b)).map((key) => record[key]));
    }
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function mask(key: string): string {
  const prefix = /^(sk|pk|rk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function apiKeyOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1]!.trim();
  // Stripe also takes the key as the Basic auth user name (curl -u sk_test_...:).
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createHandler(state: State, secretKey: string, requests: RecordedRequest[]) {
  const stored = new Map<string, Stored>();

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stripe-double');
    const method = request.method ?? 'GET';
    const requestId = newId('req', 14);
    const idempotencyKey =
      method === 'POST' ? ((request.headers['idempotency-key'] as string | undefined) ?? null) : null;
    const stripeVersion = (request.headers['stripe-version'] as string | undefined) ?? null;
    const body = await readBody(request);
    let params: FormRecord = {};
    let replayed = false;

    const send = (status: number, payload: string, extra: Record<string, string> = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        'stripe-version': stripeVersion ?? state.apiVersion,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        ...extra,
      });
      response.end(payload);
      requests.push({ method, path: url.pathname, params, idempotencyKey, stripeVersion, requestId, status, replayed });
    };
    const fail = (status: number, error: StripeErrorObject) =>
      send(
        status,
        JSON.stringify(
          { error: { ...error, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } },
          null,
          2,
        ),
      );

    const key = apiKeyOf(request);
    if (!key) {
      return fail(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
    }
    if (key !== secretKey)
      return fail(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${mask(key)}` });
    if (stripeVersion && stripeVersion !== state.apiVersion) {
      return fail(400, {
        type: 'invalid_request_error',
        message: `Invalid Stripe API version: ${stripeVersion}. The Stripe double models only ${state.apiVersion}, the version the stripe SDK pins.`,
      });
    }
    if (idempotencyKey && idempotencyKey.length > 255) {
      return fail(400, {
        type: 'invalid_request_error',
        message: 'Idempotency keys can be at most 255 characters long.',
      });
    }
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) {
      return fail(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://docs.stripe.com/ or we can help at https://support.stripe.com/.`,
      });
    }
    const id = decodeURIComponent(route.pattern.exec(url.pathname)?.[1] ?? '');
    const endpoint = `${method} ${url.pathname}`;
    const storeKey = idempotencyKey ? `${key}\n${idempotencyKey}` : undefined;
    try {
      params = parseForm(method === 'GET' ? url.search.slice(1) : body);
      const previous = storeKey ? stored.get(storeKey) : undefined;
      if (previous) {
        if (previous.endpoint !== endpoint || previous.params !== canonical(params)) {
          const what =
            previous.endpoint !== endpoint
              ? `endpoint they were first used for ('${previous.endpoint}' vs '${endpoint}')`
              : 'same parameters they were first used with';
          return fail(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the ${what}. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          });
        }
        replayed = true;
        return send(previous.status, previous.body, {
          'idempotent-replayed': 'true',
          'original-request': previous.requestId,
        });
      }
      const valid = checkObject(route.spec, params);
      let status = 200;
      let payload: string;
      try {
        payload = JSON.stringify(route.run(state, valid, id, { id: requestId, idempotencyKey }), null, 2);
      } catch (error) {
        if (error instanceof StripeDoubleError && !error.storable) throw error;
        const known = error instanceof StripeDoubleError;
        status = known ? error.status : 500;
        const errorBody: StripeErrorObject = known
          ? error.body
          : { type: 'api_error', message: `stripe-double internal error: ${(error as Error).message}` };
        payload = JSON.stringify(
          { error: { ...errorBody, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } },
          null,
          2,
        );
      }
      // Stripe saves the result once the endpoint ran, errors (even 500s) included (DOMAIN.md §3).
      if (storeKey) stored.set(storeKey, { endpoint, params: canonical(params), status, body: payload, requestId });
      return send(status, payload);
    } catch (error) {
      if (error instanceof StripeDoubleError) return fail(error.status, error.body);
      return fail(500, { type: 'api_error', message: `stripe-double internal error: ${(error as Error).message}` });
    }
  };
}
