/**
 * The Tryton adapter against a real trytond (Debian's tryton-server 6.0 on SQLite, seeded by
 * server/tryton/seed.py): the conformance kit, session renewal, and Settle's outbox posting a
 * card payment into Tryton exactly once, also across a trytond outage.
 */
import type { Payment } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runErpConformance } from '../src/erp/conformance.js';
import { ErpRejectedError, ErpUnavailableError } from '../src/erp/port.js';
import { createTrytonErp, type TrytonErp } from '../src/erp/tryton/index.js';
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
      timeoutMs: 15_000,
    });
    expect(loadConfig({ ...env, SETTLE_TRYTON_JOURNAL: 'Bank' }).tryton?.journal).toBe('Bank');
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
    expect(await taggedMoves(p.id)).toBe(1);
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
