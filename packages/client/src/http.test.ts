import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreatePaymentRequest } from '@settle/schema';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isSettleHttpError,
  isSettleNetworkError,
  isSettleSchemaError,
  isSettleTimeoutError,
  SettleNetworkError,
} from './errors.js';
import { createMerchantClient } from './merchant-client.js';
import { createSessionClient } from './session-client.js';

interface Tiny {
  url: string;
  requests: IncomingMessage[];
}

const open: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

/** A throwaway HTTP server on loopback; `handle` gets the request's 0-based number. */
async function tiny(handle: (res: ServerResponse, n: number, req: IncomingMessage) => void): Promise<Tiny> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handle(res, requests.length - 1, req);
  });
  open.push(server);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (e: unknown) => e,
  );
const merchantAt = (apiUrl: string, options: { timeout?: number; retry?: number } = {}) =>
  createMerchantClient({ apiUrl, secretKey: 'sk_test_x', ...options });
const PAYMENT = {
  method: 'card',
  allocations: [{ invoiceId: 'inv_1', amount: 100 }],
  paymentMethodToken: 'tok',
} satisfies CreatePaymentRequest;

describe('errors and retries against tiny HTTP servers', () => {
  it('tries a GET three times when nothing listens, then throws SettleNetworkError', async () => {
    const { url } = await tiny(() => {});
    const stopped = open.pop();
    await new Promise((done) => stopped?.close(done));
    let calls = 0;
    const fetch: typeof globalThis.fetch = (input, init) => {
      calls++;
      return globalThis.fetch(input, init);
    };
    const error = await caught(createMerchantClient({ apiUrl: url, secretKey: 'sk_x', fetch }).listCustomers());
    expect(error).toBeInstanceOf(SettleNetworkError);
    expect(isSettleHttpError(error)).toBe(false);
    expect(error).toMatchObject({ code: 'network_error' });
    expect(calls).toBe(3);
  });

  it('throws SettleTimeoutError when the answer is slower than `timeout`, without retrying', async () => {
    const server = await tiny((res) => setTimeout(() => send(res, 200, { data: [] }), 2_000));
    const started = Date.now();
    const error = await caught(merchantAt(server.url, { timeout: 150 }).listCustomers());
    expect(isSettleTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'timeout', timeout: 150 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(1);
  });

  it('throws SettleSchemaError naming the fields when a success answer has the wrong shape', async () => {
    const server = await tiny((res) => send(res, 200, { data: [{ id: 'cus_1', name: 'Acme' }] }));
    const error = await caught(merchantAt(server.url).listCustomers());
    expect(isSettleSchemaError(error)).toBe(true);
    if (!isSettleSchemaError(error)) throw error;
    expect(error.code).toBe('invalid_response');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['data.0.email', 'data.0.currency']));
  });

  it('throws SettleSchemaError when a success answer is not JSON (e.g. apiUrl points at a web page)', async () => {
    const server = await tiny((res) => send(res, 200, '<!doctype html><title>Shop</title>', 'text/html'));
    const error = await caught(merchantAt(server.url).listCustomers());
    expect(error).toMatchObject({ name: 'SettleSchemaError', issues: [{ code: 'invalid_json' }] });
  });

  it('keeps the status and makes up a Problem when an error answer is not one (a gateway page)', async () => {
    const server = await tiny((res) => send(res, 502, '<h1>Bad Gateway</h1>', 'text/html'));
    const error = await caught(merchantAt(server.url, { retry: 0 }).listCustomers());
    expect(isSettleHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 502, code: 'http_502', details: [] });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a GET answered 503, and keeps the path prefix of apiUrl', async () => {
    const server = await tiny((res, n) =>
      n === 0 ? send(res, 503, { code: 'erp_unavailable', message: 'Try again' }) : send(res, 200, { data: [] }),
    );
    expect(await merchantAt(`${server.url}/settle`).listCustomers()).toEqual({ data: [] });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /settle/v1/customers',
      'GET /settle/v1/customers',
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk_test_x');
  });

  it('does not retry a POST without an Idempotency-Key', async () => {
    const server = await tiny((res) => send(res, 503, { code: 'erp_unavailable', message: 'Try again' }));
    const error = await caught(merchantAt(server.url).createSession({ customerId: 'cus_acme' }));
    expect(error).toMatchObject({ name: 'SettleHttpError', status: 503, code: 'erp_unavailable' });
    expect(server.requests).toHaveLength(1);
  });

  it('retries creating a payment, sending the same Idempotency-Key each time', async () => {
    const server = await tiny((res) => send(res, 503, { code: 'processor_unavailable', message: 'Retry' }));
    const client = createSessionClient({ apiUrl: server.url, clientToken: 'ct_x' });
    const error = await caught(client.createPayment(PAYMENT, { idempotencyKey: 'key-1' }));
    expect(error).toMatchObject({ status: 503, code: 'processor_unavailable' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['key-1', 'key-1', 'key-1']);
  });

  it('asks again while the same Idempotency-Key is still in progress, but not after the total changed', async () => {
    const busy = await tiny((res) => send(res, 409, { code: 'idempotency_key_in_use', message: 'In progress' }));
    const client = createSessionClient({ apiUrl: busy.url, clientToken: 'ct_x' });
    expect(await caught(client.createPayment(PAYMENT))).toMatchObject({ code: 'idempotency_key_in_use' });
    expect(busy.requests).toHaveLength(3);

    const changed = await tiny((res) => send(res, 409, { code: 'total_changed', message: 'The total is now $1.03' }));
    const again = createSessionClient({ apiUrl: changed.url, clientToken: 'ct_x' });
    expect(await caught(again.createPayment(PAYMENT))).toMatchObject({ status: 409, code: 'total_changed' });
    expect(changed.requests).toHaveLength(1);
  });

  it('does not retry a 422: the same request would fail the same way', async () => {
    const problem = { code: 'validation_failed', message: 'Bad', details: [{ path: 'x', code: 'c', message: 'm' }] };
    const server = await tiny((res) => send(res, 422, problem));
    const client = createSessionClient({ apiUrl: server.url, clientToken: 'ct_x' });
    const error = await caught(client.createPayment(PAYMENT));
    expect(error).toMatchObject({ status: 422, problem });
    expect(server.requests).toHaveLength(1);
  });

  it('passes an aborted signal through as the abort, not as a Settle error', async () => {
    const server = await tiny((res) => setTimeout(() => send(res, 200, { data: [] }), 2_000));
    const controller = new AbortController();
    const pending = caught(merchantAt(server.url).listCustomers({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(isSettleNetworkError(error)).toBe(false);
  });
});
