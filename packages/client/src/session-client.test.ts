import type { AllocationInput, CreatePaymentRequest, Payment, SessionView } from '@settle/schema';
import { describe, expect, it } from 'vitest';
import { isSettleHttpError, isSettleNetworkError, isSettleTimeoutError, SettleHttpError } from './errors.js';
import { createSessionClient, type SessionClient } from './session-client.js';
import { useTestServer } from './test-server.js';

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' } as const;
const BANK = {
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber: '000123456789',
  accountHolderName: 'Acme AP',
  accountHolderType: 'company',
} as const;
/** The sandbox leaves a debit from this account processing for good. */
const BANK_STAYS_PROCESSING = { ...BANK, accountNumber: '000000000009' } as const;

const settle = useTestServer();

async function newSession(): Promise<{ client: SessionClient; view: SessionView }> {
  const { clientToken } = await settle.merchant.createSession({ customerId: 'cus_acme' });
  const client = createSessionClient({ apiUrl: settle.server.url, clientToken });
  return { client, view: await client.getSession() };
}

/** The smallest invoice nothing else is paying, paid in full. */
function smallestOpen(view: SessionView): AllocationInput {
  const open = view.invoices
    .map((i) => ({ invoiceId: i.id, amount: i.openAmount - i.pendingAmount }))
    .filter((a) => a.amount > 0)
    .sort((a, b) => a.amount - b.amount);
  if (!open[0]) throw new Error('No open invoice left for cus_acme');
  return open[0];
}

async function collect(watch: AsyncIterable<Payment>): Promise<Payment[]> {
  const seen: Payment[] = [];
  for await (const payment of watch) seen.push(payment);
  return seen;
}

describe('session client against a real server', () => {
  it('reads the session, tokenizes a card, quotes, pays, and watches the payment reach the ERP', async () => {
    const { client, view } = await newSession();
    expect(view.customer.id).toBe('cus_acme');
    const allocation = smallestOpen(view);

    const token = await client.createPaymentMethodToken(CARD);
    expect(token.summary).toMatchObject({ type: 'card', last4: '4242' });
    const quote = await client.quote({ method: 'card', allocations: [allocation], paymentMethodToken: token.id });
    expect(quote.invoiceTotal).toBe(allocation.amount);
    expect(quote.total).toBe(quote.subtotal + quote.surcharge.amount);

    const { payment, idempotencyKey } = await client.createPayment({
      method: 'card',
      allocations: [allocation],
      paymentMethodToken: token.id,
      expectedTotal: quote.total,
    });
    expect(idempotencyKey).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(payment).toMatchObject({ status: 'succeeded', amount: quote.total });

    const seen = await collect(client.watchPayment(payment.id));
    expect(seen.map((p) => p.status)).toContain('succeeded');
    expect(seen.at(-1)?.erpStatus).toBe('posted');
    expect((await client.getPayment(payment.id)).erpStatus).toBe('posted');
    expect((await settle.merchant.getPayment(payment.id)).erpStatus).toBe('posted');
  });

  it('returns the same payment when the same idempotency key is sent twice', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken(CARD);
    const proposal = {
      method: 'card',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    const { total } = await client.quote(proposal);
    const request = { ...proposal, expectedTotal: total } satisfies CreatePaymentRequest;
    const key = `test-${crypto.randomUUID()}`;

    const first = await client.createPayment(request, { idempotencyKey: key });
    const second = await client.createPayment(request, { idempotencyKey: key });

    expect(first.idempotencyKey).toBe(key);
    expect(second.payment.id).toBe(first.payment.id);
    const listed = await settle.merchant.listPayments({ customerId: 'cus_acme', limit: 100 });
    expect(listed.data.filter((p) => p.id === first.payment.id)).toHaveLength(1);
  });

  it('retries a payment whose answer was lost with the same key, and charges once', async () => {
    const { clientToken } = await settle.merchant.createSession({ customerId: 'cus_acme' });
    const keys: Array<string | null> = [];
    // Lets the first payment request reach the server, then drops its answer as a broken connection would.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const method = init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
      const url = typeof input === 'object' && 'url' in input ? input.url : String(input);
      if (method === 'POST' && new URL(url).pathname === '/v1/session/payments') {
        keys.push(new Headers(init?.headers).get('idempotency-key'));
        if (keys.length === 1) {
          await response.body?.cancel();
          throw new TypeError('fetch failed');
        }
      }
      return response;
    };
    const client = createSessionClient({ apiUrl: settle.server.url, clientToken, fetch: losing });
    const view = await client.getSession();
    const token = await client.createPaymentMethodToken(CARD);
    const proposal = {
      method: 'card',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    const { total } = await client.quote(proposal);

    const { payment, idempotencyKey } = await client.createPayment({ ...proposal, expectedTotal: total });

    expect(keys).toEqual([idempotencyKey, idempotencyKey]);
    expect(payment.status).toBe('succeeded');
    const listed = await settle.merchant.listPayments({ customerId: 'cus_acme', limit: 100 });
    expect(listed.data.filter((p) => p.sessionId === view.id).map((p) => p.id)).toEqual([payment.id]);
  });

  it('reports an amount above the balance as a 422 whose details name the field', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken(CARD);
    const allocation = smallestOpen(view);

    const error = await client
      .createPayment({
        method: 'card',
        allocations: [{ ...allocation, amount: allocation.amount + 1 }],
        paymentMethodToken: token.id,
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SettleHttpError);
    if (!isSettleHttpError(error)) throw error;
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d) => d.path)).toContain('allocations.0.amount');
    expect(error.fieldErrors()['allocations.0.amount']).toEqual(expect.any(String));
  });

  it('refuses a surcharged card payment without the total the payer accepted, naming expectedTotal', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken(CARD);
    const proposal = {
      method: 'card',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    const quote = await client.quote(proposal);
    expect(quote.surcharge.amount).toBeGreaterThan(0);

    const error = await client.createPayment(proposal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettleHttpError);
    if (!isSettleHttpError(error)) throw error;
    expect(error.status).toBe(422);
    expect(error.details).toEqual([
      expect.objectContaining({ path: 'expectedTotal', code: 'surcharge_not_confirmed' }),
    ]);
    expect(Object.keys(error.fieldErrors())).toEqual(['expectedTotal']);
    const listed = await settle.merchant.listPayments({ customerId: 'cus_acme', limit: 100 });
    expect(listed.data.filter((p) => p.sessionId === view.id)).toEqual([]);
  });

  it('returns a declined card as a failed payment with a message for the payer, not as an error', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken({ ...CARD, number: '4000000000000002' });
    const proposal = {
      method: 'card',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    const { total } = await client.quote(proposal);
    const { payment } = await client.createPayment({ ...proposal, expectedTotal: total });
    expect(payment.status).toBe('failed');
    expect(payment.failure?.message).toEqual(expect.any(String));
  });

  it('rejects a wrong client token with a 401 SettleHttpError', async () => {
    const client = createSessionClient({ apiUrl: settle.server.url, clientToken: 'ct_not_a_real_token' });
    const error = await client.getSession().catch((e: unknown) => e);
    expect(isSettleHttpError(error)).toBe(true);
    expect(isSettleNetworkError(error)).toBe(false);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('pays by ACH: processing first, then succeeded once the bank debit settles', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken(BANK);
    const { payment } = await client.createPayment({
      method: 'ach_debit',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    });
    expect(payment.status).toBe('processing');

    const seen = await collect(client.watchPayment(payment.id));
    const statuses = seen.map((p) => p.status);
    expect(statuses[0]).toBe('processing');
    expect(statuses).toContain('succeeded');
    const settled = await client.waitForPayment(payment.id, (p) => p.erpStatus === 'posted', { timeoutMs: 10_000 });
    expect(settled.status).toBe('succeeded');
  });

  it('stops watching when the signal aborts, and waitForPayment gives up with a SettleTimeoutError', async () => {
    const { client, view } = await newSession();
    const token = await client.createPaymentMethodToken(BANK_STAYS_PROCESSING);
    const { payment } = await client.createPayment({
      method: 'ach_debit',
      allocations: [smallestOpen(view)],
      paymentMethodToken: token.id,
    });

    const controller = new AbortController();
    const seen: Payment[] = [];
    for await (const snapshot of client.watchPayment(payment.id, { signal: controller.signal })) {
      seen.push(snapshot);
      controller.abort();
    }
    expect(seen.map((p) => p.status)).toEqual(['processing']);

    const started = Date.now();
    const error = await client
      .waitForPayment(payment.id, (p) => p.status === 'succeeded', { timeoutMs: 700 })
      .catch((e: unknown) => e);
    expect(isSettleTimeoutError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
