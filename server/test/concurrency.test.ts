/**
 * Many payments racing for one invoice, over real HTTP against a listening server: the invoice is
 * never over-applied, the losers get a 422 (never a 500), and every winner reaches the ERP exactly once.
 */
import type { Payment, Problem } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryErp } from '../src/erp/memory.js';
import { call, oneInvoiceLedger, type Reply, STORES, startTestServer, type TestServer, waitFor } from './harness.js';

const BALANCE = 1_000_000; // $10,000.00: under the $25,000 card limit
const RACERS = 50;

/** One customer per scenario, each with one open invoice; US-CT forbids surcharges, so charged = applied. */
const SCENARIOS = [
  'sessions_full',
  'sessions_40',
  'one_session_full',
  'one_session_40',
  'same_key',
  ...(['shared_key_0', 'shared_key_1', 'shared_key_2', 'shared_key_3', 'shared_key_4', 'shared_key_5'] as const),
] as const;
type Scenario = (typeof SCENARIOS)[number];
const customerOf = (s: Scenario) => `cus_${s}`;
const invoiceOf = (s: Scenario) => `inv_${s}`;

function ledger(): MemoryErp {
  return oneInvoiceLedger(SCENARIOS, BALANCE);
}

async function mintSession(server: TestServer, customerId: string): Promise<string> {
  const res = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, { customerId });
  expect(res.status).toBe(201);
  return res.body.clientToken;
}

async function cardToken(server: TestServer, clientToken: string): Promise<string> {
  const res = await call<{ id: string }>(server, 'POST', '/v1/sandbox/tokens', clientToken, {
    type: 'card',
    number: '4242424242424242',
    expMonth: 12,
    expYear: 2034,
    cvc: '123',
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

function payBody(scenario: Scenario, amount: number, token: string) {
  return {
    method: 'card',
    allocations: [
      { invoiceId: invoiceOf(scenario), amount, ...(amount < BALANCE ? { reasonCode: 'partial_payment' } : {}) },
    ],
    paymentMethodToken: token,
  };
}

function pay(server: TestServer, clientToken: string, body: unknown, key: string) {
  return call<Payment | Problem>(server, 'POST', '/v1/session/payments', clientToken, body, { 'idempotency-key': key });
}

async function customerPayments(server: TestServer, customerId: string): Promise<Payment[]> {
  const res = await call<{ data: Payment[] }>(
    server,
    'GET',
    `/v1/payments?customerId=${customerId}&limit=100`,
    server.secretKey,
  );
  expect(res.status).toBe(200);
  return res.body.data;
}

async function erpOpen(erp: MemoryErp, customerId: string, invoiceId: string): Promise<number> {
  const items = await erp.listOpenItems(customerId);
  return items.invoices.find((i) => i.id === invoiceId)?.openAmount ?? 0;
}

/** The race's verdict: winners never exceed the balance, losers are 422s, the ERP is exact. */
async function settleRace(
  server: TestServer,
  erp: MemoryErp,
  scenario: Scenario,
  replies: Reply<Payment | Problem>[],
  amount: number,
  maxWinners: number,
) {
  const statuses = replies.map((r) => r.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(statuses.every((s) => s === 201 || s === 422)).toBe(true);
  const winners = replies.filter((r) => r.status === 201).map((r) => r.body as Payment);
  for (const w of winners) expect(w.status).toBe('succeeded');
  for (const loser of replies.filter((r) => r.status === 422)) {
    const problem = loser.body as Problem;
    expect(problem.code).toBe('validation_failed');
    expect(problem.details?.map((d) => d.code)).toEqual([
      expect.stringMatching(/^(invoice_payment_pending|amount_exceeds_balance|invoice_not_found)$/),
    ]);
  }
  // The first in line always fits, and never more than the balance holds.
  expect(winners.length).toBe(maxWinners);
  const applied = winners.reduce((s, p) => s + p.invoiceTotal, 0);
  expect(applied).toBe(amount * winners.length);
  expect(applied).toBeLessThanOrEqual(BALANCE);
  expect(winners.reduce((s, p) => s + p.amount, 0)).toBe(applied); // no surcharge in US-CT

  // Only the winners exist as payments that took money; nothing else is in flight.
  const customerId = customerOf(scenario);
  const posted = await waitFor('the outbox to post every winner', async () => {
    const list = await customerPayments(server, customerId);
    const done = list.filter((p) => p.status === 'succeeded');
    return done.length === winners.length && done.every((p) => p.erpStatus === 'posted') ? list : undefined;
  });
  expect(posted.filter((p) => p.status !== 'succeeded')).toEqual([]);
  expect(new Set(posted.map((p) => p.id))).toEqual(new Set(winners.map((w) => w.id)));

  expect(await erpOpen(erp, customerId, invoiceOf(scenario))).toBe(BALANCE - applied);
  for (const w of winners) expect(erp.postingCount(w.id)).toBe(1);
  expect(await erp.listDeductions(customerId)).toEqual([]);

  // With everything posted, nothing stays reserved.
  const open = await call<{ invoices: Array<{ id: string; openAmount: number; pendingAmount: number }> }>(
    server,
    'GET',
    `/v1/customers/${customerId}/open-items`,
    server.secretKey,
  );
  const inv = open.body.invoices.find((i) => i.id === invoiceOf(scenario));
  expect(inv?.pendingAmount ?? 0).toBe(0);
  expect(inv?.openAmount ?? 0).toBe(BALANCE - applied);
}

describe.each(STORES)('concurrent payments on %s', (store) => {
  let server: TestServer;
  let erp: MemoryErp;
  beforeAll(async () => {
    erp = ledger();
    server = await startTestServer({ store, erp });
  });
  afterAll(() => server?.close());

  async function fromManySessions(scenario: Scenario, amount: number) {
    // Everything up to the pay click first, so the payments themselves start together.
    const prepared = await Promise.all(
      Array.from({ length: RACERS }, async () => {
        const ct = await mintSession(server, customerOf(scenario));
        return { ct, token: await cardToken(server, ct) };
      }),
    );
    return Promise.all(
      prepared.map(({ ct, token }, i) => pay(server, ct, payBody(scenario, amount, token), `race-${scenario}-${i}`)),
    );
  }

  async function fromOneSession(scenario: Scenario, amount: number) {
    const ct = await mintSession(server, customerOf(scenario));
    const token = await cardToken(server, ct);
    return Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        pay(server, ct, payBody(scenario, amount, token), `race-${scenario}-${i}`),
      ),
    );
  }

  it('50 sessions paying the whole balance at once: one wins, 49 get a 422', async () => {
    const replies = await fromManySessions('sessions_full', BALANCE);
    await settleRace(server, erp, 'sessions_full', replies, BALANCE, 1);
  });

  it('50 sessions paying 40% each at once: two win, 48 get a 422', async () => {
    const amount = (BALANCE * 4) / 10;
    const replies = await fromManySessions('sessions_40', amount);
    await settleRace(server, erp, 'sessions_40', replies, amount, 2);
  });

  it('one session, 50 idempotency keys, the whole balance: one wins', async () => {
    const replies = await fromOneSession('one_session_full', BALANCE);
    await settleRace(server, erp, 'one_session_full', replies, BALANCE, 1);
  });

  it('one session, 50 idempotency keys, 40% each: two win', async () => {
    const amount = (BALANCE * 4) / 10;
    const replies = await fromOneSession('one_session_40', amount);
    await settleRace(server, erp, 'one_session_40', replies, amount, 2);
  });

  it('20 concurrent requests with the same Idempotency-Key and body make exactly one payment', async () => {
    const ct = await mintSession(server, customerOf('same_key'));
    const token = await cardToken(server, ct);
    const body = payBody('same_key', BALANCE, token);
    const replies = await Promise.all(Array.from({ length: 20 }, () => pay(server, ct, body, 'same-key-for-all')));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(replies.map((r) => (r.body as Payment).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    for (const r of replies) expect((r.body as Payment).status).toBe('succeeded');

    const list = await waitFor('the posting', async () => {
      const l = await customerPayments(server, customerOf('same_key'));
      return l.every((p) => p.erpStatus === 'posted') ? l : undefined;
    });
    expect(list.map((p) => p.id)).toEqual([id]);
    expect(erp.postingCount(id)).toBe(1);
    expect(await erpOpen(erp, customerOf('same_key'), invoiceOf('same_key'))).toBe(0);
    // One charge at the processor, one status history.
    const statusEvents = list[0]!.events.filter((e) => e.kind === 'status').map((e) => e.to);
    expect(statusEvents).toEqual(['requires_confirmation', 'succeeded']);
    const intents = await server.settle.deps.db
      .selectFrom('sandbox_intents')
      .select('id')
      .where('payment_id', '=', id)
      .execute();
    expect(intents).toHaveLength(1);

    // The same key with another body is refused, not a second payment.
    const other = await pay(
      server,
      ct,
      { ...body, allocations: [{ ...body.allocations[0], amount: 1 }] },
      'same-key-for-all',
    );
    expect(other.status).toBe(422);
    expect((other.body as Problem).code).toBe('idempotency_key_reused');
  });

  it('one Idempotency-Key sent at once for different customers: one payment, the others a 422, never a 500', async () => {
    const racers = SCENARIOS.filter((s) => s.startsWith('shared_key_'));
    const prepared = await Promise.all(
      racers.map(async (scenario) => {
        const ct = await mintSession(server, customerOf(scenario));
        return { scenario, ct, token: await cardToken(server, ct) };
      }),
    );
    const replies = await Promise.all(
      prepared.map(({ scenario, ct, token }) => pay(server, ct, payBody(scenario, BALANCE, token), 'shared-key')),
    );
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of replies.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(422);
      expect((r.body as Problem).code).toBe('idempotency_key_reused');
    }
    // The losers left nothing behind: no payment, no reservation.
    const winner = replies.find((r) => r.status === 201)!.body as Payment;
    for (const scenario of racers) {
      const list = await customerPayments(server, customerOf(scenario));
      expect(list.map((p) => p.id)).toEqual(winner.customerId === customerOf(scenario) ? [winner.id] : []);
    }
  });
});
