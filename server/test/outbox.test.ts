/**
 * The durable outbox (DESIGN.md "States", step 6 of "The flow"): a down or refusing ERP delays a
 * posting and never loses or doubles it; a restart loses nothing; an ACH return reverses once; a
 * payment stuck before confirmation is resumed by its key or expired by the outbox. Then the
 * OutboxWorker itself: back-off, exclusive claims across workers, and leases that expire.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment, Problem } from '@settle/schema';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { MemoryErp } from '../src/erp/memory.js';
import { type ErpPosting, ErpUnavailableError } from '../src/erp/port.js';
import { enqueue, type JobHandler, OutboxWorker } from '../src/outbox/outbox.js';
import type { ConfirmInput } from '../src/processors/port.js';
import { createSettle, listen, type Settle } from '../src/server.js';
import { type Db, openStore } from '../src/store/db.js';
import {
  call,
  callThrough,
  freshPostgresDatabase,
  oneInvoiceLedger,
  STORES,
  type StoreKind,
  startTestServer,
  waitFor,
} from './harness.js';

const BALANCE = 300_000;

/** One customer per test, each with one open USD invoice; US-CT: no surcharge, so charged = applied. */
function ledger(customers: readonly string[]): MemoryErp {
  return oneInvoiceLedger(customers, BALANCE);
}

/** What the HTTP helpers need of a server. */
interface Api {
  url: string;
  secretKey: string;
  settle: Settle;
}

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' };
const bank = (accountNumber: string) => ({
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber,
  accountHolderName: 'Outbox Test Co',
  accountHolderType: 'company',
});
const ACH_SUCCEEDS = '000123456789';
const ACH_RETURNED = '000555555559';

/** A session for `cus_<name>` and a payment method token in it. */
async function checkout(api: Api, name: string, method: 'card' | 'ach_debit' = 'card') {
  const session = await call<{ clientToken: string }>(api, 'POST', '/v1/sessions', api.secretKey, {
    customerId: `cus_${name}`,
  });
  expect(session.status).toBe(201);
  const ct = session.body.clientToken;
  const token = await call<{ id: string }>(
    api,
    'POST',
    '/v1/sandbox/tokens',
    ct,
    method === 'card' ? CARD : bank(ACH_SUCCEEDS),
  );
  expect(token.status).toBe(201);
  const body = {
    method,
    allocations: [{ invoiceId: `inv_${name}`, amount: BALANCE }],
    paymentMethodToken: token.body.id,
  };
  return {
    ct,
    body,
    pay: (key: string, override: object = {}) =>
      call<Payment | Problem>(
        api,
        'POST',
        '/v1/session/payments',
        ct,
        { ...body, ...override },
        { 'idempotency-key': key },
      ),
  };
}

async function achToken(api: Api, ct: string, accountNumber: string): Promise<string> {
  const token = await call<{ id: string }>(api, 'POST', '/v1/sandbox/tokens', ct, bank(accountNumber));
  expect(token.status).toBe(201);
  return token.body.id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getPayment(api: Api, id: string): Promise<Payment> {
  const res = await call<Payment>(api, 'GET', `/v1/payments/${id}`, api.secretKey);
  expect(res.status).toBe(200);
  return res.body;
}

function paymentWhere(api: Api, id: string, what: string, ok: (p: Payment) => boolean): Promise<Payment> {
  return waitFor(`${id} to be ${what}`, async () => {
    const p = await getPayment(api, id);
    return ok(p) ? p : undefined;
  });
}

async function outboxJob(api: Api, dedupeKey: string) {
  return api.settle.deps.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

/** The merchant's view of an invoice: its ERP balance and what in-flight payments reserve on it. */
async function invoiceView(api: Api, name: string) {
  const res = await call<{ invoices: Array<{ id: string; openAmount: number; pendingAmount: number }> }>(
    api,
    'GET',
    `/v1/customers/cus_${name}/open-items`,
    api.secretKey,
  );
  expect(res.status).toBe(200);
  return (
    res.body.invoices.find((i) => i.id === `inv_${name}`) ?? { id: `inv_${name}`, openAmount: 0, pendingAmount: 0 }
  );
}

async function erpOpen(erp: MemoryErp, name: string): Promise<number> {
  const items = await erp.listOpenItems(`cus_${name}`);
  return items.invoices.find((i) => i.id === `inv_${name}`)?.openAmount ?? 0;
}

const CUSTOMERS = [
  'down',
  'lost_answer',
  'parked',
  'returned',
  'return_erp_down',
  'return_never_posted',
  'return_lost_answer',
  'expire_closed_card',
  'expire_closed_ach',
  'confirm_retry',
  'confirm_expire',
  'confirm_lost',
] as const;

describe.each(STORES)('the outbox through the API on %s', (store) => {
  let server: Api & { close(): Promise<void> };
  let erp: MemoryErp;
  beforeAll(async () => {
    erp = ledger(CUSTOMERS);
    // The tests below swap erp's methods while the server runs.
    server = await startTestServer({ store, erp: callThrough(erp) });
  });
  afterAll(() => server?.close());
  afterEach(() => {
    // Undo the per-test monkeypatches (own properties shadowing the prototype's methods).
    erp.setAvailable(true);
    erp.failNext(0);
    for (const name of ['postPayment', 'reversePayment'] as const) delete (erp as Partial<MemoryErp>)[name];
    delete (server.settle.deps.processor as { confirm?: unknown }).confirm;
  });

  it('a payment that succeeds while the ERP is down stays pending, retries, and posts once when it is back', async () => {
    const { ct, pay } = await checkout(server, 'down', 'ach_debit');
    const created = await pay('down-1');
    expect(created.status).toBe(201);
    const payment = created.body as Payment;
    expect(payment.status).toBe('processing');
    erp.setAvailable(false); // before the ACH debit settles (1 s in the test server)

    const succeeded = await paymentWhere(server, payment.id, 'succeeded', (p) => p.status === 'succeeded');
    expect(succeeded.erpStatus).toBe('pending');
    const retried = await waitFor('the posting to be retried', async () => {
      const job = await outboxJob(server, `erp_post:${payment.id}`);
      return job && job.attempts >= 3 ? job : undefined;
    });
    expect(retried.status).toBe('pending');
    expect(retried.last_error).toMatch(/ErpUnavailableError: ERP is down/);
    expect(new Date(retried.run_at).getTime()).toBeGreaterThan(new Date(retried.created_at).getTime());
    expect(erp.postingCount(payment.id)).toBe(0);
    // Still reserved: the session, served from its snapshot while the ERP is down, shows it pending.
    const view = await call<{ invoices: Array<{ id: string; pendingAmount: number }> }>(
      server,
      'GET',
      '/v1/session',
      ct,
    );
    expect(view.status).toBe(200);
    expect(view.body.invoices.find((i) => i.id === 'inv_down')?.pendingAmount).toBe(BALANCE);
    // A new payment cannot be accepted without the ERP's current balance: a 503, never a 500.
    const rival = await (async () => {
      const token = await achToken(server, ct, ACH_SUCCEEDS);
      return pay('down-rival', { paymentMethodToken: token });
    })();
    expect(rival.status).toBe(503);
    expect((rival.body as Problem).code).toBe('erp_unavailable');

    erp.setAvailable(true);
    const posted = await paymentWhere(server, payment.id, 'posted', (p) => p.erpStatus === 'posted');
    expect(posted.status).toBe('succeeded');
    expect(posted.erpReference).toMatch(/^RCPT-/);
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(await erpOpen(erp, 'down')).toBe(0);
    const job = await outboxJob(server, `erp_post:${payment.id}`);
    expect(job?.status).toBe('done');
    expect(job?.attempts).toBeGreaterThanOrEqual(3);
    await sleep(150); // a few more polls change nothing
    expect(erp.postingCount(payment.id)).toBe(1);
  });

  it('an ERP that applies a posting but loses its answer is not applied twice by the retry', async () => {
    const original = MemoryErp.prototype.postPayment;
    let lost = 0;
    erp.postPayment = async function (this: MemoryErp, posting: ErpPosting) {
      const result = await original.call(this, posting);
      if (posting.customerId === 'cus_lost_answer' && lost++ === 0) {
        throw new ErpUnavailableError('connection reset after the ERP committed');
      }
      return result;
    };
    const { pay } = await checkout(server, 'lost_answer');
    const created = await pay('lost-1');
    const payment = created.body as Payment;
    expect(payment.status).toBe('succeeded');
    const posted = await paymentWhere(server, payment.id, 'posted', (p) => p.erpStatus === 'posted');
    expect(lost).toBe(2);
    expect(erp.postingCount(posted.id)).toBe(1);
    expect(await erpOpen(erp, 'lost_answer')).toBe(0);
    expect((await outboxJob(server, `erp_post:${payment.id}`))?.attempts).toBe(1);
  });

  it('a posting the ERP rejects is parked, listed for the merchant, and keeps its reservation', async () => {
    const { pay } = await checkout(server, 'parked');
    erp.failNext(1, 'rejected');
    const created = await pay('parked-1');
    const payment = created.body as Payment;
    expect(payment.status).toBe('succeeded');
    const parked = await paymentWhere(server, payment.id, 'parked', (p) => p.erpStatus === 'parked');
    expect(parked.events.at(-1)).toMatchObject({ kind: 'erp', from: 'pending', to: 'parked' });
    expect(parked.events.at(-1)?.cause).toMatch(/^erp rejected: /);
    expect(erp.postingCount(payment.id)).toBe(0);
    expect((await outboxJob(server, `erp_post:${payment.id}`))?.status).toBe('done');

    const list = await call<{ data: Payment[] }>(server, 'GET', '/v1/payments?erpStatus=parked', server.secretKey);
    expect(list.status).toBe(200);
    expect(list.body.data.map((p) => p.id)).toContain(payment.id);
    for (const p of list.body.data) expect(p.erpStatus).toBe('parked');

    // The ERP still shows the invoice open, but Settle knows it was paid: it stays reserved.
    const inv = await invoiceView(server, 'parked');
    expect(inv.openAmount).toBe(BALANCE);
    expect(inv.pendingAmount).toBe(BALANCE);
    const again = await (await checkout(server, 'parked')).pay('parked-2');
    expect(again.status).toBe(422);
    expect((again.body as Problem).details?.[0]?.code).toBe('invoice_payment_pending');
  });

  it('an ACH return after posting enqueues one reversal that restores the ERP balance', async () => {
    const reversals = countReversals(erp);
    const { ct, pay } = await checkout(server, 'returned', 'ach_debit');
    const created = await pay('returned-1', { paymentMethodToken: await achToken(server, ct, ACH_RETURNED) });
    const payment = created.body as Payment;
    expect(payment.status).toBe('processing');
    await paymentWhere(server, payment.id, 'posted', (p) => p.erpStatus === 'posted');
    expect(await erpOpen(erp, 'returned')).toBe(0);

    const reversed = await paymentWhere(server, payment.id, 'reversed in the ERP', (p) => p.erpStatus === 'reversed');
    expect(reversed.status).toBe('reversed');
    expect(reversed.failure).not.toBeNull();
    expect(reversed.events.filter((e) => e.kind === 'erp').map((e) => e.to)).toEqual([
      'pending',
      'posted',
      'reversal_pending',
      'reversed',
    ]);
    expect(await erpOpen(erp, 'returned')).toBe(BALANCE);
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(reversals.applied(payment.id)).toBe(1);
    await sleep(150);
    expect(reversals.applied(payment.id)).toBe(1);
    expect((await outboxJob(server, `erp_reverse:${payment.id}`))?.status).toBe('done');
  });

  it('an ACH return while the ERP is down is reversed once the ERP is back', async () => {
    const reversals = countReversals(erp);
    const original = MemoryErp.prototype.postPayment;
    let target = '';
    // Take the ERP down the moment this payment is posted: the return then finds it down.
    erp.postPayment = async function (this: MemoryErp, posting: ErpPosting) {
      const result = await original.call(this, posting);
      if (posting.paymentId === target) this.setAvailable(false);
      return result;
    };
    const { ct, pay } = await checkout(server, 'return_erp_down', 'ach_debit');
    const created = await pay('return-down-1', { paymentMethodToken: await achToken(server, ct, ACH_RETURNED) });
    const payment = created.body as Payment;
    target = payment.id;

    const pending = await paymentWhere(
      server,
      payment.id,
      'reversal_pending',
      (p) => p.erpStatus === 'reversal_pending',
    );
    expect(pending.status).toBe('reversed');
    const retried = await waitFor('the reversal to be retried', async () => {
      const job = await outboxJob(server, `erp_reverse:${payment.id}`);
      return job && job.attempts >= 2 ? job : undefined;
    });
    expect(retried.last_error).toMatch(/ERP is down/);
    expect(reversals.applied(payment.id)).toBe(0);

    erp.setAvailable(true);
    await paymentWhere(server, payment.id, 'reversed in the ERP', (p) => p.erpStatus === 'reversed');
    expect(await erpOpen(erp, 'return_erp_down')).toBe(BALANCE);
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(reversals.applied(payment.id)).toBe(1);
  });

  it('an ACH return before the posting ever reached the ERP is reversed as a no-op, leaving the ERP as it was', async () => {
    const reversals = countReversals(erp);
    const { ct, pay } = await checkout(server, 'return_never_posted', 'ach_debit');
    const created = await pay('return-never-1', { paymentMethodToken: await achToken(server, ct, ACH_RETURNED) });
    const payment = created.body as Payment;
    erp.setAvailable(false);

    // Settle cannot know whether a posting whose answer it never got reached the ERP: it reverses it.
    const returned = await paymentWhere(server, payment.id, 'returned', (p) => p.status === 'reversed');
    expect(returned.erpStatus).toBe('reversal_pending');
    expect(erp.postingCount(payment.id)).toBe(0);
    erp.setAvailable(true);

    const reversed = await paymentWhere(server, payment.id, 'reversed in the ERP', (p) => p.erpStatus === 'reversed');
    expect(reversed.events.filter((e) => e.kind === 'erp').map((e) => e.to)).toEqual([
      'pending',
      'reversal_pending',
      'reversed',
    ]);
    // The stale posting job wakes up, finds nothing to post and finishes.
    await waitFor('the stale posting job to finish', async () => {
      const job = await outboxJob(server, `erp_post:${payment.id}`);
      return job?.status === 'done' ? job : undefined;
    });
    expect((await outboxJob(server, `erp_reverse:${payment.id}`))?.status).toBe('done');
    // One reversal sent, of a posting the ERP never applied: nothing posted, nothing changed.
    expect(reversals.applied(payment.id)).toBe(1);
    expect(erp.postingCount(payment.id)).toBe(0);
    expect(await erpOpen(erp, 'return_never_posted')).toBe(BALANCE);
    expect((await getPayment(server, payment.id)).erpStatus).toBe('reversed');
    expect(await invoiceView(server, 'return_never_posted')).toMatchObject({ openAmount: BALANCE, pendingAmount: 0 });
  });

  it('an ACH return of a posting the ERP applied but never confirmed reverses it in the ERP', async () => {
    const reversals = countReversals(erp);
    const original = MemoryErp.prototype.postPayment;
    let calls = 0;
    // The ERP applies the posting every time but its answer never arrives: Settle still says pending.
    erp.postPayment = async function (this: MemoryErp, posting: ErpPosting) {
      const result = await original.call(this, posting);
      if (posting.customerId !== 'cus_return_lost_answer') return result;
      calls++;
      throw new ErpUnavailableError('connection reset after the ERP committed');
    };
    const { ct, pay } = await checkout(server, 'return_lost_answer', 'ach_debit');
    const created = await pay('return-lost-1', { paymentMethodToken: await achToken(server, ct, ACH_RETURNED) });
    const payment = created.body as Payment;
    expect(payment.status).toBe('processing');

    await waitFor('the posting to reach the ERP', async () => (calls > 0 ? true : undefined));
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(await erpOpen(erp, 'return_lost_answer')).toBe(0);

    const reversed = await paymentWhere(server, payment.id, 'reversed in the ERP', (p) => p.erpStatus === 'reversed');
    expect(reversed.status).toBe('reversed');
    expect(reversed.events.filter((e) => e.kind === 'erp').map((e) => e.to)).toEqual([
      'pending',
      'reversal_pending',
      'reversed',
    ]);
    expect(reversals.applied(payment.id)).toBe(1);
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(await erpOpen(erp, 'return_lost_answer')).toBe(BALANCE);
    await waitFor('the stale posting job to finish', async () => {
      const job = await outboxJob(server, `erp_post:${payment.id}`);
      return job?.status === 'done' ? job : undefined;
    });
    await sleep(150);
    expect(reversals.applied(payment.id)).toBe(1);
    expect(await erpOpen(erp, 'return_lost_answer')).toBe(BALANCE);
    expect((await invoiceView(server, 'return_lost_answer')).pendingAmount).toBe(0);
  });

  it('a confirmed payment closes its payment_expire job at once', async () => {
    const card = await (await checkout(server, 'expire_closed_card')).pay('expire-closed-card');
    expect((card.body as Payment).status).toBe('succeeded');
    const ach = await (await checkout(server, 'expire_closed_ach', 'ach_debit')).pay('expire-closed-ach');
    expect((ach.body as Payment).status).toBe('processing');
    for (const payment of [card.body, ach.body] as Payment[]) {
      // Read as soon as the payment is answered: closed in the same transaction as the confirmation.
      const job = await outboxJob(server, `payment_expire:${payment.id}`);
      expect(job).toMatchObject({ kind: 'payment_expire', status: 'done', attempts: 0 });
      expect(job?.done_at).not.toBeNull();
      expect(new Date(job!.run_at).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    }
  });

  it('a processor outage leaves the payment requires_confirmation and reserved; the same key completes it', async () => {
    failConfirmOnce(server, 'before');
    const { pay } = await checkout(server, 'confirm_retry');
    const failed = await pay('confirm-retry-1');
    expect(failed.status).toBe(503);
    expect((failed.body as Problem).code).toBe('processor_unavailable');

    const list = await call<{ data: Payment[] }>(
      server,
      'GET',
      '/v1/payments?customerId=cus_confirm_retry',
      server.secretKey,
    );
    expect(list.body.data).toHaveLength(1);
    const stuck = list.body.data[0]!;
    expect(stuck.status).toBe('requires_confirmation');
    expect(stuck.erpStatus).toBe('none');
    expect((await invoiceView(server, 'confirm_retry')).pendingAmount).toBe(BALANCE);
    const rival = await (await checkout(server, 'confirm_retry')).pay('confirm-retry-rival');
    expect(rival.status).toBe(422);

    const retried = await pay('confirm-retry-1');
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ id: stuck.id, status: 'succeeded' });
    await paymentWhere(server, stuck.id, 'posted', (p) => p.erpStatus === 'posted');
    expect(erp.postingCount(stuck.id)).toBe(1);
    expect(await erpOpen(erp, 'confirm_retry')).toBe(0);
  });

  it('a payment never confirmed is canceled by its payment_expire job, releasing the reservation', async () => {
    failConfirmOnce(server, 'before');
    const { pay } = await checkout(server, 'confirm_expire');
    const failed = await pay('confirm-expire-1');
    expect(failed.status).toBe(503);
    const [stuck] = (
      await call<{ data: Payment[] }>(server, 'GET', '/v1/payments?customerId=cus_confirm_expire', server.secretKey)
    ).body.data;
    expect(stuck?.status).toBe('requires_confirmation');
    const id = stuck!.id;
    expect((await invoiceView(server, 'confirm_expire')).pendingAmount).toBe(BALANCE);

    const job = await outboxJob(server, `payment_expire:${id}`);
    expect(job?.status).toBe('pending');
    expect(new Date(job!.run_at).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    await expireNow(server, id);

    const canceled = await paymentWhere(server, id, 'canceled', (p) => p.status === 'canceled');
    expect(canceled.events.at(-1)).toMatchObject({ kind: 'status', from: 'requires_confirmation', to: 'canceled' });
    expect(canceled.events.at(-1)?.cause).toBe('expired');
    expect(canceled.erpStatus).toBe('none');
    expect((await invoiceView(server, 'confirm_expire')).pendingAmount).toBe(0);

    // A late retry of the old request charges nothing; a new payment may now take the invoice.
    const late = await pay('confirm-expire-1');
    expect(late.body).toMatchObject({ id, status: 'canceled' });
    const intents = await server.settle.deps.db
      .selectFrom('sandbox_intents')
      .select('status')
      .where('payment_id', '=', id)
      .execute();
    expect(intents).toEqual([{ status: 'canceled' }]);
    const fresh = await (await checkout(server, 'confirm_expire')).pay('confirm-expire-2');
    expect(fresh.status).toBe(201);
    expect((fresh.body as Payment).status).toBe('succeeded');
    expect(erp.postingCount(id)).toBe(0);
  });

  it('a confirmation whose answer was lost is reconciled to succeeded by the expire job, not canceled', async () => {
    failConfirmOnce(server, 'after');
    const { pay } = await checkout(server, 'confirm_lost');
    const failed = await pay('confirm-lost-1');
    expect(failed.status).toBe(503);
    const [stuck] = (
      await call<{ data: Payment[] }>(server, 'GET', '/v1/payments?customerId=cus_confirm_lost', server.secretKey)
    ).body.data;
    expect(stuck?.status).toBe('requires_confirmation');
    await expireNow(server, stuck!.id);
    const posted = await paymentWhere(server, stuck!.id, 'posted', (p) => p.erpStatus === 'posted');
    expect(posted.status).toBe('succeeded');
    expect(posted.events.find((e) => e.to === 'succeeded')?.cause).toBe('processor.reconcile');
    expect(erp.postingCount(posted.id)).toBe(1);
    expect(await erpOpen(erp, 'confirm_lost')).toBe(0);
  });
});

/** Counts reversals that reached the ledger (calls that did not throw), per payment. */
function countReversals(erp: MemoryErp) {
  const original = MemoryErp.prototype.reversePayment;
  const counts = new Map<string, number>();
  erp.reversePayment = async function (this: MemoryErp, paymentId: string, reason?: string) {
    await original.call(this, paymentId, reason);
    counts.set(paymentId, (counts.get(paymentId) ?? 0) + 1);
  };
  return { applied: (id: string) => counts.get(id) ?? 0 };
}

/** The next processor confirm fails: before reaching the processor, or after it charged (the answer lost). */
function failConfirmOnce(api: Api, when: 'before' | 'after') {
  const processor = api.settle.deps.processor;
  const original = Object.getPrototypeOf(processor).confirm as typeof processor.confirm;
  processor.confirm = async (input: ConfirmInput) => {
    delete (processor as { confirm?: unknown }).confirm;
    if (when === 'after') await original.call(processor, input);
    throw new Error('ECONNRESET: processor unreachable');
  };
}

async function expireNow(api: Api, paymentId: string) {
  const result = await api.settle.deps.db
    .updateTable('outbox')
    .set({ run_at: new Date() })
    .where('dedupe_key', '=', `payment_expire:${paymentId}`)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  expect(Number(result.numUpdatedRows)).toBe(1);
}

/** A server on a database that outlives it: a PostgreSQL database, or a PGlite folder on disk. */
async function startDurable(store: StoreKind, place: string, erp: MemoryErp, worker: boolean) {
  const secretKey = `sk_test_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: store === 'postgres' ? place : null,
      dataDir: store === 'pglite' ? place : join(tmpdir(), 'unused'),
      secretKey,
      sandboxAchSettleSeconds: 1,
      outbox: { pollMs: 25, baseDelayMs: 50, maxDelayMs: 500, leaseMs: 5_000 },
      // No mail: these tests are about the ERP posting, and mail.test.ts covers mail on restarts.
      mail: { transport: 'off', smtpUrl: null, from: '', arEmail: null, catcherPort: 0 },
    },
  );
  const silent = { info() {}, warn() {}, error() {} };
  const settle = await createSettle({ config, erp, inMemory: false, log: silent, worker });
  const http = await listen(settle, 0, '127.0.0.1');
  settle.deps.config.publicUrl = http.url;
  return {
    url: http.url,
    secretKey,
    settle,
    async close() {
      await http.close();
      await settle.close();
    },
  };
}

describe.each(STORES)('a restart on %s', (store) => {
  let place: string;
  beforeAll(async () => {
    place = store === 'postgres' ? await freshPostgresDatabase() : await mkdtemp(join(tmpdir(), 'settle-restart-'));
  });
  afterAll(async () => {
    if (store === 'pglite' && place) await rm(place, { recursive: true, force: true });
  });

  it('loses nothing: jobs enqueued before the restart run after it, exactly once', async () => {
    const erp = ledger(['restart_card', 'restart_ach']);
    const first = await startDurable(store, place, erp, false);
    let card: Payment;
    let ach: Payment;
    try {
      const created = await (await checkout(first, 'restart_card')).pay('restart-card');
      card = created.body as Payment;
      expect(card).toMatchObject({ status: 'succeeded', erpStatus: 'pending' });
      const achCreated = await (await checkout(first, 'restart_ach', 'ach_debit')).pay('restart-ach');
      ach = achCreated.body as Payment;
      expect(ach.status).toBe('processing');
      const job = await outboxJob(first, `erp_post:${card.id}`);
      expect(job).toMatchObject({ status: 'pending', attempts: 0 });
      await sleep(100);
      expect(erp.postingCount(card.id)).toBe(0);
    } finally {
      await first.close();
    }

    const second = await startDurable(store, place, erp, true);
    try {
      await paymentWhere(second, card.id, 'posted', (p) => p.erpStatus === 'posted');
      // The ACH settlement scheduled before the restart arrives after it, and is posted too.
      await paymentWhere(second, ach.id, 'posted', (p) => p.status === 'succeeded' && p.erpStatus === 'posted');
      expect(erp.postingCount(card.id)).toBe(1);
      expect(erp.postingCount(ach.id)).toBe(1);
      expect(await erpOpen(erp, 'restart_card')).toBe(0);
      expect(await erpOpen(erp, 'restart_ach')).toBe(0);
    } finally {
      await second.close();
    }

    // Another restart finds nothing left to do.
    const third = await startDurable(store, place, erp, true);
    try {
      await sleep(150);
      const pending = await third.settle.deps.db
        .selectFrom('outbox')
        .select('kind')
        .where('status', '=', 'pending')
        .where('run_at', '<=', new Date())
        .execute();
      expect(pending).toEqual([]);
      expect(erp.postingCount(card.id)).toBe(1);
      expect(erp.postingCount(ach.id)).toBe(1);
    } finally {
      await third.close();
    }
  });
});

describe.each(STORES)('OutboxWorker on %s', (store) => {
  const dbs: Db[] = [];
  let url: string | null = null;
  /** A store for the workers; on PostgreSQL each call is another pool, as another instance would have. */
  async function open(): Promise<Db> {
    const db = await openStore({ databaseUrl: url, dataDir: null });
    dbs.push(db);
    return db;
  }
  let db: Db;
  beforeAll(async () => {
    if (store === 'postgres') url = await freshPostgresDatabase();
    db = await open();
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.destroy()));
  });

  const options = (workerId: string, extra: Partial<ConstructorParameters<typeof OutboxWorker>[2]> = {}) => ({
    pollMs: 5,
    baseDelayMs: 40,
    maxDelayMs: 10_000,
    leaseMs: 5_000,
    workerId,
    ...extra,
  });

  async function row(dedupeKey: string) {
    return db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow();
  }

  it('enqueues at most one job per dedupe key', async () => {
    await enqueue(db, { kind: 'noop', payload: { n: 1 }, dedupeKey: 'dedupe:1' });
    await enqueue(db, { kind: 'noop', payload: { n: 2 }, dedupeKey: 'dedupe:1' });
    const rows = await db.selectFrom('outbox').selectAll().where('dedupe_key', '=', 'dedupe:1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toEqual({ n: 1 });
    await db.updateTable('outbox').set({ status: 'done' }).where('dedupe_key', '=', 'dedupe:1').execute();
  });

  it('retries a throwing handler with a growing delay, recording attempts and the last error', async () => {
    const calls: Array<{ at: number; attempts: number; payload: unknown }> = [];
    const worker = new OutboxWorker(
      db,
      {
        flaky: async (payload, job) => {
          calls.push({ at: Date.now(), attempts: job.attempts, payload });
          if (calls.length <= 4) throw new Error(`boom ${calls.length}`);
        },
      },
      options('w_retry'),
    );
    await enqueue(db, { kind: 'flaky', payload: { hello: 'world' }, dedupeKey: 'flaky:1' });
    worker.start();
    try {
      const midway = await waitFor('two failures', async () => {
        const r = await row('flaky:1');
        return r.attempts >= 2 ? r : undefined;
      });
      expect(midway.status).toBe('pending');
      expect(midway.last_error).toMatch(/^Error: boom \d$/);
      await waitFor('the fifth run', async () => ((await row('flaky:1')).status === 'done' ? true : undefined));
    } finally {
      await worker.stop();
    }
    expect(calls.map((c) => c.attempts)).toEqual([0, 1, 2, 3, 4]);
    expect(calls[0]?.payload).toEqual({ hello: 'world' });
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    // Each wait is at least base * 2^(attempt-1) (40, 80, 160, 320 ms), plus at most 10% jitter and
    // scheduling slack (generous: the machine may be busy with other test files).
    gaps.forEach((gap, i) => {
      const delay = 40 * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(delay);
      expect(gap).toBeLessThan(delay * 1.1 + 500);
    });
    expect(gaps[3]!).toBeGreaterThan(gaps[0]!);
    const done = await row('flaky:1');
    expect(done).toMatchObject({ status: 'done', attempts: 4, locked_by: null, locked_until: null });
    expect(done.done_at).not.toBeNull();
  });

  it('caps the delay at maxDelayMs and treats an unknown kind as a failure', async () => {
    const worker = new OutboxWorker(db, {}, options('w_cap', { baseDelayMs: 20, maxDelayMs: 30 }));
    await enqueue(db, { kind: 'nobody_handles_this', payload: {}, dedupeKey: 'orphan:1' });
    await worker.runDue();
    await waitFor('a few retries', async () => {
      await worker.runDue();
      return (await row('orphan:1')).attempts >= 4 ? true : undefined;
    });
    const r = await row('orphan:1');
    expect(r.status).toBe('pending');
    expect(r.last_error).toMatch(/No handler for outbox job kind "nobody_handles_this"/);
    // Back-off is capped: the next run is at most maxDelay (+10% jitter) away.
    expect(new Date(r.run_at).getTime() - Date.now()).toBeLessThanOrEqual(33);
    await db.updateTable('outbox').set({ status: 'done' }).where('dedupe_key', '=', 'orphan:1').execute();
  });

  it('parks a job after maxAttempts, keeping its last error, and says so', async () => {
    const parked: Array<{ kind: string; attempts: number; lastError: string }> = [];
    const worker = new OutboxWorker(
      db,
      {
        doomed: async () => {
          throw new Error('never works');
        },
      },
      options('w_park', {
        baseDelayMs: 1,
        maxDelayMs: 2,
        maxAttempts: 3,
        onParked: async (job) => {
          parked.push(job);
        },
      }),
    );
    await enqueue(db, { kind: 'doomed', payload: { paymentId: 'pay_none' }, dedupeKey: 'doomed:1' });
    await waitFor('parked', async () => {
      await worker.runDue();
      return (await row('doomed:1')).status === 'parked' ? true : undefined;
    });
    const r = await row('doomed:1');
    expect(r).toMatchObject({ status: 'parked', attempts: 3 });
    expect(r.last_error).toMatch(/never works/);
    expect(parked).toEqual([expect.objectContaining({ kind: 'doomed', attempts: 3 })]);
    // Parked jobs are not claimed again.
    expect(await worker.runDue()).toBe(0);
  });

  it('two workers on one database never run the same job at the same time', async () => {
    const jobs = 40;
    const running = new Set<string>();
    const runs = new Map<string, number>();
    const byWorker = new Map<string, number>();
    let overlaps = 0;
    const handler =
      (workerId: string): JobHandler =>
      async (payload) => {
        const { n } = payload as { n: number };
        const key = `pair:${n}`;
        if (running.has(key)) overlaps++;
        running.add(key);
        const count = (runs.get(key) ?? 0) + 1;
        runs.set(key, count);
        byWorker.set(workerId, (byWorker.get(workerId) ?? 0) + 1);
        await sleep(8);
        running.delete(key);
        // Every job fails its first run, so each is claimed twice: the retry must be exclusive too.
        if (count === 1) throw new Error('first run fails');
      };
    const dbB = store === 'postgres' ? await open() : db;
    const a = new OutboxWorker(db, { pair: handler('a') }, options('w_pair_a', { baseDelayMs: 10 }));
    const b = new OutboxWorker(dbB, { pair: handler('b') }, options('w_pair_b', { baseDelayMs: 10 }));
    for (let n = 0; n < jobs; n++) await enqueue(db, { kind: 'pair', payload: { n }, dedupeKey: `pair:${n}` });
    a.start();
    b.start();
    try {
      await waitFor('every job done', async () => {
        const left = await db
          .selectFrom('outbox')
          .select('id')
          .where('kind', '=', 'pair')
          .where('status', '=', 'pending')
          .execute();
        return left.length === 0 ? true : undefined;
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(overlaps).toBe(0);
    expect(runs.size).toBe(jobs);
    for (const count of runs.values()) expect(count).toBe(2);
    expect(byWorker.get('a')).toBeGreaterThan(0);
    expect(byWorker.get('b')).toBeGreaterThan(0);
  });

  it("picks up a crashed worker's job once its lease expires, and the crashed one cannot steal it back", async () => {
    let wake!: (err: Error) => void;
    const crashed = new OutboxWorker(
      db,
      { lease: () => new Promise<void>((_, reject) => (wake = reject)) },
      options('w_crashed', { leaseMs: 300 }),
    );
    let release!: () => void;
    let rescued = 0;
    const rescuer = new OutboxWorker(
      db,
      {
        lease: async () => {
          rescued++;
          await new Promise<void>((r) => (release = r));
        },
      },
      options('w_rescuer'),
    );
    await enqueue(db, { kind: 'lease', payload: {}, dedupeKey: 'lease:1' });
    const hung = crashed.runDue();
    await waitFor('the claim', async () => ((await row('lease:1')).locked_by === 'w_crashed' ? true : undefined));
    expect(await rescuer.runDue()).toBe(0); // the lease still holds

    await sleep(350);
    const rescuing = rescuer.runDue();
    await waitFor('the rescue', async () => (rescued === 1 ? true : undefined));
    expect((await row('lease:1')).locked_by).toBe('w_rescuer');

    // The "crashed" worker wakes up and fails: that must not release the rescuer's lease.
    wake(new Error('woke up late'));
    await hung;
    const during = await row('lease:1');
    expect(during.locked_by).toBe('w_rescuer');
    expect(during.status).toBe('pending');
    const third = new OutboxWorker(db, { lease: async () => expect.fail('ran twice') }, options('w_third'));
    expect(await third.runDue()).toBe(0);

    release();
    expect(await rescuing).toBe(1);
    const done = await row('lease:1');
    expect(done).toMatchObject({ status: 'done', attempts: 0, locked_by: null });
    expect(rescued).toBe(1);
  });
});
