/**
 * The happy path of every endpoint, over real HTTP against a listening server with the seeded
 * demo ERP: what the merchant's backend and the payer's browser see, and what lands in the ERP.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSessionResponseSchema,
  CustomerListSchema,
  type OpenItems,
  OpenItemsSchema,
  type Payment,
  PaymentListSchema,
  PaymentMethodTokenSchema,
  PaymentSchema,
  ProblemSchema,
  type Quote,
  QuoteSchema,
  type SessionView,
  SessionViewSchema,
} from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../src/config.js';
import type { MemoryErp } from '../src/erp/memory.js';
import type { ErpCredit, ErpInvoice } from '../src/erp/port.js';
import { createDemoErp } from '../src/erp/seed.js';
import { call, type Reply, STORES, startTestServer, type TestServer } from './harness.js';

const EXP_YEAR = new Date().getUTCFullYear() + 5;
const CARDS = { credit: '4242424242424242', debit: '4000056655665556', declined: '4000000000000002' };
/** Stripe's test bank accounts, as the sandbox plays them (settled after `sandboxAchSettleSeconds`). */
const BANK = {
  settles: '000123456789',
  fails: '000222222227',
  returned: '000555555559',
  staysProcessing: '000000000009',
};

/** Asserts the status and returns the body, showing the server's answer when the status is wrong. */
function expectStatus(reply: Reply, status: number): unknown {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads a server-sent-event stream to its end and returns the `payment` events' payments. */
async function streamedPayments(server: TestServer, token: string, paymentId: string): Promise<Payment[]> {
  const res = await fetch(`${server.url}/v1/session/payments/${paymentId}/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(30_000),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  const payments: Payment[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event === 'payment' && data.length) payments.push(PaymentSchema.parse(JSON.parse(data.join('\n'))));
  }
  return payments;
}

/** Consecutive duplicates collapsed: the steps a watcher saw. */
function steps<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

const surcharge = (subtotal: number, bps: number) => Math.floor((subtotal * bps) / 10_000);

/** The browser's side of one session, holding its client token. */
class Payer {
  constructor(
    readonly server: TestServer,
    readonly token: string,
  ) {}

  async view(): Promise<SessionView> {
    return SessionViewSchema.parse(expectStatus(await call(this.server, 'GET', '/v1/session', this.token), 200));
  }

  async #tokenize(input: Record<string, unknown>): Promise<string> {
    const reply = await call(this.server, 'POST', '/v1/sandbox/tokens', this.token, input);
    return PaymentMethodTokenSchema.parse(expectStatus(reply, 201)).id;
  }

  card(number: string): Promise<string> {
    return this.#tokenize({ type: 'card', number, expMonth: 12, expYear: EXP_YEAR, cvc: '123' });
  }

  bank(accountNumber: string): Promise<string> {
    return this.#tokenize({
      type: 'us_bank_account',
      routingNumber: '110000000',
      accountNumber,
      accountHolderName: 'Acme AP',
      accountHolderType: 'company',
    });
  }

  quoteReply(body: unknown): Promise<Reply> {
    return call(this.server, 'POST', '/v1/session/quote', this.token, body);
  }

  async quote(body: unknown): Promise<Quote> {
    return QuoteSchema.parse(expectStatus(await this.quoteReply(body), 200));
  }

  payReply(body: unknown, key: string = randomUUID()): Promise<Reply> {
    return call(this.server, 'POST', '/v1/session/payments', this.token, body, { 'idempotency-key': key });
  }

  async pay(body: unknown, key?: string): Promise<Payment> {
    return PaymentSchema.parse(expectStatus(await this.payReply(body, key), 201));
  }

  /** What the widget sends: the proposal, quoted first, with the total the payer saw and accepted. */
  async accept<T extends object>(proposal: T): Promise<T & { expectedTotal: number }> {
    return { ...proposal, expectedTotal: (await this.quote(proposal)).total };
  }

  async payment(id: string): Promise<Payment> {
    return PaymentSchema.parse(
      expectStatus(await call(this.server, 'GET', `/v1/session/payments/${id}`, this.token), 200),
    );
  }

  events(id: string): Promise<Payment[]> {
    return streamedPayments(this.server, this.token, id);
  }
}

/** Hands each test its own open items, so tests sharing a server never pay the same invoice. */
class ItemPool {
  #invoices = new Map<string, ErpInvoice[]>();
  #credits = new Map<string, ErpCredit[]>();

  static async of(erp: MemoryErp): Promise<ItemPool> {
    const pool = new ItemPool();
    for (const customer of await erp.listCustomers()) {
      const items = await erp.listOpenItems(customer.id);
      pool.#invoices.set(customer.id, items.invoices);
      pool.#credits.set(customer.id, items.credits);
    }
    return pool;
  }

  /** An open invoice in `currency`, at most `max` minor units (cards are limited to $25,000.00). */
  invoice(customerId: string, currency = 'USD', max = 2_000_000): ErpInvoice {
    const list = this.#invoices.get(customerId) ?? [];
    const index = list.findIndex((i) => i.currency === currency && i.openAmount <= max);
    if (index < 0) throw new Error(`The demo ledger has no more ${currency} invoices under ${max} for ${customerId}`);
    return list.splice(index, 1)[0] as ErpInvoice;
  }

  credit(customerId: string): ErpCredit {
    const credit = this.#credits.get(customerId)?.shift();
    if (!credit) throw new Error(`The demo ledger has no more credits for ${customerId}`);
    return credit;
  }
}

describe.each(STORES)('the API on %s', (store) => {
  let server: TestServer;
  let erp: MemoryErp;
  let pool: ItemPool;

  beforeAll(async () => {
    erp = createDemoErp();
    pool = await ItemPool.of(erp);
    server = await startTestServer({ store, erp });
  });
  afterAll(() => server?.close());

  const merchant = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    call(server, method, path, server.secretKey, body);

  async function session(customerId: string, extra: Record<string, unknown> = {}): Promise<Payer> {
    const body = expectStatus(await merchant('POST', '/v1/sessions', { customerId, ...extra }), 201);
    return new Payer(server, CreateSessionResponseSchema.parse(body).clientToken);
  }

  async function openItems(customerId: string): Promise<OpenItems> {
    return OpenItemsSchema.parse(expectStatus(await merchant('GET', `/v1/customers/${customerId}/open-items`), 200));
  }

  /** What the ERP says is open and what payments reserve, per item; closed items are absent. */
  async function balances(customerId: string): Promise<Record<string, { open: number; pending: number }>> {
    const items = await openItems(customerId);
    return Object.fromEntries(
      [...items.invoices, ...items.credits].map((i) => [i.id, { open: i.openAmount, pending: i.pendingAmount }]),
    );
  }

  async function payments(query: string): Promise<Payment[]> {
    return PaymentListSchema.parse(expectStatus(await merchant('GET', `/v1/payments?${query}`), 200)).data;
  }

  const posted = (payer: Payer, id: string) =>
    until(
      () => payer.payment(id),
      (p) => p.erpStatus === 'posted',
      `payment ${id} to be posted`,
    );

  describe('sessions', () => {
    it('mints a one-hour session with a client token and a pay link carrying it', async () => {
      const before = Date.now();
      const reply = await merchant('POST', '/v1/sessions', { customerId: 'cus_acme' });
      const created = CreateSessionResponseSchema.parse(expectStatus(reply, 201));
      expect(created.id).toMatch(/^ses_/);
      expect(created.clientToken).toMatch(/^ct_test_/);
      expect(created.url).toBe(`${server.url}/pay#token=${encodeURIComponent(created.clientToken)}`);
      const expires = Date.parse(created.expiresAt);
      expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    });

    it('keeps a session for the expiresInSeconds the merchant asks for', async () => {
      const before = Date.now();
      const reply = await merchant('POST', '/v1/sessions', { customerId: 'cus_acme', expiresInSeconds: 120 });
      const created = CreateSessionResponseSchema.parse(expectStatus(reply, 201));
      const expires = Date.parse(created.expiresAt);
      expect(expires).toBeGreaterThanOrEqual(before + 120_000 - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 120_000 + 1000);
      const view = await new Payer(server, created.clientToken).view();
      expect(view.expiresAt).toBe(created.expiresAt);
    });

    it('preselects the invoices the merchant names', async () => {
      const chosen = [pool.invoice('cus_acme').id, pool.invoice('cus_acme').id].reverse();
      const view = await (await session('cus_acme', { invoiceIds: chosen })).view();
      expect(view.preselectedInvoiceIds).toEqual(chosen);
    });

    it('collects in EUR, showing only the EUR invoices, for a customer billed in two currencies', async () => {
      const items = await erp.listOpenItems('cus_pinnacle');
      const eur = items.invoices.filter((i) => i.currency === 'EUR').map((i) => i.id);
      expect(eur.length).toBeGreaterThan(0);

      const inEur = await (await session('cus_pinnacle', { currency: 'EUR' })).view();
      expect(inEur.currency).toBe('EUR');
      expect(inEur.invoices.map((i) => i.id)).toEqual(eur);
      expect(inEur.credits.every((c) => c.currency === 'EUR')).toBe(true);

      const byDefault = await (await session('cus_pinnacle')).view();
      expect(byDefault.currency).toBe('USD');
      expect(byDefault.invoices.map((i) => i.id)).not.toContain(eur[0]);
    });

    it("shows the browser one customer's open items, the merchant's rules, test mode and the sandbox", async () => {
      const view = await (await session('cus_acme')).view();
      const items = await erp.listOpenItems('cus_acme');
      expect(view.customer).toEqual({
        id: 'cus_acme',
        name: 'Acme Industrial Supply',
        email: 'ap@acme-industrial.example.com',
        currency: 'USD',
        region: 'US-NY',
      });
      expect(view.currency).toBe('USD');
      expect(view.invoices.map((i) => [i.id, i.openAmount])).toEqual(items.invoices.map((i) => [i.id, i.openAmount]));
      expect(view.credits.map((c) => [c.id, c.openAmount])).toEqual(items.credits.map((c) => [c.id, c.openAmount]));
      const others = await erp.listOpenItems('cus_pinnacle');
      const shown = new Set([...view.invoices, ...view.credits].map((i) => i.id));
      expect([...others.invoices, ...others.credits].filter((i) => shown.has(i.id))).toEqual([]);

      expect(view.rules).toEqual(DEFAULT_RULES);
      expect(view.rules.allowedMethods).toEqual(['card', 'ach_debit', 'wallet']);
      expect(view.rules.reasonCodes.map((r) => r.code)).toEqual(
        expect.arrayContaining(['pricing_dispute', 'damaged_goods', 'short_shipment', 'other']),
      );
      expect(view.mode).toBe('test');
      expect(view.processor).toEqual({ name: 'sandbox', publishableKey: null });
      expect(view.merchant.name).toBe(server.settle.deps.config.merchantName);
    });
  });

  describe('quotes', () => {
    let payer: Payer;
    let invoice: ErpInvoice;
    let credit: ErpCredit;
    beforeAll(async () => {
      payer = await session('cus_acme');
      invoice = pool.invoice('cus_acme');
      credit = pool.credit('cus_acme');
    });
    const full = () => ({ invoiceId: invoice.id, amount: invoice.openAmount });

    it('applies a credit memo before money and charges only the rest', async () => {
      const use = Math.min(credit.openAmount, invoice.openAmount - 1);
      const q = await payer.quote({
        method: 'ach_debit',
        allocations: [full()],
        credits: [{ creditId: credit.id, amount: use }],
      });
      expect(q.creditTotal).toBe(use);
      expect(q.subtotal).toBe(invoice.openAmount - use);
      expect(q.total).toBe(invoice.openAmount - use);
      expect(q.lines).toEqual([
        expect.objectContaining({ invoiceId: invoice.id, creditApplied: use, cashApplied: invoice.openAmount - use }),
      ]);
      expect(q.credits).toEqual([
        expect.objectContaining({
          creditId: credit.id,
          amount: use,
          applications: [{ invoiceId: invoice.id, amount: use }],
        }),
      ]);
    });

    it('accepts a short payment with a reason and quotes what is left short', async () => {
      const q = await payer.quote({
        method: 'ach_debit',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount - 1500, reasonCode: 'pricing_dispute' }],
      });
      expect(q.lines).toEqual([
        expect.objectContaining({
          amount: invoice.openAmount - 1500,
          shortAmount: 1500,
          reasonCode: 'pricing_dispute',
        }),
      ]);
      expect(q.total).toBe(invoice.openAmount - 1500);
    });

    it('adds the 3% surcharge for a credit card', async () => {
      const token = await payer.card(CARDS.credit);
      const q = await payer.quote({ method: 'card', allocations: [full()], paymentMethodToken: token });
      const fee = surcharge(invoice.openAmount, 300);
      expect(fee).toBeGreaterThan(0);
      expect(q.cardFunding).toBe('credit');
      expect(q.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: fee });
      expect(q.total).toBe(invoice.openAmount + fee);
    });

    it('charges no surcharge on a debit card', async () => {
      const token = await payer.card(CARDS.debit);
      const q = await payer.quote({ method: 'card', allocations: [full()], paymentMethodToken: token });
      expect(q.cardFunding).toBe('debit');
      expect(q.surcharge).toEqual({ status: 'not_applicable', rateBps: 0, amount: 0 });
      expect(q.total).toBe(invoice.openAmount);
    });

    it('charges no surcharge on an ACH debit', async () => {
      const token = await payer.bank(BANK.settles);
      const q = await payer.quote({ method: 'ach_debit', allocations: [full()], paymentMethodToken: token });
      expect(q.surcharge).toEqual({ status: 'not_applicable', rateBps: 0, amount: 0 });
      expect(q.total).toBe(invoice.openAmount);
    });

    it('shows the rate a credit card would carry before any card is entered', async () => {
      const q = await payer.quote({ method: 'card', allocations: [full()] });
      expect(q.cardFunding).toBeNull();
      expect(q.surcharge).toEqual({ status: 'unknown_funding', rateBps: 300, amount: 0 });
      expect(q.total).toBe(invoice.openAmount);
    });

    it('never surcharges a customer billed in Connecticut', async () => {
      const harbor = await session('cus_harbor');
      const inCt = pool.invoice('cus_harbor');
      const token = await harbor.card(CARDS.credit);
      const q = await harbor.quote({
        method: 'card',
        allocations: [{ invoiceId: inCt.id, amount: inCt.openAmount }],
        paymentMethodToken: token,
      });
      expect(q.surcharge).toEqual({ status: 'region_forbids', rateBps: 0, amount: 0 });
      expect(q.total).toBe(inCt.openAmount);
    });

    it('caps the credit-card surcharge at 2% for a customer billed in Colorado', async () => {
      const summit = await session('cus_summit');
      const inCo = pool.invoice('cus_summit');
      const token = await summit.card(CARDS.credit);
      const q = await summit.quote({
        method: 'card',
        allocations: [{ invoiceId: inCo.id, amount: inCo.openAmount }],
        paymentMethodToken: token,
      });
      const fee = surcharge(inCo.openAmount, 200);
      expect(q.surcharge).toEqual({ status: 'applied', rateBps: 200, amount: fee });
      expect(q.total).toBe(inCo.openAmount + fee);
    });
  });

  describe('card payments', () => {
    it('charges a credit card and lowers each ERP balance by exactly the cash, credit and deduction applied', async () => {
      const payer = await session('cus_acme');
      const paidInFull = pool.invoice('cus_acme');
      const damaged = pool.invoice('cus_acme');
      const paidLater = pool.invoice('cus_acme');
      const credit = pool.credit('cus_acme');
      const short = Math.floor(damaged.openAmount / 10);
      const partly = Math.floor(paidLater.openAmount / 2);
      const creditUse = Math.min(credit.openAmount, paidInFull.openAmount);
      const token = await payer.card(CARDS.credit);
      const proposal = {
        method: 'card',
        allocations: [
          { invoiceId: paidInFull.id, amount: paidInFull.openAmount },
          {
            invoiceId: damaged.id,
            amount: damaged.openAmount - short,
            reasonCode: 'damaged_goods',
            note: '3 cartons crushed in transit',
          },
          // "Paying the rest later" leaves the rest open instead of recording a deduction.
          { invoiceId: paidLater.id, amount: partly, reasonCode: 'partial_payment' },
        ],
        credits: [{ creditId: credit.id, amount: creditUse, invoiceId: paidInFull.id }],
        paymentMethodToken: token,
      };
      const subtotal = paidInFull.openAmount + damaged.openAmount - short + partly - creditUse;
      const total = subtotal + surcharge(subtotal, 300);
      const q = await payer.quote(proposal);
      expect(q.total).toBe(total);

      const before = await balances('cus_acme');
      const payment = await payer.pay({ ...proposal, expectedTotal: q.total });
      expect(payment).toMatchObject({
        status: 'succeeded',
        customerId: 'cus_acme',
        currency: 'USD',
        method: 'card',
        amount: total,
        subtotal,
        creditTotal: creditUse,
        surcharge: { status: 'applied', rateBps: 300 },
        failure: null,
        paymentMethod: { type: 'card', brand: 'visa', last4: '4242', funding: 'credit' },
      });
      // Only the damaged goods are deducted; "paying the rest later" leaves its rest short but open.
      expect(payment.lines.map((l) => [l.invoiceId, l.shortAmount, l.deductionAmount, l.reasonCode])).toEqual([
        [paidInFull.id, 0, 0, null],
        [damaged.id, short, short, 'damaged_goods'],
        [paidLater.id, paidLater.openAmount - partly, 0, 'partial_payment'],
      ]);
      const done = await posted(payer, payment.id);
      expect(done.erpReference).toMatch(/\S/);
      expect(erp.postingCount(payment.id)).toBe(1);

      const expected = structuredClone(before);
      delete expected[paidInFull.id];
      delete expected[damaged.id];
      expected[paidLater.id] = { open: paidLater.openAmount - partly, pending: 0 };
      if (creditUse === credit.openAmount) delete expected[credit.id];
      else expected[credit.id] = { open: credit.openAmount - creditUse, pending: 0 };
      expect(await balances('cus_acme')).toEqual(expected);

      const deductions = (await erp.listDeductions('cus_acme')).filter((d) => d.paymentId === payment.id);
      expect(deductions).toEqual([
        expect.objectContaining({
          invoiceId: damaged.id,
          amount: short,
          reasonCode: 'damaged_goods',
          erpReasonCode: 'DG',
          note: '3 cartons crushed in transit',
        }),
      ]);
    });

    it('returns the same payment for a retried request and posts it to the ERP once', async () => {
      const payer = await session('cus_acme');
      const invoice = pool.invoice('cus_acme');
      const body = await payer.accept({
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
        paymentMethodToken: await payer.card(CARDS.credit),
      });
      const key = randomUUID();
      const first = await payer.pay(body, key);
      const again = await payer.pay(body, key);
      expect(again.id).toBe(first.id);
      expect(again.amount).toBe(first.amount);
      expect((await payments('customerId=cus_acme&limit=100')).filter((p) => p.id === first.id)).toHaveLength(1);

      await posted(payer, first.id);
      expect((await payer.pay(body, key)).id).toBe(first.id);
      expect(erp.postingCount(first.id)).toBe(1);
      expect((await balances('cus_acme'))[invoice.id]).toBeUndefined();
    });

    it('refuses an Idempotency-Key reused with a different body, charging nothing more', async () => {
      const payer = await session('cus_acme');
      const invoice = pool.invoice('cus_acme');
      const token = await payer.card(CARDS.debit);
      const key = randomUUID();
      const body = (amount: number) => ({
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amount, reasonCode: 'partial_payment' }],
        paymentMethodToken: token,
      });
      const first = await payer.pay(body(1000), key);
      const count = (await payments('customerId=cus_acme&limit=100')).length;

      const reused = await payer.payReply(body(2000), key);
      expect(reused.status).toBe(422);
      expect(ProblemSchema.parse(reused.body).code).toBe('idempotency_key_reused');
      expect(await payments('customerId=cus_acme&limit=100')).toHaveLength(count);
      await posted(payer, first.id);
      expect((await balances('cus_acme'))[invoice.id]?.open).toBe(invoice.openAmount - 1000);
    });

    it('shows a payment to its own session and to the merchant, but not to another session', async () => {
      const payer = await session('cus_acme');
      const invoice = pool.invoice('cus_acme');
      const created = await payer.pay({
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
        paymentMethodToken: await payer.card(CARDS.debit),
      });
      expect(created.amount).toBe(invoice.openAmount);
      expect(created.surcharge.amount).toBe(0);

      const seen = await payer.payment(created.id);
      expect(seen).toMatchObject({
        id: created.id,
        sessionId: created.sessionId,
        status: 'succeeded',
        amount: created.amount,
      });
      expect(seen.events.filter((e) => e.kind === 'status').map((e) => e.to)).toEqual([
        'requires_confirmation',
        'succeeded',
      ]);
      const byMerchant = PaymentSchema.parse(expectStatus(await merchant('GET', `/v1/payments/${created.id}`), 200));
      expect(byMerchant).toMatchObject({ id: created.id, customerId: 'cus_acme', amount: created.amount });

      const stranger = await session('cus_acme');
      const hidden = await call(server, 'GET', `/v1/session/payments/${created.id}`, stranger.token);
      expect(hidden.status).toBe(404);
      expect(ProblemSchema.parse(hidden.body).code).toBe('not_found');
    });

    it('fails a declined card with a sentence for the payer and leaves every balance as it was', async () => {
      const payer = await session('cus_bluewater');
      const invoice = pool.invoice('cus_bluewater');
      const token = await payer.card(CARDS.declined);
      const before = await balances('cus_bluewater');
      const payment = await payer.pay(
        await payer.accept({
          method: 'card',
          allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
          paymentMethodToken: token,
        }),
      );
      expect(payment.status).toBe('failed');
      expect(payment.erpStatus).toBe('none');
      expect(payment.failure).toMatchObject({ code: 'card_declined', declineCode: 'generic_decline' });
      expect(payment.failure?.message).toMatch(/^Your card was declined\. .*another card.*\.$/);
      expect(await balances('cus_bluewater')).toEqual(before);
      expect(erp.postingCount(payment.id)).toBe(0);
    });

    it('charges a surcharge only once the payer accepted it; a debit card or a bank debit needs no confirmation', async () => {
      const payer = await session('cus_pinnacle');
      const invoice = pool.invoice('cus_pinnacle');
      const proposal = {
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
        paymentMethodToken: await payer.card(CARDS.credit),
      };
      const before = await balances('cus_pinnacle');
      const count = (await payments('customerId=cus_pinnacle&limit=100')).length;
      const fee = (await payer.quote(proposal)).surcharge.amount;
      expect(fee).toBeGreaterThan(0);

      const unconfirmed = await payer.payReply(proposal);
      expect(unconfirmed.status).toBe(422);
      const problem = ProblemSchema.parse(unconfirmed.body);
      expect(problem.code).toBe('validation_failed');
      expect(problem.details).toEqual([
        {
          path: 'expectedTotal',
          code: 'surcharge_not_confirmed',
          message: expect.stringContaining(`$${(fee / 100).toFixed(2)}`),
        },
      ]);
      expect(await payments('customerId=cus_pinnacle&limit=100')).toHaveLength(count);
      expect(await balances('cus_pinnacle')).toEqual(before);

      const accepted = await payer.pay(await payer.accept(proposal));
      expect(accepted).toMatchObject({
        status: 'succeeded',
        amount: invoice.openAmount + fee,
        surcharge: { status: 'applied', amount: fee },
      });

      const byDebit = pool.invoice('cus_pinnacle');
      const debit = await payer.pay({
        method: 'card',
        allocations: [{ invoiceId: byDebit.id, amount: byDebit.openAmount }],
        paymentMethodToken: await payer.card(CARDS.debit),
      });
      expect(debit).toMatchObject({ status: 'succeeded', amount: byDebit.openAmount, surcharge: { amount: 0 } });

      const byBank = pool.invoice('cus_pinnacle');
      const bank = await payer.pay({
        method: 'ach_debit',
        allocations: [{ invoiceId: byBank.id, amount: byBank.openAmount }],
        paymentMethodToken: await payer.bank(BANK.settles),
      });
      expect(bank).toMatchObject({ status: 'processing', amount: byBank.openAmount, surcharge: { amount: 0 } });
    });
  });

  describe('bank (ACH) payments', () => {
    const achPayment = async (payer: Payer, invoice: ErpInvoice, account: string) =>
      payer.pay({
        method: 'ach_debit',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
        paymentMethodToken: await payer.bank(account),
      });

    it('streams an ACH payment going from processing to succeeded, then posts it', async () => {
      const payer = await session('cus_bluewater');
      const invoice = pool.invoice('cus_bluewater');
      const payment = await achPayment(payer, invoice, BANK.settles);
      expect(payment).toMatchObject({
        status: 'processing',
        surcharge: { status: 'not_applicable', amount: 0 },
        paymentMethod: { type: 'ach_debit', last4: '6789', bankName: 'STRIPE TEST BANK', accountHolderType: 'company' },
      });

      const streamed = await payer.events(payment.id);
      expect(steps(streamed.map((p) => p.status))).toEqual(['processing', 'succeeded']);
      expect(streamed.at(-1)?.erpStatus).toBe('posted');
      expect(erp.postingCount(payment.id)).toBe(1);
      expect((await balances('cus_bluewater'))[invoice.id]).toBeUndefined();
    });

    it('reserves an invoice while its ACH debit is processing, so another session cannot pay it again', async () => {
      const first = await session('cus_bluewater');
      const invoice = pool.invoice('cus_bluewater');
      const pending = await achPayment(first, invoice, BANK.staysProcessing);
      expect(pending.status).toBe('processing');

      const second = await session('cus_bluewater');
      const seen = (await second.view()).invoices.find((i) => i.id === invoice.id);
      expect(seen).toMatchObject({ openAmount: invoice.openAmount, pendingAmount: invoice.openAmount });
      expect((await openItems('cus_bluewater')).invoices.find((i) => i.id === invoice.id)?.pendingAmount).toBe(
        invoice.openAmount,
      );

      const count = (await payments('customerId=cus_bluewater&limit=100')).length;
      const again = await second.payReply({
        method: 'card',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
        paymentMethodToken: await second.card(CARDS.credit),
      });
      expect(again.status).toBe(422);
      const problem = ProblemSchema.parse(again.body);
      expect(problem.details?.map((d) => d.code)).toEqual([
        expect.stringMatching(/^(invoice_payment_pending|amount_exceeds_balance)$/),
      ]);
      expect(await payments('customerId=cus_bluewater&limit=100')).toHaveLength(count);
      expect((await balances('cus_bluewater'))[invoice.id]?.open).toBe(invoice.openAmount);
    });

    it('reserves a deduction with its payment, so another session cannot pay what it closes', async () => {
      const first = await session('cus_bluewater');
      const damaged = pool.invoice('cus_bluewater');
      const paidLater = pool.invoice('cus_bluewater');
      const short = Math.floor(damaged.openAmount / 10);
      const partly = Math.floor(paidLater.openAmount / 2);
      const pending = await first.pay({
        method: 'ach_debit',
        allocations: [
          { invoiceId: damaged.id, amount: damaged.openAmount - short, reasonCode: 'damaged_goods' },
          { invoiceId: paidLater.id, amount: partly, reasonCode: 'partial_payment' },
        ],
        paymentMethodToken: await first.bank(BANK.staysProcessing),
      });
      expect(pending.status).toBe('processing');
      expect(pending.amount).toBe(damaged.openAmount - short + partly);
      expect(pending.lines.map((l) => [l.invoiceId, l.shortAmount, l.deductionAmount])).toEqual([
        [damaged.id, short, short],
        [paidLater.id, paidLater.openAmount - partly, 0],
      ]);

      // The processing payment holds the money and the deduction on the damaged invoice, only the
      // money on the one paid later.
      const second = await session('cus_bluewater');
      const seen = new Map((await second.view()).invoices.map((i) => [i.id, i]));
      expect(seen.get(damaged.id)).toMatchObject({ openAmount: damaged.openAmount, pendingAmount: damaged.openAmount });
      expect(seen.get(paidLater.id)).toMatchObject({ openAmount: paidLater.openAmount, pendingAmount: partly });
      const listed = new Map((await openItems('cus_bluewater')).invoices.map((i) => [i.id, i.pendingAmount]));
      expect(listed.get(damaged.id)).toBe(damaged.openAmount);
      expect(listed.get(paidLater.id)).toBe(partly);

      const count = (await payments('customerId=cus_bluewater&limit=100')).length;
      const token = await second.bank(BANK.settles);
      const remainder = await second.payReply({
        method: 'ach_debit',
        allocations: [{ invoiceId: damaged.id, amount: short }],
        paymentMethodToken: token,
      });
      expect(remainder.status).toBe(422);
      expect(ProblemSchema.parse(remainder.body).details).toEqual([
        expect.objectContaining({ path: 'allocations.0.invoiceId', code: 'invoice_payment_pending' }),
      ]);
      // What the partial payment leaves open is still anyone's to pay.
      const rest = await second.quote({
        method: 'ach_debit',
        allocations: [{ invoiceId: paidLater.id, amount: paidLater.openAmount - partly }],
        paymentMethodToken: token,
      });
      expect(rest.lines).toEqual([
        expect.objectContaining({ payableAmount: paidLater.openAmount - partly, shortAmount: 0, deductionAmount: 0 }),
      ]);
      expect(await payments('customerId=cus_bluewater&limit=100')).toHaveLength(count);
      const after = await balances('cus_bluewater');
      expect(after[damaged.id]).toEqual({ open: damaged.openAmount, pending: damaged.openAmount });
      expect(after[paidLater.id]).toEqual({ open: paidLater.openAmount, pending: partly });
    });

    it('fails an ACH debit the bank refuses, posting nothing and releasing the invoice', async () => {
      const payer = await session('cus_bluewater');
      const invoice = pool.invoice('cus_bluewater');
      const before = await balances('cus_bluewater');
      const payment = await achPayment(payer, invoice, BANK.fails);
      expect(payment.status).toBe('processing');

      const streamed = await payer.events(payment.id);
      expect(steps(streamed.map((p) => p.status))).toEqual(['processing', 'failed']);
      const failed = streamed.at(-1);
      expect(failed?.erpStatus).toBe('none');
      expect(failed?.failure).toMatchObject({ code: 'R01', declineCode: 'insufficient_funds' });
      expect(failed?.failure?.message).toMatch(/insufficient funds/);
      expect(erp.postingCount(payment.id)).toBe(0);
      expect(await balances('cus_bluewater')).toEqual(before);
    });

    it('reverses a returned ACH debit in the ERP, restoring every balance exactly', async () => {
      const payer = await session('cus_bluewater');
      const invoice = pool.invoice('cus_bluewater');
      const before = await balances('cus_bluewater');
      const payment = await achPayment(payer, invoice, BANK.returned);

      const reversed = await until(
        () => payer.payment(payment.id),
        (p) => p.erpStatus === 'reversed',
        'the returned debit to be reversed in the ERP',
      );
      expect(reversed.status).toBe('reversed');
      expect(reversed.failure?.message).toMatch(/returned/);
      expect(reversed.events.filter((e) => e.kind === 'status').map((e) => e.to)).toEqual([
        'requires_confirmation',
        'processing',
        'succeeded',
        'reversed',
      ]);
      expect(reversed.events.filter((e) => e.kind === 'erp').map((e) => e.to)).toEqual([
        'pending',
        'posted',
        'reversal_pending',
        'reversed',
      ]);
      expect(erp.postingCount(payment.id)).toBe(1);
      expect(await balances('cus_bluewater')).toEqual(before);
    });
  });

  describe('the merchant API', () => {
    it("lists the ERP's customers", async () => {
      const list = CustomerListSchema.parse(expectStatus(await merchant('GET', '/v1/customers'), 200));
      expect(list.data.map((c) => c.id)).toEqual((await erp.listCustomers()).map((c) => c.id));
      expect(list.data.find((c) => c.id === 'cus_summit')).toMatchObject({ currency: 'USD', region: 'US-CO' });
    });

    it("lists a customer's open items in every currency", async () => {
      const items = await openItems('cus_pinnacle');
      const ledger = await erp.listOpenItems('cus_pinnacle');
      expect(items.customerId).toBe('cus_pinnacle');
      expect(items.invoices.map((i) => [i.id, i.currency, i.openAmount])).toEqual(
        ledger.invoices.map((i) => [i.id, i.currency, i.openAmount]),
      );
      expect(new Set(items.invoices.map((i) => i.currency))).toEqual(new Set(['USD', 'EUR']));
      expect(items.credits.map((c) => c.id)).toEqual(ledger.credits.map((c) => c.id));
    });

    it('lists payments newest first, filtered by customer and status, page by page', async () => {
      const payer = await session('cus_summit');
      const made: Payment[] = [];
      for (const card of [CARDS.credit, CARDS.declined, CARDS.debit]) {
        const invoice = pool.invoice('cus_summit');
        made.push(
          await payer.pay(
            await payer.accept({
              method: 'card',
              allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
              paymentMethodToken: await payer.card(card),
            }),
          ),
        );
      }
      const newestFirst = made.map((p) => p.id).reverse();

      const all = await payments('customerId=cus_summit');
      expect(all.map((p) => p.id)).toEqual(newestFirst);
      expect(all.every((p) => p.customerId === 'cus_summit')).toBe(true);
      expect((await payments('customerId=cus_summit&status=failed')).map((p) => p.id)).toEqual([made[1]?.id]);
      expect((await payments('customerId=cus_summit&status=succeeded')).map((p) => p.id)).toEqual([
        made[2]?.id,
        made[0]?.id,
      ]);

      const first = PaymentListSchema.parse(
        expectStatus(await merchant('GET', '/v1/payments?customerId=cus_summit&limit=2'), 200),
      );
      expect(first.data).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const cursor = encodeURIComponent(first.nextCursor ?? '');
      const second = PaymentListSchema.parse(
        expectStatus(await merchant('GET', `/v1/payments?customerId=cus_summit&limit=2&cursor=${cursor}`), 200),
      );
      expect(second.nextCursor).toBeNull();
      expect([...first.data, ...second.data].map((p) => p.id)).toEqual(newestFirst);
    });
  });
});
