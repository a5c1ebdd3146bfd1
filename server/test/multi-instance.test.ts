/**
 * Two server instances on one PostgreSQL, talking to one ERP, both taking payments and both
 * running outbox workers (DESIGN.md "Scale"): every succeeded payment reaches the ERP exactly once.
 */
import { randomBytes } from 'node:crypto';
import type { Payment, Problem } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpInvoice } from '../src/erp/port.js';
import { call, freshPostgresDatabase, startTestServer, type TestServer, waitFor } from './harness.js';

const CUSTOMERS = ['cus_multi_a', 'cus_multi_b', 'cus_multi_c'];
const INVOICES_PER_CUSTOMER = 2;
const BALANCE = 500_000;
const SHARE = 200_000; // 40%: at most two payments fit on an invoice

const invoiceIds = (customerId: string) =>
  Array.from({ length: INVOICES_PER_CUSTOMER }, (_, k) => `inv_${customerId.slice(4)}_${k}`);

function ledger(): MemoryErp {
  const invoices: ErpInvoice[] = CUSTOMERS.flatMap((customerId) =>
    invoiceIds(customerId).map((id, k) => ({
      id,
      customerId,
      number: id.toUpperCase(),
      issueDate: '2026-01-05',
      dueDate: `2026-02-0${k + 1}`,
      currency: 'USD',
      amount: BALANCE,
      openAmount: BALANCE,
      documentUrl: null,
      poNumber: null,
    })),
  );
  return new MemoryErp({
    customers: [...CUSTOMERS, 'cus_multi_sse'].map((id) => ({
      id,
      name: id,
      email: null,
      currency: 'USD',
      region: 'US-CT',
    })),
    invoices: [
      ...invoices,
      {
        id: 'inv_sse',
        customerId: 'cus_multi_sse',
        number: 'INV-SSE',
        issueDate: '2026-01-05',
        dueDate: '2026-02-04',
        currency: 'USD',
        amount: 90_000,
        openAmount: 90_000,
        documentUrl: null,
        poNumber: null,
      },
    ],
    credits: [],
  });
}

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' };
const BANK = {
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber: '000123456789',
  accountHolderName: 'Multi Instance Co',
  accountHolderType: 'company',
};

/** Reads a server-sent event stream to its end (the server closes it once the payment is settled). */
async function readPaymentStream(url: string, path: string, token: string, timeoutMs = 15_000): Promise<Payment[]> {
  const res = await fetch(`${url}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split(/\n\n/)
    .filter((block) => /^event: payment$/m.test(block))
    .map((block) => {
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return JSON.parse(data) as Payment;
    });
}

const hasPostgres = Boolean(inject('testDatabaseUrl'));

describe.skipIf(!hasPostgres)('two instances on one PostgreSQL and one ERP', () => {
  let a: TestServer;
  let b: TestServer;
  let erp: MemoryErp;
  const secretKey = `sk_test_${randomBytes(24).toString('base64url')}`;

  beforeAll(async () => {
    erp = ledger();
    const databaseUrl = await freshPostgresDatabase();
    // One merchant key for both: each instance upserts the merchant with its configured key at start.
    [a, b] = await Promise.all([
      startTestServer({ databaseUrl, erp, config: { secretKey } }),
      startTestServer({ databaseUrl, erp, config: { secretKey } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('both take payments concurrently; every succeeded payment is posted exactly once', async () => {
    const servers = [a, b];
    // Count what each instance's worker claims, to see that both really shared the outbox.
    const claimed = [0, 0];
    servers.forEach((server, n) => {
      const worker = server.settle.worker;
      const runDue = worker.runDue.bind(worker);
      worker.runDue = async (limit?: number) => {
        const count = await runDue(limit);
        claimed[n] = (claimed[n] ?? 0) + count;
        return count;
      };
    });
    const attempts = 30;
    const replies = await Promise.all(
      Array.from({ length: attempts }, async (_, i) => {
        const customerId = CUSTOMERS[i % CUSTOMERS.length]!;
        const invoiceId = invoiceIds(customerId)[Math.floor(i / CUSTOMERS.length) % INVOICES_PER_CUSTOMER]!;
        // Mint and tokenize on one instance, pay on the other: nothing lives in an instance's memory.
        const first = servers[i % 2]!;
        const second = servers[(i + 1) % 2]!;
        const session = await call<{ clientToken: string }>(first.url, 'POST', '/v1/sessions', secretKey, {
          customerId,
        });
        expect(session.status).toBe(201);
        const ct = session.body.clientToken;
        const method = i % 3 === 0 ? 'ach_debit' : 'card';
        const token = await call<{ id: string }>(
          second.url,
          'POST',
          '/v1/sandbox/tokens',
          ct,
          method === 'card' ? CARD : BANK,
        );
        expect(token.status).toBe(201);
        const reply = await call<Payment | Problem>(
          second.url,
          'POST',
          '/v1/session/payments',
          ct,
          {
            method,
            allocations: [{ invoiceId, amount: SHARE, reasonCode: 'partial_payment' }],
            paymentMethodToken: token.body.id,
          },
          { 'idempotency-key': `multi-${i}` },
        );
        return { ...reply, customerId, invoiceId };
      }),
    );

    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    expect(replies.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    const accepted = replies.filter((r) => r.status === 201).map((r) => r.body as Payment);
    // Every invoice has room for exactly two 40% payments, and five tries at it.
    expect(accepted).toHaveLength(CUSTOMERS.length * INVOICES_PER_CUSTOMER * 2);
    for (const p of accepted) expect(['succeeded', 'processing']).toContain(p.status);

    // ACH debits settle through the outbox too (processor events), on whichever instance claims them.
    const final = await waitFor('every accepted payment to be posted', async () => {
      const list = await call<{ data: Payment[] }>(a.url, 'GET', '/v1/payments?limit=100', secretKey);
      const mine = list.body.data.filter((p) => CUSTOMERS.includes(p.customerId));
      return mine.length === accepted.length && mine.every((p) => p.status === 'succeeded' && p.erpStatus === 'posted')
        ? mine
        : undefined;
    });
    expect(new Set(final.map((p) => p.id))).toEqual(new Set(accepted.map((p) => p.id)));
    for (const p of final) expect(erp.postingCount(p.id)).toBe(1);

    for (const customerId of CUSTOMERS) {
      const items = await erp.listOpenItems(customerId);
      for (const invoiceId of invoiceIds(customerId)) {
        const applied = final
          .filter((p) => p.lines.some((l) => l.invoiceId === invoiceId))
          .reduce((s, p) => s + p.invoiceTotal, 0);
        expect(applied).toBe(2 * SHARE);
        expect(items.invoices.find((i) => i.id === invoiceId)?.openAmount).toBe(BALANCE - applied);
      }
    }

    // Both instances see the same state.
    const fromB = await call<{ data: Payment[] }>(b.url, 'GET', '/v1/payments?limit=100', secretKey);
    expect(new Set(fromB.body.data.filter((p) => CUSTOMERS.includes(p.customerId)).map((p) => p.id))).toEqual(
      new Set(final.map((p) => p.id)),
    );

    // The outbox ends drained: a payment's expiry check is closed when the payment is confirmed.
    const db = a.settle.deps.db;
    const jobs = await waitFor('every outbox job to be done', async () => {
      const rows = await db.selectFrom('outbox').selectAll().execute();
      return rows.every((r) => r.status === 'done') ? rows : undefined;
    });
    expect(jobs.filter((j) => j.kind === 'erp_post')).toHaveLength(accepted.length);
    for (const j of jobs) expect(j.done_at).not.toBeNull();
    const after = await call<{ data: Payment[] }>(b.url, 'GET', '/v1/payments?limit=100', secretKey);
    for (const p of after.body.data) expect(p.status).toBe('succeeded');
    for (const p of final) expect(erp.postingCount(p.id)).toBe(1);
    expect(claimed[0]).toBeGreaterThan(0);
    expect(claimed[1]).toBeGreaterThan(0);
  });

  it('a payment created on instance A is readable, and streams live, on instance B', async () => {
    const session = await call<{ clientToken: string }>(a.url, 'POST', '/v1/sessions', secretKey, {
      customerId: 'cus_multi_sse',
    });
    const ct = session.body.clientToken;
    const token = await call<{ id: string }>(a.url, 'POST', '/v1/sandbox/tokens', ct, BANK);
    const created = await call<Payment>(
      a.url,
      'POST',
      '/v1/session/payments',
      ct,
      {
        method: 'ach_debit',
        allocations: [{ invoiceId: 'inv_sse', amount: 90_000 }],
        paymentMethodToken: token.body.id,
      },
      { 'idempotency-key': 'multi-sse' },
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('processing');
    const id = created.body.id;

    const merchantView = await call<Payment>(b.url, 'GET', `/v1/payments/${id}`, secretKey);
    expect(merchantView.status).toBe(200);
    expect(merchantView.body.id).toBe(id);
    const browserView = await call<Payment>(b.url, 'GET', `/v1/session/payments/${id}`, ct);
    expect(browserView.status).toBe(200);
    expect(browserView.body.amount).toBe(90_000);

    // The stream on B follows the payment from processing to posted, then ends by itself.
    const events = await readPaymentStream(b.url, `/v1/session/payments/${id}/events`, ct);
    expect(events[0]?.status).toBe('processing');
    expect(events.at(-1)).toMatchObject({ id, status: 'succeeded', erpStatus: 'posted' });
    expect(events.map((e) => e.status)).toContain('succeeded');
    expect(erp.postingCount(id)).toBe(1);
  });
});
