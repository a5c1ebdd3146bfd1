/**
 * Merchant webhooks (docs/webhooks.md) end to end: payments made through the real API, events
 * POSTed by the outbox to a real HTTP receiver on loopback, verified with @settle/client's own
 * verifyWebhook. The receiver fails as endpoints do (an error status, a dropped connection, no
 * answer, a redirect) and Settle retries until it takes each event, once.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreatedWebhookEndpointSchema,
  type CreateWebhookEndpointRequest,
  type Payment,
  PaymentSchema,
  type Problem,
  WebhookDeliveryListSchema,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
} from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The client's own verifier, as merchants use it (the server's tsconfig cannot check the whole client).
import { type VerifiedWebhookEvent, verifyWebhook } from '../../packages/client/src/webhooks.js';
import { SETTLE_EVENT_TYPES, settleEventType } from '../src/services/events.js';
import { checkWebhookUrl } from '../src/services/webhook-endpoints.js';
import { publicOnlyLookup, refusalFor } from '../src/services/webhook-target.js';
import { call, oneInvoiceLedger, STORES, startTestServer, type TestServer, waitFor } from './harness.js';

const BALANCE = 150_000;
const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' };
const bank = (accountNumber: string) => ({
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber,
  accountHolderName: 'Webhook Test Co',
  accountHolderType: 'company',
});
const ACH_SUCCEEDS = '000123456789';
const ACH_RETURNED = '000555555559';
const CUSTOMERS = ['card', 'ach', 'returned', 'parked', 'after_disable'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the receiver answers one request: like a healthy endpoint, or like a broken one. */
type Behavior = 'accept' | 'error500' | 'drop' | 'hang' | 'redirect';

interface Received {
  path: string;
  body: string;
  signature: string;
  eventId: string;
  behavior: Behavior;
}

/** A merchant's webhook receiver: records every request, answers per path from a script, then `accept`. */
class Receiver {
  readonly received: Received[] = [];
  readonly #scripts = new Map<string, Behavior[]>();
  readonly #always = new Map<string, Behavior>();
  readonly #hung = new Set<ServerResponse>();
  #server: Server | null = null;
  url = '';

  script(path: string, behaviors: Behavior[]): void {
    this.#scripts.set(path, [...behaviors]);
  }

  always(path: string, behavior: Behavior): void {
    this.#always.set(path, behavior);
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '';
    const behavior = this.#scripts.get(path)?.shift() ?? this.#always.get(path) ?? 'accept';
    this.received.push({
      path,
      body: Buffer.concat(chunks).toString('utf8'),
      signature: String(req.headers['settle-signature'] ?? ''),
      eventId: String(req.headers['settle-event-id'] ?? ''),
      behavior,
    });
    if (behavior === 'accept') res.writeHead(204).end();
    else if (behavior === 'error500') res.writeHead(500, { 'content-type': 'text/plain' }).end('database is down');
    else if (behavior === 'redirect') res.writeHead(302, { location: `${this.url}/redirect-target` }).end();
    else if (behavior === 'drop') req.socket.destroy();
    else this.#hung.add(res);
  }

  accepted(path: string): Received[] {
    return this.received.filter((r) => r.path === path && r.behavior === 'accept');
  }

  async close(): Promise<void> {
    for (const res of this.#hung) res.socket?.destroy();
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

describe('which payment changes are events', () => {
  it('maps status and ERP changes to event types, and notes that stay in their state to none', () => {
    expect(settleEventType('status', 'requires_confirmation', 'processing')).toBe('payment.processing');
    expect(settleEventType('status', 'processing', 'succeeded')).toBe('payment.succeeded');
    expect(settleEventType('status', 'disputed', 'succeeded')).toBe('payment.succeeded');
    expect(settleEventType('status', 'succeeded', 'reversed')).toBe('payment.reversed');
    expect(settleEventType('erp', 'pending', 'posted')).toBe('payment.posted_to_erp');
    expect(settleEventType('erp', 'pending', 'parked')).toBe('payment.erp_parked');
    expect(settleEventType('erp', 'reversal_pending', 'reversed')).toBe('payment.erp_reversed');
    expect(settleEventType('status', null, 'requires_confirmation')).toBeNull();
    expect(settleEventType('status', 'requires_confirmation', 'requires_action')).toBeNull();
    expect(settleEventType('erp', 'none', 'pending')).toBeNull();
    expect(settleEventType('erp', 'posted', 'reversal_pending')).toBeNull();
    expect(settleEventType('status', 'failed', 'failed')).toBeNull();
    expect(SETTLE_EVENT_TYPES).toContain('payment.refunded');
  });
});

describe('which endpoint URLs are allowed', () => {
  const refusal = (url: string, mode: 'test' | 'live') => {
    try {
      checkWebhookUrl(url, mode);
      return null;
    } catch (err) {
      return (err as { status: number; details: Array<{ path: string; code: string }> }).details[0];
    }
  };

  it('takes https anywhere, and plain http only to this machine in live mode', () => {
    expect(refusal('https://erp.example.com/settle', 'live')).toBeNull();
    expect(refusal('http://localhost:3000/hook', 'live')).toBeNull();
    expect(refusal('http://127.0.0.1:3000/hook', 'live')).toBeNull();
    expect(refusal('http://[::1]:3000/hook', 'live')).toBeNull();
    expect(refusal('http://erp.example.com/settle', 'live')).toEqual(
      expect.objectContaining({ path: 'url', code: 'insecure_url' }),
    );
    expect(refusal('http://localhost.example.com/hook', 'live')?.code).toBe('insecure_url');
  });

  it('takes plain http anywhere in test mode, but never another scheme or credentials in the URL', () => {
    expect(refusal('http://my-tunnel.example.dev/hook', 'test')).toBeNull();
    expect(refusal('ftp://example.com/hook', 'test')?.code).toBe('insecure_url');
    expect(refusal('https://user:pw@example.com/hook', 'live')?.code).toBe('url_credentials');
  });
});

describe('which addresses deliveries may reach', () => {
  it('refuses loopback, private, link-local, CGNAT, unique-local, unspecified and multicast, IPv4-mapped too', () => {
    const refused: Array<[string, RegExp]> = [
      ['127.0.0.1', /^refused: 127\.0\.0\.1 is a private address \(loopback\)$/],
      ['::1', /private address \(loopback\)/],
      ['10.0.0.5', /private address \(private\)/],
      ['172.16.3.4', /private address \(private\)/],
      ['192.168.1.1', /private address \(private\)/],
      ['169.254.169.254', /private address \(linkLocal\)/],
      ['fe80::1', /private address \(linkLocal\)/],
      ['100.64.0.1', /private address \(carrierGradeNat\)/],
      ['fd00::1', /private address \(uniqueLocal\)/],
      ['0.0.0.0', /private address \(unspecified\)/],
      ['::', /private address \(unspecified\)/],
      ['224.0.0.1', /not a public address \(multicast\)/],
      ['::ffff:10.0.0.5', /refused: 10\.0\.0\.5 is a private address/],
      ['::ffff:169.254.169.254', /169\.254\.169\.254 is a private address/],
    ];
    for (const [address, reason] of refused) expect(refusalFor(address), address).toMatch(reason);
    for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(refusalFor(address), address).toBeNull();
    }
  });

  it('resolves a host name once and refuses it when all it resolves to is private', async () => {
    const resolve = (host: string, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((done) =>
        publicOnlyLookup(host, { all } as { all: true }, (err, address) => done({ err, address })),
      );
    for (const all of [true, false]) {
      const { err } = await resolve('localhost', all);
      expect(err?.message).toMatch(/^refused: (127\.0\.0\.1|::1) is a private address \(loopback\) \(localhost\)$/);
    }
  });
});

describe.each(STORES)(
  'webhook deliveries to private addresses on %s, with SETTLE_WEBHOOK_ALLOW_PRIVATE off',
  (store) => {
    let server: TestServer;
    const receiver = new Receiver();
    beforeAll(async () => {
      await receiver.start();
      server = await startTestServer({
        store,
        erp: oneInvoiceLedger(['private'], BALANCE),
        config: {
          outbox: { pollMs: 25, baseDelayMs: 50, maxDelayMs: 200, leaseMs: 5_000, maxAttempts: 3 },
          webhookAllowPrivate: false,
        },
      });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await receiver.close();
    });

    it("still checks the URL's shape at creation, then refuses each delivery before sending a byte", async () => {
      const create = (url: string) =>
        call<{ id: string }>(server, 'POST', '/v1/webhook-endpoints', server.secretKey, { url });
      expect((await create('ftp://127.0.0.1/hook')).status).toBe(422);
      const byAddress = await create(`${receiver.url}/by-address`);
      expect(byAddress.status).toBe(201);
      const byName = await create(`${receiver.url.replace('127.0.0.1', 'localhost')}/by-name`);
      expect(byName.status).toBe(201);

      const session = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, {
        customerId: 'cus_private',
      });
      const token = await call<{ id: string }>(server, 'POST', '/v1/sandbox/tokens', session.body.clientToken, CARD);
      const payment = await call<Payment>(
        server,
        'POST',
        '/v1/session/payments',
        session.body.clientToken,
        {
          method: 'card',
          allocations: [{ invoiceId: 'inv_private', amount: BALANCE }],
          paymentMethodToken: token.body.id,
        },
        { 'idempotency-key': 'webhooks-private' },
      );
      expect(payment.status).toBe(201);

      for (const [endpoint, reason] of [
        [byAddress.body.id, /^refused: 127\.0\.0\.1 is a private address \(loopback\)$/],
        [byName.body.id, /^refused: (127\.0\.0\.1|::1) is a private address \(loopback\) \(localhost\)$/],
      ] as const) {
        const failed = await waitFor(`the delivery to ${endpoint} to be given up`, async () => {
          const res = await call(
            server,
            'GET',
            `/v1/webhook-endpoints/${endpoint}/deliveries?status=failed`,
            server.secretKey,
          );
          return WebhookDeliveryListSchema.parse(res.body).data[0];
        });
        expect(failed).toMatchObject({ attempts: 3, lastStatusCode: null });
        expect(failed.lastError).toMatch(reason);
      }
      expect(receiver.received).toEqual([]);
    });
  },
);

describe.each(STORES)('merchant webhooks on %s', (store) => {
  let server: TestServer;
  const receiver = new Receiver();
  let secret = '';
  let allEndpointId = '';
  let reversalsSecret = '';

  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer({
      store,
      erp: oneInvoiceLedger(CUSTOMERS, BALANCE),
      config: {
        // Quick retries, and a delivery parks after its 6th failed attempt.
        outbox: { pollMs: 25, baseDelayMs: 50, maxDelayMs: 200, leaseMs: 5_000, maxAttempts: 6 },
        webhookTimeoutMs: 400,
      },
    });
    // The first three deliveries fail, each its own way; the fourth and later are taken.
    receiver.script('/all', ['error500', 'drop', 'hang']);
    const all = await merchant.createWebhookEndpoint({ url: `${receiver.url}/all`, description: 'everything' });
    secret = all.secret;
    allEndpointId = all.id;
    const reversals = await merchant.createWebhookEndpoint({
      url: `${receiver.url}/reversals`,
      enabledEvents: ['payment.reversed', 'payment.erp_reversed'],
    });
    reversalsSecret = reversals.secret;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await receiver.close();
  });

  /** The merchant API with the secret key, each answer checked against its wire schema. */
  const merchant = {
    async send(method: 'GET' | 'POST', path: string, status: number, body?: object): Promise<unknown> {
      const res = await call(server, method, path, server.secretKey, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      return res.body;
    },
    async createWebhookEndpoint(body: CreateWebhookEndpointRequest) {
      return CreatedWebhookEndpointSchema.parse(await this.send('POST', '/v1/webhook-endpoints', 201, body));
    },
    async listWebhookEndpoints() {
      return WebhookEndpointListSchema.parse(await this.send('GET', '/v1/webhook-endpoints', 200));
    },
    async disableWebhookEndpoint(id: string) {
      return WebhookEndpointSchema.parse(await this.send('POST', `/v1/webhook-endpoints/${id}/disable`, 200));
    },
    async listWebhookDeliveries(id: string, query: { status?: string } = {}) {
      const search = new URLSearchParams(query).toString();
      const path = `/v1/webhook-endpoints/${id}/deliveries${search ? `?${search}` : ''}`;
      return WebhookDeliveryListSchema.parse(await this.send('GET', path, 200));
    },
    async getPayment(id: string) {
      return PaymentSchema.parse(await this.send('GET', `/v1/payments/${id}`, 200));
    },
  };

  /** Pays `inv_<name>` in full through the session API, as the widget would. */
  async function pay(name: (typeof CUSTOMERS)[number], method: 'card' | 'ach_debit', account = ACH_SUCCEEDS) {
    const session = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, {
      customerId: `cus_${name}`,
    });
    expect(session.status).toBe(201);
    const ct = session.body.clientToken;
    const token = await call<{ id: string }>(
      server,
      'POST',
      '/v1/sandbox/tokens',
      ct,
      method === 'card' ? CARD : bank(account),
    );
    expect(token.status).toBe(201);
    const created = await call<Payment>(
      server,
      'POST',
      '/v1/session/payments',
      ct,
      { method, allocations: [{ invoiceId: `inv_${name}`, amount: BALANCE }], paymentMethodToken: token.body.id },
      { 'idempotency-key': `webhooks-${name}` },
    );
    expect(created.status).toBe(201);
    return created.body;
  }

  /** The events an endpoint took for one payment, verified, in the order they arrived. */
  async function acceptedFor(path: string, paymentId: string, key = secret): Promise<VerifiedWebhookEvent[]> {
    const events: VerifiedWebhookEvent[] = [];
    for (const r of receiver.accepted(path)) {
      const event = await verifyWebhook(r.body, r.signature, key);
      if (event.data.payment.id === paymentId) events.push(event);
    }
    return events;
  }

  function arrived(path: string, paymentId: string, types: string[], key = secret): Promise<VerifiedWebhookEvent[]> {
    return waitFor(`${types.join(', ')} at ${path}`, async () => {
      const events = await acceptedFor(path, paymentId, key);
      return types.every((t) => events.some((e) => e.type === t)) ? events : undefined;
    });
  }

  it('refuses bad endpoint settings with a 4xx that names the field', async () => {
    const post = (body: unknown) =>
      call<Problem>(server, 'POST', '/v1/webhook-endpoints', server.secretKey, body as object);
    const cases: Array<[unknown, string]> = [
      [{ url: 'not a url' }, 'url'],
      [{ url: 'ftp://127.0.0.1/hook' }, 'url'],
      [{ url: 'https://user:pw@example.com/hook' }, 'url'],
      [{ url: 'https://example.com/hook', enabledEvents: ['payment.teleported'] }, 'enabledEvents.0'],
      [{ url: 'https://example.com/hook', enabledEvents: ['*', 'payment.succeeded'] }, 'enabledEvents'],
      [{ url: 'https://example.com/hook', enabledEvents: [] }, 'enabledEvents'],
      [{ url: 'https://example.com/hook', secret: 'whsec_mine' }, 'secret'],
      [{}, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(
        res.body.details?.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const unauthenticated = await call(server, 'POST', '/v1/webhook-endpoints', null, { url: 'https://example.com' });
    expect(unauthenticated.status).toBe(401);
    const wrongType = await call(server, 'GET', '/v1/webhook-endpoints/we_nope/deliveries?limit=0', server.secretKey);
    expect(wrongType.status).toBe(422);
    expect((wrongType.body as Problem).details?.[0]?.path).toBe('limit');
    const missing = await call(server, 'POST', '/v1/webhook-endpoints/we_nope/disable', server.secretKey);
    expect(missing.status).toBe(404);
  });

  it('shows the secret once, at creation, and never in the list', async () => {
    expect(secret).toMatch(/^whsec_/);
    const list = await merchant.listWebhookEndpoints();
    const all = list.data.find((e) => e.id === allEndpointId);
    expect(all).toMatchObject({ url: `${receiver.url}/all`, enabledEvents: ['*'], disabledAt: null });
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('delivers signed events, retrying a failing endpoint until it takes each one exactly once', async () => {
    const payment = await pay('card', 'card');
    const events = await arrived('/all', payment.id, ['payment.succeeded', 'payment.posted_to_erp']);
    expect(events.map((e) => e.type).sort()).toEqual(['payment.posted_to_erp', 'payment.succeeded']);
    const succeeded = events.find((e) => e.type === 'payment.succeeded') as VerifiedWebhookEvent;
    expect(succeeded.id).toMatch(/^evt_/);
    expect(succeeded.data.payment).toMatchObject({ id: payment.id, customerId: 'cus_card', amount: BALANCE });

    // The first three requests failed (500, dropped, no answer) and were retried with the same bytes.
    const tried = receiver.received.filter((r) => r.path === '/all');
    expect(tried.slice(0, 3).map((r) => r.behavior)).toEqual(['error500', 'drop', 'hang']);
    for (const r of tried) {
      const event = await verifyWebhook(r.body, r.signature, secret);
      expect(r.eventId).toBe(event.id);
      const first = tried.find((x) => x.eventId === r.eventId);
      expect(r.body).toBe(first?.body);
    }
    expect(tried.length).toBeGreaterThanOrEqual(5);

    await sleep(400);
    const acceptedIds = receiver.accepted('/all').map((r) => r.eventId);
    expect(new Set(acceptedIds).size).toBe(acceptedIds.length);

    const log = await merchant.listWebhookDeliveries(allEndpointId);
    const mine = log.data.filter((d) => d.paymentId === payment.id);
    expect(mine.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    expect(mine.every((d) => d.lastStatusCode === 204 && d.lastError === null && d.deliveredAt)).toBe(true);
    expect(mine.reduce((n, d) => n + d.attempts, 0)).toBe(tried.length);
    // Card payments skip processing, and the filtered endpoint wants none of these.
    expect(receiver.received.filter((r) => r.path === '/reversals')).toEqual([]);
  });

  it('tells an ACH debit processing, then succeeded, each with the payment as it stood', async () => {
    const payment = await pay('ach', 'ach_debit');
    expect(payment.status).toBe('processing');
    const events = await arrived('/all', payment.id, [
      'payment.processing',
      'payment.succeeded',
      'payment.posted_to_erp',
    ]);
    // The debit settles a second after it starts, so its two status events arrive in order.
    const statuses = events.filter((e) => e.type !== 'payment.posted_to_erp');
    expect(statuses.map((e) => e.type)).toEqual(['payment.processing', 'payment.succeeded']);
    expect(statuses.map((e) => e.data.payment.status)).toEqual(['processing', 'succeeded']);
    expect(Date.parse(statuses[0]?.createdAt ?? '')).toBeLessThan(Date.parse(statuses[1]?.createdAt ?? ''));
    const posted = events.find((e) => e.type === 'payment.posted_to_erp');
    expect(posted?.data.payment.erpStatus).toBe('posted');
    expect(events).toHaveLength(3);
  });

  it('tells an ACH return as payment.reversed and payment.erp_reversed, to the endpoint that asked for them', async () => {
    const payment = await pay('returned', 'ach_debit', ACH_RETURNED);
    const arrivedEvents = await arrived('/all', payment.id, ['payment.reversed', 'payment.erp_reversed']);
    // Deliveries may overtake each other (docs/webhooks.md "Ordering"): createdAt tells the order.
    const events = [...arrivedEvents].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    expect(events.map((e) => e.type)).toEqual([
      'payment.processing',
      'payment.succeeded',
      'payment.posted_to_erp',
      'payment.reversed',
      'payment.erp_reversed',
    ]);
    const reversed = events.find((e) => e.type === 'payment.reversed');
    expect(reversed?.data.payment.status).toBe('reversed');
    expect(reversed?.data.payment.failure).not.toBeNull();

    const filtered = await arrived(
      '/reversals',
      payment.id,
      ['payment.reversed', 'payment.erp_reversed'],
      reversalsSecret,
    );
    expect(filtered.map((e) => e.type).sort()).toEqual(['payment.erp_reversed', 'payment.reversed']);
    // The same event reaches both endpoints under one id, each signed with its own secret.
    const onBoth = filtered.find((e) => e.type === 'payment.reversed');
    expect(onBoth?.id).toBe(reversed?.id);
    const raw = receiver.accepted('/reversals').find((r) => r.eventId === onBoth?.id);
    await expect(verifyWebhook(raw?.body ?? '', raw?.signature ?? '', secret)).rejects.toMatchObject({
      code: 'webhook_bad_signature',
    });
  });

  it('never follows a redirect, and logs a delivery that kept failing as failed after the last retry', async () => {
    receiver.always('/moved', 'redirect');
    const moved = await merchant.createWebhookEndpoint({
      url: `${receiver.url}/moved`,
      enabledEvents: ['payment.succeeded'],
    });
    const payment = await pay('parked', 'card');
    const failed = await waitFor('the delivery to be given up', async () => {
      const log = await merchant.listWebhookDeliveries(moved.id, { status: 'failed' });
      return log.data.find((d) => d.paymentId === payment.id);
    });
    expect(failed).toMatchObject({ eventType: 'payment.succeeded', attempts: 6, lastStatusCode: 302 });
    expect(failed.lastError).toMatch(/redirects are not followed/);
    expect(receiver.received.filter((r) => r.path === '/moved')).toHaveLength(6);
    expect(receiver.received.filter((r) => r.path === '/redirect-target')).toEqual([]);
    // An endpoint that does not answer is the merchant's to see, not a payment needing review.
    const stored = await merchant.getPayment(payment.id);
    expect(stored.events.some((e) => /needs review/.test(e.cause))).toBe(false);
  });

  it('stops delivering to a disabled endpoint, and keeps its log readable', async () => {
    const before = receiver.received.filter((r) => r.path === '/all').length;
    const disabled = await merchant.disableWebhookEndpoint(allEndpointId);
    expect(disabled.disabledAt).not.toBeNull();
    const again = await merchant.disableWebhookEndpoint(allEndpointId);
    expect(again.disabledAt).toBe(disabled.disabledAt);

    const payment = await pay('after_disable', 'card');
    await waitFor('the payment to be posted', async () =>
      (await merchant.getPayment(payment.id)).erpStatus === 'posted' ? true : undefined,
    );
    await sleep(300);
    expect(receiver.received.filter((r) => r.path === '/all')).toHaveLength(before);
    const log = await merchant.listWebhookDeliveries(allEndpointId);
    expect(log.data.length).toBeGreaterThan(0);
    expect(log.data.some((d) => d.paymentId === payment.id)).toBe(false);
    const list = await merchant.listWebhookEndpoints();
    expect(list.data.find((e) => e.id === allEndpointId)?.disabledAt).toBe(disabled.disabledAt);
  });
});
