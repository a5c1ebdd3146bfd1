import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreatePaymentRequest } from '@settle/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { isSettleHttpError, isSettleNetworkError, isSettleSchemaError } from './errors.js';
import { createLeanSessionClient } from './lean.js';
import { createSessionClient, type SessionClientOptions } from './session-client.js';

// The same scenarios for both session clients: the lean one must fail, retry and reuse keys
// exactly as the validating one does. Only a malformed success answer is told apart differently.

const open: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

/** A throwaway HTTP server on loopback; `handle` gets the request's 0-based number. */
async function tiny(handle: (res: ServerResponse, n: number, req: IncomingMessage) => void) {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handle(res, requests.length - 1, req);
  });
  open.push(server);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
  res.end(text);
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (e: unknown) => e,
  );

const PAYMENT = {
  method: 'card',
  allocations: [{ invoiceId: 'inv_1', amount: 100 }],
  paymentMethodToken: 'tok',
} satisfies CreatePaymentRequest;

const clients = [
  ['validating', createSessionClient],
  ['lean', createLeanSessionClient],
] as const;

describe.each(clients)('%s session client', (_, create) => {
  const at = (apiUrl: string, options: Partial<SessionClientOptions> = {}) =>
    create({ apiUrl, clientToken: 'ct_x', ...options });

  it('throws SettleSchemaError when a success answer is not JSON (apiUrl points at a web page)', async () => {
    const server = await tiny((res) => send(res, 200, '<!doctype html><title>Shop</title>'));
    const error = await caught(at(server.url).getSession());
    expect(isSettleSchemaError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_response', issues: [{ code: 'invalid_json' }] });
    expect((error as Error).message).toContain('GET /v1/session');
  });

  it.each([['[]'], ['null'], ['"ok"'], ['42']])('throws SettleSchemaError for the JSON answer %s', async (body) => {
    const server = await tiny((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const error = await caught(at(server.url).getPayment('pay_1'));
    expect(isSettleSchemaError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_response' });
  });

  it('hands over a Problem with its field details, keeping only the wire fields', async () => {
    const details = [{ path: 'allocations.0.amount', code: 'too_big', message: 'Above the balance', hint: 'x' }];
    const server = await tiny((res) => send(res, 422, { code: 'validation_failed', message: 'Bad', details, at: 1 }));
    const error = await caught(at(server.url).createPayment(PAYMENT));
    if (!isSettleHttpError(error)) throw error;
    expect(error.problem).toStrictEqual({
      code: 'validation_failed',
      message: 'Bad',
      details: [{ path: 'allocations.0.amount', code: 'too_big', message: 'Above the balance' }],
    });
    expect(error.fieldErrors()).toEqual({ 'allocations.0.amount': 'Above the balance' });
    expect(server.requests).toHaveLength(1);
  });

  it('makes up a Problem from the status when the error body is not one', async () => {
    const bodies = [{ code: 'validation_failed', message: 'Bad', details: [{ path: 1 }] }, { message: 'no code' }];
    const server = await tiny((res, n) => send(res, 422, bodies[n] ?? '<h1>Unprocessable</h1>'));
    for (let n = 0; n < 3; n++) {
      const error = await caught(at(server.url).quote(PAYMENT));
      expect(error).toMatchObject({ status: 422, code: 'validation_failed', details: [] });
      expect((error as Error).message).toMatch(/^Settle answered 422/);
    }
  });

  it('retries creating a payment on 503 and on a dropped connection, with the same Idempotency-Key', async () => {
    const server = await tiny((res, n, req) => {
      if (n === 0) req.socket.destroy();
      else send(res, 503, { code: 'processor_unavailable', message: 'Retry' });
    });
    const error = await caught(at(server.url).createPayment(PAYMENT, { idempotencyKey: 'key-1' }));
    expect(error).toMatchObject({ name: 'SettleHttpError', status: 503, code: 'processor_unavailable' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['key-1', 'key-1', 'key-1']);
  });

  it('asks again while the key is in progress, but not after the total changed', async () => {
    const busy = await tiny((res) => send(res, 409, { code: 'idempotency_key_in_use', message: 'In progress' }));
    const error = await caught(at(busy.url).createPayment(PAYMENT));
    expect(error).toMatchObject({ status: 409, code: 'idempotency_key_in_use' });
    const keys = busy.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);

    const changed = await tiny((res) => send(res, 409, { code: 'total_changed', message: 'Now $1.03' }));
    expect(await caught(at(changed.url).createPayment(PAYMENT))).toMatchObject({ code: 'total_changed' });
    expect(changed.requests).toHaveLength(1);
  });

  it('never repeats a quote (a POST without a key), and repeats a GET after a 503', async () => {
    const server = await tiny((res, n) =>
      n < 2
        ? send(res, 503, { code: 'erp_unavailable', message: 'Later' })
        : send(res, 404, { code: 'not_found', message: 'No' }),
    );
    const client = at(`${server.url}/settle`);
    expect(await caught(client.quote(PAYMENT))).toMatchObject({ status: 503 });
    expect(await caught(client.getPayment('pay_1'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /settle/v1/session/quote',
      'GET /settle/v1/session/payments/pay_1',
      'GET /settle/v1/session/payments/pay_1',
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer ct_x');
  });

  it('gives up after `retry` retries with a SettleNetworkError when nothing answers', async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    const error = await caught(at('http://127.0.0.1:9', { fetch, retry: 1 }).getSession());
    expect(isSettleNetworkError(error)).toBe(true);
    expect(calls).toBe(2);
  });
});

describe('lean session client', () => {
  it('names the route and what it expected when an answer is JSON but not an object', async () => {
    const server = await tiny((res) => send(res, 200, []));
    const error = await caught(createLeanSessionClient({ apiUrl: server.url, clientToken: 'ct_x' }).getSession());
    expect(error).toMatchObject({
      name: 'SettleSchemaError',
      message: 'The answer to GET /v1/session is not an object',
      issues: [{ path: '', code: 'invalid_type', message: 'Expected an object' }],
    });
  });
});
