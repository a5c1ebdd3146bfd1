/**
 * The Tryton adapter against a real trytond (Debian's tryton-server 6.0 on SQLite, seeded by
 * server/tryton/seed.py): the conformance kit, session renewal, and Settle's outbox posting a
 * card payment into Tryton exactly once, also across a trytond outage.
 */
import { type Payment, parseDecimal } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runErpConformance } from '../src/erp/conformance.js';
import { ErpRejectedError, ErpUnavailableError } from '../src/erp/port.js';
import { withTimeout } from '../src/erp/timeout.js';
import { createTrytonErp, type TrytonErp } from '../src/erp/tryton/index.js';
import { TrytonConflictError, trytonError } from '../src/erp/tryton/rpc.js';
import { call, STORES, startTestServer, type TestServer, waitFor } from './harness.js';
import { startTrytond, type Trytond } from './trytond.js';

let trytond: Trytond;

beforeAll(async () => {
  // A short session timeout: a wizard run after 3 s without calls needs a fresh login.
  trytond = await startTrytond({ sessionTimeout: 3 });
}, 120_000);

afterAll(async () => {
  await trytond?.close();
});

const adapter = (): TrytonErp =>
  createTrytonErp({
    url: trytond.url,
    user: trytond.user,
    password: trytond.password,
    journal: 'Settle',
    timeoutMs: 10_000,
  });

runErpConformance('tryton', async () => ({
  adapter: adapter(),
  customerId: trytond.seed.customer,
  makeUnavailable: () => trytond.stop(),
  restore: () => trytond.start(),
}));

describe('SETTLE_TRYTON_* settings', () => {
  const env = {
    SETTLE_ERP: 'tryton',
    SETTLE_TRYTON_URL: 'http://127.0.0.1:8000/settle/',
    SETTLE_TRYTON_USER: 'admin',
    SETTLE_TRYTON_PASSWORD: 'secret',
  };

  it('reads them only for SETTLE_ERP=tryton, with the seeded payment method as the default journal', () => {
    expect(loadConfig({}).tryton).toBeNull();
    expect(loadConfig(env).tryton).toEqual({
      url: 'http://127.0.0.1:8000/settle/',
      user: 'admin',
      password: 'secret',
      journal: 'Settle',
      surchargeAccount: 'Card surcharge income',
      timeoutMs: 15_000,
    });
    expect(loadConfig({ ...env, SETTLE_TRYTON_JOURNAL: 'Bank' }).tryton?.journal).toBe('Bank');
    expect(loadConfig({ ...env, SETTLE_TRYTON_SURCHARGE_ACCOUNT: '7100' }).tryton?.surchargeAccount).toBe('7100');
  });

  it.each([
    [{ SETTLE_TRYTON_PASSWORD: '' }, /needs SETTLE_TRYTON_PASSWORD/],
    [{ SETTLE_TRYTON_URL: 'not a url' }, /SETTLE_TRYTON_URL must be a URL/],
    [{ SETTLE_TRYTON_URL: 'ftp://host/settle/' }, /SETTLE_TRYTON_URL must be http or https/],
    [{ SETTLE_TRYTON_URL: 'http://127.0.0.1:8000/' }, /SETTLE_TRYTON_URL must end in the database name/],
  ])('refuses %o and names the variable', (over, message) => {
    expect(() => loadConfig({ ...env, ...over })).toThrow(message);
  });
});

describe('TrytonErp', () => {
  it('maps parties, invoices and the credit memo with exact minor units', async () => {
    const erp = adapter();
    const customers = await erp.listCustomers();
    expect(customers.map((c) => c.name).sort()).toEqual(['Acme Industrial Supply', 'Harbor Freight Lines']);
    const acme = customers.find((c) => c.name === 'Acme Industrial Supply');
    expect(acme).toMatchObject({ id: 'cus_acme', email: 'ap@acme.example', currency: 'USD' });
    const { invoices, credits } = await erp.listOpenItems(trytond.seed.customer);
    const partly = invoices.find((i) => i.id === String(trytond.seed.partlyPaidInvoice));
    expect(partly).toMatchObject({ amount: 99_000, openAmount: 79_000, poNumber: 'PO-1005', currency: 'USD' });
    expect(invoices.find((i) => i.poNumber === 'PO-1002')?.amount).toBe(86_040);
    expect(credits).toEqual([
      expect.objectContaining({ id: String(trytond.seed.creditMemo), amount: 15_000, openAmount: 15_000 }),
    ]);
    expect(await erp.getCustomer('cus_nobody')).toBeNull();
    expect(await erp.getCustomer('cus_harbor')).toMatchObject({ name: 'Harbor Freight Lines' });
  });

  it('logs in again when trytond expired the session', async () => {
    const erp = adapter();
    await erp.listCustomers();
    expect(erp.rpc.logins).toBe(1);
    await trytond.sql('DELETE FROM ir_session');
    expect((await erp.listCustomers()).length).toBe(2);
    expect(erp.rpc.logins).toBe(2);
  });

  it('completes a posting that trytond went away in the middle of, without doubling the part already made', async () => {
    const erp = adapter();
    const { invoices } = await erp.listOpenItems(trytond.seed.customer);
    const [a, b] = invoices;
    if (!a || !b) throw new Error('the seed has fewer than 2 open invoices');
    const posting = {
      paymentId: `pay_tryton_halfway_${Date.now()}`,
      customerId: trytond.seed.customer,
      currency: 'USD',
      date: new Date().toISOString().slice(0, 10),
      method: 'ach_debit' as const,
      cashAmount: 3_000,
      surchargeAmount: 0,
      reference: 'Settle halfway test',
      applications: [
        { invoiceId: a.id, cash: 1_000, credit: 0, deduction: null },
        { invoiceId: b.id, cash: 2_000, credit: 0, deduction: null },
      ],
      credits: [],
      unappliedAmount: 0,
    };
    // trytond stops right after the first wizard run finished: the second run finds it gone.
    const call = erp.rpc.call.bind(erp.rpc);
    let stopped = false;
    erp.rpc.call = async <T>(method: string, params: unknown[]): Promise<T> => {
      const result = await call<T>(method, params);
      if (method === 'wizard.account.invoice.pay.delete' && !stopped) {
        stopped = true;
        await trytond.stop();
      }
      return result;
    };
    try {
      await expect(erp.postPayment(posting)).rejects.toBeInstanceOf(ErpUnavailableError);
    } finally {
      await trytond.start();
    }
    const half = await erp.listOpenItems(trytond.seed.customer);
    expect(half.invoices.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount - 1_000);
    expect(half.invoices.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount);
    const first = await erp.postPayment(posting);
    expect(await erp.postPayment(posting)).toEqual(first);
    const after = await erp.listOpenItems(trytond.seed.customer);
    expect(after.invoices.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount - 1_000);
    expect(after.invoices.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount - 2_000);
    await erp.reversePayment(posting.paymentId, 'test cleanup');
    const restored = await erp.listOpenItems(trytond.seed.customer);
    expect(restored.invoices.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount);
    expect(restored.invoices.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount);
    // The payment lines and their mirrors are reconciled with each other, not left open on the customer.
    const lines = await erp.rpc.call<Array<{ reconciliation: number | null }>>('model.account.move.line.search_read', [
      [
        ['move.description', 'like', `%:${posting.paymentId}#%`],
        ['account.reconcile', '=', true],
      ],
      0,
      null,
      null,
      ['reconciliation'],
      {},
    ]);
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.reconciliation !== null)).toBe(true);
    // The wizard sessions were deleted after each run.
    expect(await trytond.query('SELECT COUNT(*) FROM ir_session_wizard')).toBe('0');
  });

  it('logs in again when the pay wizard wants a fresher session than an idle one', async () => {
    const erp = adapter();
    const [invoice] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    expect(erp.rpc.logins).toBe(1);
    await new Promise((r) => setTimeout(r, 4_000));
    const posting = {
      paymentId: `pay_tryton_idle_${Date.now()}`,
      customerId: trytond.seed.customer,
      currency: 'USD',
      date: new Date().toISOString().slice(0, 10),
      method: 'card' as const,
      cashAmount: 500,
      surchargeAmount: 0,
      reference: 'Settle idle session test',
      applications: [{ invoiceId: invoice.id, cash: 500, credit: 0, deduction: null }],
      credits: [],
      unappliedAmount: 0,
    };
    await erp.postPayment(posting);
    expect(erp.rpc.logins).toBe(2);
    const after = (await erp.listOpenItems(trytond.seed.customer)).invoices.find((i) => i.id === invoice.id);
    expect(after?.openAmount).toBe(invoice.openAmount - 500);
    await erp.reversePayment(posting.paymentId, 'test cleanup');
  });

  it('does not let a deduction note pose as the tag of another payment', async () => {
    const erp = adapter();
    const [a, b] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!a || !b) throw new Error('the seed has fewer than 2 open invoices');
    const victim = `pay_tryton_victim_${Date.now()}`;
    const base = {
      customerId: trytond.seed.customer,
      currency: 'USD',
      date: new Date().toISOString().slice(0, 10),
      method: 'card' as const,
      surchargeAmount: 0,
      credits: [],
      unappliedAmount: 0,
    };
    const deduction = { amount: 100, reasonCode: 'other', erpReasonCode: 'UD', note: `see [settle:${victim}#0]` };
    const spoof = {
      ...base,
      paymentId: `pay_tryton_spoof_${Date.now()}`,
      cashAmount: 100,
      reference: 'Settle spoof test',
      applications: [{ invoiceId: a.id, cash: 100, credit: 0, deduction }],
    };
    const real = {
      ...base,
      paymentId: victim,
      cashAmount: 700,
      reference: 'Settle victim test',
      applications: [{ invoiceId: b.id, cash: 700, credit: 0, deduction: null }],
    };
    await erp.postPayment(spoof);
    await erp.postPayment(real);
    const after = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    expect(after.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount - 200);
    expect(after.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount - 700);
    await erp.reversePayment(real.paymentId, 'test cleanup');
    await erp.reversePayment(spoof.paymentId, 'test cleanup');
    const restored = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    expect(restored.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount);
    expect(restored.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount);
  });

  /** A posting of cash to invoices of the seeded customer (and `unapplied` on account), dated today. */
  const posting = (name: string, applications: Array<{ invoiceId: string; cash: number }>, unapplied = 0) => ({
    paymentId: `pay_tryton_${name}_${Date.now()}`,
    customerId: trytond.seed.customer,
    currency: 'USD',
    date: new Date().toISOString().slice(0, 10),
    method: 'card' as const,
    cashAmount: applications.reduce((t, a) => t + a.cash, unapplied),
    surchargeAmount: 0,
    reference: `Settle ${name} test`,
    applications: applications.map((a) => ({ ...a, credit: 0, deduction: null })),
    credits: [],
    unappliedAmount: unapplied,
  });

  /** The moves tagged with `tag` (a step or reversal tag prefix), with their state and lines' reconciliation. */
  const moves = async (erp: TrytonErp, tag: string) => {
    const rows = await erp.rpc.call<Array<{ id: number; state: string; lines: number[] }>>(
      'model.account.move.search_read',
      [[['description', 'like', `%${tag}%`]], 0, null, [['id', 'ASC']], ['state', 'lines'], {}],
    );
    const lines = await erp.rpc.call<
      Array<{ move: number; reconciliation: number | null; 'account.': { reconcile: boolean } }>
    >('model.account.move.line.search_read', [
      [['move', 'in', rows.map((r) => r.id)]],
      0,
      null,
      null,
      ['move', 'reconciliation', 'account.reconcile'],
      {},
    ]);
    return rows.map((r) => ({
      state: r.state,
      reconciled: lines
        .filter((l) => l.move === r.id && l['account.'].reconcile)
        .every((l) => l.reconciliation !== null),
    }));
  };

  /** Makes `erp` stop trytond right after the `nth` (1-based) successful call of `method`. */
  const stopAfter = (erp: TrytonErp, method: string, nth = 1) => {
    const call = erp.rpc.call.bind(erp.rpc);
    let seen = 0;
    erp.rpc.call = async <T>(m: string, params: unknown[]): Promise<T> => {
      const result = await call<T>(m, params);
      if (m === method && ++seen === nth) await trytond.stop();
      return result;
    };
    return () => {
      erp.rpc.call = call;
    };
  };

  it('applies a posting once when a second Settle instance retries it while the first, timed out, still runs', async () => {
    const [invoice] = (await adapter().listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    const p = posting('twice', [{ invoiceId: invoice.id, cash: 300 }]);
    const first = adapter();
    const second = adapter();
    // The first instance reads the payment's moves (none yet), then hears back only after 600 ms:
    // its caller gives up after 400 ms and the first run must not go on to pay with that stale read.
    const call = first.rpc.call.bind(first.rpc);
    let slow = true;
    first.rpc.call = async <T>(m: string, params: unknown[]): Promise<T> => {
      const result = await call<T>(m, params);
      if (slow && m === 'model.account.move.search_read') {
        slow = false;
        await new Promise((r) => setTimeout(r, 600));
      }
      return result;
    };
    const inner = first.postPayment.bind(first);
    let running: Promise<unknown> = Promise.resolve();
    first.postPayment = (...args: Parameters<TrytonErp['postPayment']>) => {
      const run = inner(...args);
      running = run;
      return run;
    };
    await expect(withTimeout(first, 400).postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
    // The outbox retries, here on the other instance, as soon as the first call gave up.
    await withTimeout(second, 10_000).postPayment(p);
    await running.catch(() => {});
    expect(await moves(second, `[settle:${p.paymentId}#`)).toHaveLength(1);
    const after = (await second.listOpenItems(trytond.seed.customer)).invoices.find((i) => i.id === invoice.id);
    expect(after?.openAmount).toBe(invoice.openAmount - 300);
    await second.reversePayment(p.paymentId, 'test cleanup');
  });

  /**
   * Holds `erp`'s `nth` call that `matches`, once the reads before it were made and before trytond
   * gets it, until `release()`; `held` resolves when it waits. Nothing in the adapter can notice:
   * to trytond this is a request that arrives late.
   */
  const holdCall = (erp: TrytonErp, matches: (method: string, params: unknown[]) => boolean, nth = 1) => {
    const call = erp.rpc.call.bind(erp.rpc);
    let seen = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = () => {};
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    erp.rpc.call = async <T>(m: string, params: unknown[]): Promise<T> => {
      if (matches(m, params) && ++seen === nth) {
        arrived();
        await gate;
      }
      return call<T>(m, params);
    };
    return { held, release };
  };
  /** The pay wizard's "choice": the first call of a pay step that can write the invoice. */
  const payChoice = (m: string, params: unknown[]) =>
    m === 'wizard.account.invoice.pay.execute' && params[2] === 'choice';

  it("books a step once when one run's wizard call reaches trytond after another run made that step", async () => {
    const [invoice] = (await adapter().listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    const p = posting('late', [{ invoiceId: invoice.id, cash: 400 }]);
    const late = adapter();
    const { held, release } = holdCall(late, payChoice);
    // The first run read the invoice and the tags (no move yet), and its wizard call hangs on the way.
    const first = late.postPayment(p);
    await held;
    // Meanwhile another instance posts the payment (a retry after the first one's caller gave up).
    const other = adapter();
    const { erpReference } = await other.postPayment(p);
    // The hung call reaches trytond now, with what it read before: Tryton's optimistic lock refuses
    // its write, the run reads again, finds the step made and books nothing.
    release();
    expect(await first).toEqual({ erpReference });
    expect(await moves(other, `[settle:${p.paymentId}#`)).toHaveLength(1);
    const after = (await other.listOpenItems(trytond.seed.customer)).invoices.find((i) => i.id === invoice.id);
    expect(after?.openAmount).toBe(invoice.openAmount - 400);
    await other.reversePayment(p.paymentId, 'test cleanup');
  });

  it('books a step once when another run writes the same invoice within the second the late run read it', async () => {
    // Tryton's SQLite versions are whole seconds: the cash step and the deduction on one invoice,
    // moments apart, would share a version but for the adapter's wait (writableAfter).
    const [invoice] = (await adapter().listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    const p = {
      ...posting('same-second', [{ invoiceId: invoice.id, cash: 300 }]),
      applications: [
        {
          invoiceId: invoice.id,
          cash: 300,
          credit: 0,
          deduction: { amount: 200, reasonCode: 'damaged_goods', erpReasonCode: null, note: null },
        },
      ],
    };
    const late = adapter();
    const other = adapter();
    // A warm instance (logged in, payment methods known), so that it writes within the second.
    await other.postPayment(posting('warm-up', [{ invoiceId: invoice.id, cash: 1 }]));
    const cash = holdCall(late, payChoice, 1);
    const { held, release } = holdCall(late, payChoice, 2);
    const first = late.postPayment(p);
    // The late run books the cash step as a second begins (trytond runs on this machine's clock),
    // so that without the wait the other run's deduction is stamped in the same second; then it
    // reads the invoice for the deduction and is held there.
    await cash.held;
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000)));
    cash.release();
    await held;
    const { erpReference } = await other.postPayment(p);
    release();
    expect(await first).toEqual({ erpReference });
    expect(await moves(other, `[settle:${p.paymentId}#0]`)).toHaveLength(1);
    expect(await moves(other, `[settle:${p.paymentId}#1]`)).toHaveLength(1);
    const after = (await other.listOpenItems(trytond.seed.customer)).invoices.find((i) => i.id === invoice.id);
    expect(after?.openAmount).toBe(invoice.openAmount - 500 - 1);
    await other.reversePayment(p.paymentId, 'test cleanup');
  });

  it('books a two-step posting once when two Settle instances start it at the same instant', async () => {
    const open = (await adapter().listOpenItems(trytond.seed.customer)).invoices;
    const [a, b] = open;
    if (!a || !b) throw new Error('the seed has fewer than two open invoices');
    const p = posting('same-instant', [
      { invoiceId: a.id, cash: 250 },
      { invoiceId: b.id, cash: 350 },
    ]);
    const one = adapter();
    const two = adapter();
    const holdOne = holdCall(one, payChoice);
    const holdTwo = holdCall(two, payChoice);
    const runs = [one.postPayment(p), two.postPayment(p)];
    // Both have read the invoice and found no tagged move before either wizard call reaches trytond.
    await Promise.all([holdOne.held, holdTwo.held]);
    holdOne.release();
    holdTwo.release();
    const [r1, r2] = await Promise.all(runs);
    expect(r2).toEqual(r1);
    expect(await moves(one, `[settle:${p.paymentId}#0]`)).toHaveLength(1);
    expect(await moves(one, `[settle:${p.paymentId}#1]`)).toHaveLength(1);
    const after = (await one.listOpenItems(trytond.seed.customer)).invoices;
    expect(after.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount - 250);
    expect(after.find((i) => i.id === b.id)?.openAmount).toBe(b.openAmount - 350);
    await one.reversePayment(p.paymentId, 'test cleanup');
  });

  it('parks a payment whose on-account move two instances made at the same instant, naming the extra move', async () => {
    // The one step without a document to lock (docs/tryton.md): Tryton cannot refuse the second
    // move, so both runs find it and refuse the payment for a person instead of calling it posted.
    const p = posting('on-account-race', [], 500);
    const one = adapter();
    const two = adapter();
    // Both have found no on-account move before either creates one.
    const holds = [one, two].map((erp) => holdCall(erp, (m) => m === 'model.account.move.create'));
    const runs = Promise.allSettled([one.postPayment(p), two.postPayment(p)]);
    await Promise.all(holds.map((h) => h.held));
    for (const h of holds) h.release();
    const results = await runs;
    // The run whose move committed last reads both; the other may have finished before it.
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const booked = /booked twice in Tryton, account\.move,\d+ .*cancel it in Tryton \(Cancel Moves\)/;
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(ErpRejectedError);
      expect(reason.message).toMatch(booked);
    }
    // And so does every later run of it (the outbox's retry), and a reversal, which would undo half.
    await expect(one.postPayment(p)).rejects.toThrow(booked);
    await expect(one.reversePayment(p.paymentId, 'ACH return')).rejects.toThrow(booked);
    expect(await moves(one, `[settle:${p.paymentId}#0]`)).toHaveLength(2);
    // A person cancels the extra move with Tryton's Cancel Moves wizard (the cancellation keeps the
    // description, tag included): the payment is then booked once, and posts and reverses cleanly.
    const extra = Number(/account\.move,(\d+)/.exec(String(refused[0]?.message))?.[1]);
    const wizard = 'wizard.account.move.cancel';
    const context = {
      ...(await one.rpc.call<Record<string, unknown>>('model.res.user.get_preferences', [true, {}])),
      active_id: extra,
      active_ids: [extra],
      active_model: 'account.move',
    };
    const [sid] = await one.rpc.call<[number]>(`${wizard}.create`, [{}]);
    await one.rpc.call(`${wizard}.execute`, [sid, {}, 'default', context]);
    await one.rpc.call(`${wizard}.execute`, [sid, { default: { description: null } }, 'cancel', context]);
    await one.rpc.call(`${wizard}.delete`, [sid, context]);
    expect(await one.postPayment(p)).toEqual({ erpReference: expect.stringMatching(/^account\.move,\d+$/) });
    await one.reversePayment(p.paymentId, 'test cleanup');
    // The original, the extra, its cancellation, and the reversal of the original.
    expect(await moves(one, `:${p.paymentId}#0]`)).toHaveLength(4);
  });

  it('books the card surcharge as revenue, so the payment method account holds the whole charge', async () => {
    const erp = adapter();
    const [invoice] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    /** An account's debit and credit in minor units (Decimal strings, parsed exactly). */
    const totals = async (id: number) => {
      const [row] = await erp.rpc.call<Array<{ debit: unknown; credit: unknown }>>('model.account.account.read', [
        [id],
        ['debit', 'credit'],
        await erp.rpc.call<Record<string, unknown>>('model.res.user.get_preferences', [true, {}]),
      ]);
      const minor = (v: unknown) => parseDecimal((v as { decimal: string }).decimal, 'USD') ?? Number.NaN;
      return { debit: minor(row?.debit), credit: minor(row?.credit) };
    };
    const surcharge = trytond.seed.surchargeAccount;
    const before = await totals(surcharge);
    const p = { ...posting('surcharge', [{ invoiceId: invoice.id, cash: 1_000 }]), surchargeAmount: 30 };
    const { erpReference } = await erp.postPayment(p);
    expect(await erp.postPayment(p)).toEqual({ erpReference });
    expect(await moves(erp, `[settle:${p.paymentId}#1]`)).toEqual([{ state: 'posted', reconciled: true }]);
    expect(await totals(surcharge)).toEqual({ debit: before.debit, credit: before.credit + 30 });
    // The invoice is paid only the cash: the surcharge is the merchant's, not the invoice's.
    const after = (await erp.listOpenItems(trytond.seed.customer)).invoices.find((i) => i.id === invoice.id);
    expect(after?.openAmount).toBe(invoice.openAmount - 1_000);
    await erp.reversePayment(p.paymentId, 'test cleanup');
    expect(await totals(surcharge)).toEqual({ debit: before.debit + 30, credit: before.credit + 30 });
  });

  it('refuses a surcharge account that cannot take the move before booking anything', async () => {
    const erp = adapter();
    const [invoice] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    const [receivable] = await erp.rpc.call<Array<{ id: number }>>('model.account.account.search_read', [
      [['type.receivable', '=', true]],
      0,
      1,
      null,
      ['id'],
      await erp.rpc.call<Record<string, unknown>>('model.res.user.get_preferences', [true, {}]),
    ]);
    const wrong = createTrytonErp({
      url: trytond.url,
      user: trytond.user,
      password: trytond.password,
      journal: 'Settle',
      surchargeAccount: String(receivable?.id),
    });
    const p = { ...posting('receivable-surcharge', [{ invoiceId: invoice.id, cash: 500 }]), surchargeAmount: 15 };
    await expect(wrong.postPayment(p)).rejects.toThrow(/is a customer or supplier account/);
    expect(await moves(erp, `[settle:${p.paymentId}#`)).toEqual([]);
  });

  it('refuses a surcharge it has no account for before booking anything', async () => {
    const erp = createTrytonErp({
      url: trytond.url,
      user: trytond.user,
      password: trytond.password,
      journal: 'Settle',
      surchargeAccount: 'Fees we never made',
    });
    const [invoice] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!invoice) throw new Error('the seed has no open invoice');
    const p = { ...posting('no-surcharge-account', [{ invoiceId: invoice.id, cash: 500 }]), surchargeAmount: 15 };
    await expect(erp.postPayment(p)).rejects.toThrow(
      /no account "Fees we never made" for card surcharges \(SETTLE_TRYTON_SURCHARGE_ACCOUNT/,
    );
    await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpRejectedError);
    expect(await moves(erp, `[settle:${p.paymentId}#`)).toEqual([]);
  });

  it('finishes an on-account move left draft and a reversal left draft and unreconciled', async () => {
    const erp = adapter();
    const p = posting('draft', [], 400);
    let restore = stopAfter(erp, 'model.account.move.create');
    try {
      await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
    } finally {
      restore();
      await trytond.start();
    }
    expect(await moves(erp, `[settle:${p.paymentId}#`)).toEqual([{ state: 'draft', reconciled: false }]);
    await erp.postPayment(p);
    expect(await moves(erp, `[settle:${p.paymentId}#`)).toEqual([{ state: 'posted', reconciled: false }]);
    restore = stopAfter(erp, 'model.account.move.create');
    try {
      await expect(erp.reversePayment(p.paymentId, 'test')).rejects.toBeInstanceOf(ErpUnavailableError);
    } finally {
      restore();
      await trytond.start();
    }
    expect(await moves(erp, `[settle-reversal:${p.paymentId}#`)).toEqual([{ state: 'draft', reconciled: false }]);
    await erp.reversePayment(p.paymentId, 'test');
    expect(await moves(erp, `[settle-reversal:${p.paymentId}#`)).toEqual([{ state: 'posted', reconciled: true }]);
    expect(await moves(erp, `[settle:${p.paymentId}#`)).toEqual([{ state: 'posted', reconciled: true }]);
  });

  it('refuses to resume a posting whose invoice was paid meanwhile, naming the moves already booked', async () => {
    const erp = adapter();
    const [a, b] = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    if (!a || !b) throw new Error('the seed has fewer than 2 open invoices');
    const p = posting('resume', [
      { invoiceId: a.id, cash: 100 },
      { invoiceId: b.id, cash: 200 },
    ]);
    const restore = stopAfter(erp, 'wizard.account.invoice.pay.delete');
    try {
      await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
    } finally {
      restore();
      await trytond.start();
    }
    // Someone pays all but 1.50 of invoice b in the meantime: the 2.00 step no longer fits.
    const other = posting('meanwhile', [{ invoiceId: b.id, cash: b.openAmount - 150 }]);
    await erp.postPayment(other);
    const error = await erp.postPayment(p).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErpRejectedError);
    expect((error as Error).message).toMatch(/more than what is left/);
    expect((error as Error).message).toMatch(/already booked in Tryton: step 0 account\.move,\d+/);
    const after = (await erp.listOpenItems(trytond.seed.customer)).invoices;
    expect(after.find((i) => i.id === a.id)?.openAmount).toBe(a.openAmount - 100);
    expect(after.find((i) => i.id === b.id)?.openAmount).toBe(150);
    await erp.reversePayment(p.paymentId, 'test cleanup');
    await erp.reversePayment(other.paymentId, 'test cleanup');
    // The same invoice twice in one posting is refused before anything is booked.
    const twice = posting('dup', [
      { invoiceId: a.id, cash: 100 },
      { invoiceId: a.id, cash: 100 },
    ]);
    await expect(erp.postPayment(twice)).rejects.toThrow(/applied twice/);
    expect(await moves(erp, `[settle:${twice.paymentId}#`)).toHaveLength(0);
  });

  it('types errors by the exception trytond names, not by the words in its message', async () => {
    const erp = adapter();
    // Real bodies: reading a record that does not exist is Tryton's UserError; a malformed domain is a server exception.
    await expect(erp.rpc.call('model.account.invoice.read', [[987_654], ['number'], {}])).rejects.toBeInstanceOf(
      ErpRejectedError,
    );
    await expect(
      erp.rpc.call('model.party.party.search_read', [[['no_such_field', '=', 1]], 0, null, null, ['name'], {}]),
    ).rejects.toBeInstanceOf(ErpUnavailableError);
    // Bodies as trytond 6.0 sends them (trytond/protocols/jsonrpc.py: TrytonException args, else [str, traceback]).
    const tb = 'Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/trytond/wsgi.py"';
    expect(trytonError('m', ['UserError', ['The payment timeout date is past.', '', null]])).toBeInstanceOf(
      ErpRejectedError,
    );
    expect(trytonError('m', ['UserWarning', ['w1', 'Check this', '']])).toBeInstanceOf(ErpRejectedError);
    expect(trytonError('m', ['LoginException', ['password', 'Password', 'password']])).toBeInstanceOf(ErpRejectedError);
    expect(trytonError('m', ['database is locked', tb])).toBeInstanceOf(ErpUnavailableError);
    expect(trytonError('m', ['could not connect to server: Connection refused', tb])).toBeInstanceOf(
      ErpUnavailableError,
    );
    expect(trytonError('m', ['server closed the connection unexpectedly', tb])).toBeInstanceOf(ErpUnavailableError);
    // The optimistic lock's refusal: retried (an ErpUnavailableError), and typed so the adapter reads again first.
    const conflict = trytonError('m', ['ConcurrencyException', 'Records were modified in the meanwhile']);
    expect(conflict).toBeInstanceOf(TrytonConflictError);
    expect(conflict).toBeInstanceOf(ErpUnavailableError);
    expect(conflict.message).toBe('Tryton m: Records were modified in the meanwhile');
    expect(trytonError('m', ['database is locked', tb])).not.toBeInstanceOf(TrytonConflictError);
    expect(trytonError('m', ['UserError', ['Amount too high', 'Only 5.00 left', null]]).message).toBe(
      'Tryton m: Amount too high - Only 5.00 left',
    );
  });

  it('refuses a wrong password as rejected and a closed port as unavailable', async () => {
    const wrong = createTrytonErp({ url: trytond.url, user: 'admin', password: 'nope', journal: 'Settle' });
    await expect(wrong.listCustomers()).rejects.toBeInstanceOf(ErpRejectedError);
    const closed = createTrytonErp({
      url: 'http://127.0.0.1:1/settle/',
      user: 'admin',
      password: 'x',
      journal: 'Settle',
    });
    await expect(closed.listCustomers()).rejects.toBeInstanceOf(ErpUnavailableError);
  });
});

/** How the API's helpers reach a Settle test server. */
interface Api {
  url: string;
  secretKey: string;
}

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' };
const BANK = {
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber: '000123456789',
  accountHolderName: 'Acme Industrial Supply',
  accountHolderType: 'company',
};

describe.each(STORES)('Settle with SETTLE_ERP=tryton on %s', (store) => {
  let server: TestServer;
  let erp: TrytonErp;
  const customerId = () => trytond.seed.customer;

  beforeAll(async () => {
    server = await startTestServer({
      store,
      config: {
        erp: { kind: 'tryton' },
        tryton: { url: trytond.url, user: trytond.user, password: trytond.password, journal: 'Settle' },
        erpTimeoutMs: 10_000,
      },
    });
    erp = adapter();
  });
  afterAll(() => server?.close());

  const openAmount = async (invoiceId: string) =>
    (await erp.listOpenItems(customerId())).invoices.find((i) => i.id === invoiceId)?.openAmount ?? 0;

  /** Open invoices of the seeded customer, smallest balance first (each store's run takes its own). */
  const openInvoices = async () =>
    (await erp.listOpenItems(customerId())).invoices.sort((a, b) => a.openAmount - b.openAmount);

  /** Moves in Tryton tagged with the payment id: one per wizard run of its posting. */
  const taggedMoves = async (paymentId: string) => {
    const rows = await erp.rpc.call<Array<{ description: string }>>('model.account.move.search_read', [
      [['description', 'like', `%[settle:${paymentId}#%`]],
      0,
      null,
      null,
      ['description'],
      {},
    ]);
    return rows.length;
  };

  async function pay(api: Api, invoiceId: string, amount: number, method: 'card' | 'ach_debit', key: string) {
    const session = await call<{ clientToken: string }>(api, 'POST', '/v1/sessions', api.secretKey, {
      customerId: customerId(),
    });
    expect(session.status).toBe(201);
    const ct = session.body.clientToken;
    const token = await call<{ id: string }>(api, 'POST', '/v1/sandbox/tokens', ct, method === 'card' ? CARD : BANK);
    expect(token.status).toBe(201);
    const open = await openAmount(invoiceId);
    const allocations = [{ invoiceId, amount, ...(amount < open ? { reasonCode: 'partial_payment' } : {}) }];
    // Quoted first, as the widget does: the payer accepts the total with any card surcharge.
    const quote = await call<{ total: number }>(api, 'POST', '/v1/session/quote', ct, {
      method,
      allocations,
      paymentMethodToken: token.body.id,
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    const created = await call<Payment>(
      api,
      'POST',
      '/v1/session/payments',
      ct,
      { method, allocations, paymentMethodToken: token.body.id, expectedTotal: quote.body.total },
      { 'idempotency-key': key },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  const payment = (id: string) =>
    call<Payment>(server, 'GET', `/v1/payments/${id}`, server.secretKey).then((r) => r.body);

  it('posts a card payment into Tryton once: the invoice balance drops by exactly the amount', async () => {
    const invoiceId = (await openInvoices()).at(-1)?.id ?? '';
    const before = await openAmount(invoiceId);
    const p = await pay(server, invoiceId, 12_345, 'card', 'tryton-card-1');
    const posted = await waitFor('the card payment to be posted to Tryton', async () => {
      const current = await payment(p.id);
      return current.erpStatus === 'posted' ? current : undefined;
    });
    expect(posted.erpReference).toMatch(/^account\.move,\d+$/);
    expect(await openAmount(invoiceId)).toBe(before - 12_345);
    // The cash on the invoice, and the card surcharge booked to its revenue account.
    expect(p.surcharge.amount).toBeGreaterThan(0);
    expect(await taggedMoves(p.id)).toBe(2);
  });

  it('pays an invoice in full: Tryton marks it paid', async () => {
    const invoiceId = (await openInvoices())[0]?.id ?? '';
    const before = await openAmount(invoiceId);
    const p = await pay(server, invoiceId, before, 'card', 'tryton-card-full');
    await waitFor('the full payment to be posted', async () =>
      (await payment(p.id)).erpStatus === 'posted' ? true : undefined,
    );
    const [row] = await erp.rpc.call<Array<{ state: string }>>('model.account.invoice.read', [
      [Number(invoiceId)],
      ['state'],
      {},
    ]);
    expect(row?.state).toBe('paid');
  });

  it('keeps a payment that succeeded while trytond was down and posts it once when trytond is back', async () => {
    const invoiceId = (await openInvoices()).at(-1)?.id ?? '';
    const before = await openAmount(invoiceId);
    const p = await pay(server, invoiceId, 50_000, 'ach_debit', 'tryton-ach-down');
    expect(p.status).toBe('processing');
    await trytond.stop();
    try {
      const succeeded = await waitFor('the ACH debit to succeed at Settle', async () => {
        const current = await payment(p.id);
        return current.status === 'succeeded' ? current : undefined;
      });
      expect(succeeded.erpStatus).toBe('pending');
      await waitFor('the posting to be retried', async () => {
        const job = await server.settle.deps.db
          .selectFrom('outbox')
          .selectAll()
          .where('dedupe_key', '=', `erp_post:${p.id}`)
          .executeTakeFirst();
        return job && job.attempts >= 2 ? job : undefined;
      });
      expect((await payment(p.id)).erpStatus).toBe('pending');
    } finally {
      await trytond.start();
    }
    await waitFor(
      'the posting to land after trytond restarts',
      async () => ((await payment(p.id)).erpStatus === 'posted' ? true : undefined),
      30_000,
    );
    expect(await openAmount(invoiceId)).toBe(before - 50_000);
    expect(await taggedMoves(p.id)).toBe(1);
  });
});
