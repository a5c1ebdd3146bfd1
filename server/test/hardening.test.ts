/**
 * Limits that need a server of their own: an ERP that never answers is cut off after
 * erpTimeoutMs, a body refused for its size still carries the CORS headers the browser needs to
 * read the refusal, and the landing page keeps customer balances to the test-mode demo.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type Payment, type Problem, ProblemSchema } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../src/app.js';
import type { ErpAdapter } from '../src/erp/port.js';
import { createDemoErp } from '../src/erp/seed.js';
import { call, callThrough, STORES, startTestServer, type TestServer } from './harness.js';

async function clientToken(server: TestServer, customerId: string): Promise<string> {
  const created = await call<{ clientToken: string }>(
    server,
    'POST',
    '/v1/sessions',
    server.secretKey,
    JSON.stringify({ customerId }),
  );
  expect(created.status).toBe(201);
  return created.body.clientToken;
}

describe.each(STORES)('an ERP that never answers, on %s', (store) => {
  const demo = createDemoErp();
  let hanging = false;
  let hung = 0;
  /** The demo ERP, except that listOpenItems never settles while `hanging`. */
  const erp: ErpAdapter = {
    ...callThrough(demo),
    listOpenItems: (customerId) => {
      if (!hanging) return demo.listOpenItems(customerId);
      hung++;
      return new Promise(() => {});
    },
  };
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store, erp, config: { erpTimeoutMs: 200 } });
  });
  afterAll(() => server?.close());

  it('answers a payment 503 erp_unavailable within the timeout, charges nothing, and holds no lock', async () => {
    const ct = await clientToken(server, 'cus_acme');
    const token = await call<{ id: string }>(
      server,
      'POST',
      '/v1/sandbox/tokens',
      ct,
      JSON.stringify({
        type: 'us_bank_account',
        routingNumber: '110000000',
        accountNumber: '000123456789',
        accountHolderName: 'Acme AP',
        accountHolderType: 'company',
      }),
    );
    expect(token.status).toBe(201);
    const [invoice] = (await demo.listOpenItems('cus_acme')).invoices;
    if (!invoice) throw new Error('cus_acme has no open invoice');
    const body = JSON.stringify({
      method: 'ach_debit',
      allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      paymentMethodToken: token.body.id,
    });
    const key = randomUUID();

    hanging = true;
    const started = Date.now();
    const refused = await call<Problem>(server, 'POST', '/v1/session/payments', ct, body, { 'idempotency-key': key });
    const took = Date.now() - started;
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(ProblemSchema.parse(refused.body).code).toBe('erp_unavailable');
    expect(hung).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(5_000);

    // The merchant's read of the same ERP is cut off the same way.
    const items = await call<Problem>(server, 'GET', '/v1/customers/cus_acme/open-items', server.secretKey);
    expect(items.status).toBe(503);
    expect(items.body.code).toBe('erp_unavailable');

    // Nothing was recorded or charged.
    const db = server.settle.deps.db;
    expect(await db.selectFrom('payments').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('sandbox_intents').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('idempotency_keys').select('key').execute()).toEqual([]);

    // The customer's lock was let go: the same request goes through once the ERP answers again.
    hanging = false;
    const retried = await call<Payment>(server, 'POST', '/v1/session/payments', ct, body, { 'idempotency-key': key });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body).toMatchObject({ status: 'processing', amount: invoice.openAmount });
  });
});

describe('CORS on a refused body', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { allowedOrigins: ['https://shop.example'] } });
  });
  afterAll(() => server?.close());

  const tooLarge = JSON.stringify({ method: 'card', allocations: [], padding: 'x'.repeat(MAX_BODY_BYTES) });

  it('lets an allowed origin read the 413', async () => {
    const ct = await clientToken(server, 'cus_acme');
    const res = await call<Problem>(server, 'POST', '/v1/session/payments', ct, tooLarge, {
      origin: 'https://shop.example',
      'idempotency-key': randomUUID(),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('still tells another origin nothing', async () => {
    const ct = await clientToken(server, 'cus_acme');
    const res = await call<Problem>(server, 'POST', '/v1/session/payments', ct, tooLarge, {
      origin: 'https://elsewhere.example',
      'idempotency-key': randomUUID(),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the landing page', () => {
  let server: TestServer;
  let listed = 0;
  beforeAll(async () => {
    const demo = createDemoErp();
    const erp: ErpAdapter = {
      ...callThrough(demo),
      listCustomers: () => {
        listed++;
        return demo.listCustomers();
      },
    };
    server = await startTestServer({ erp });
  });
  afterAll(() => server?.close());

  it("lists the demo ERP's customers and balances in test mode", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('test mode');
    expect(page).toContain('<code>cus_acme</code>');
    expect(page).toContain('Acme Industrial Supply');
  });

  it('does not read or show customers in live mode', async () => {
    // The sandbox refuses to start in live mode, so the app is built over the test server's parts.
    const live = createApp({ ...server.settle.deps, config: { ...server.settle.deps.config, mode: 'live' } });
    const before = listed;
    const res = await live.request('/');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('live mode');
    expect(page).toContain('Customer data is not shown in live mode.');
    expect(page).not.toContain('cus_acme');
    expect(page).not.toContain('Acme Industrial Supply');
    expect(listed).toBe(before);
  });
});

describe('compression', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A raw request, so the test sees the bytes on the wire rather than what fetch decoded. */
  function raw(path: string, headers: Record<string, string>) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // An event stream stays open: its first event is enough.
          if (res.headers['content-type']?.startsWith('text/event-stream')) req.destroy();
        });
        res.on('close', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
  }

  it('gzips JSON for clients that accept it, and sends it plain to those that do not', async () => {
    const token = await clientToken(server, 'cus_acme');
    const auth = { authorization: `Bearer ${token}` };
    const zipped = await raw('/v1/session', { ...auth, 'accept-encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const plain = await raw('/v1/session', auth);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const unzipped = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    expect(unzipped).toEqual(JSON.parse(plain.body.toString('utf8')));
    expect(zipped.body.byteLength).toBeLessThan(plain.body.byteLength / 3);
  });

  it('leaves a payment event stream uncompressed, so each event arrives as it happens', async () => {
    const token = await clientToken(server, 'cus_acme');
    const auth = { authorization: `Bearer ${token}` };
    const session = await call<{ invoices: { id: string; openAmount: number }[] }>(server, 'GET', '/v1/session', token);
    const invoice = session.body.invoices[0];
    if (!invoice) throw new Error('cus_acme has no open invoice');
    const card = {
      type: 'card',
      number: '4242424242424242',
      expMonth: 12,
      expYear: new Date().getFullYear() + 2,
      cvc: '123',
    };
    const method = await call<{ id: string }>(server, 'POST', '/v1/sandbox/tokens', token, card);
    expect(method.status).toBe(201);
    const proposal = {
      allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      method: 'card',
      paymentMethodToken: method.body.id,
    };
    const quote = await call<{ total: number }>(server, 'POST', '/v1/session/quote', token, proposal);
    const paid = await call<Payment>(
      server,
      'POST',
      '/v1/session/payments',
      token,
      { ...proposal, expectedTotal: quote.body.total },
      { 'idempotency-key': randomUUID() },
    );
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const stream = await raw(`/v1/session/payments/${paid.body.id}/events`, {
      ...auth,
      accept: 'text/event-stream',
      'accept-encoding': 'gzip',
    });
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.body.toString('utf8')).toContain(paid.body.id);
  });
});
