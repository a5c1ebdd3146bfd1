import { randomUUID } from 'node:crypto';
import { type Currency, currencyExponent } from '@settle/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ErpAdapter,
  type ErpApplication,
  type ErpCredit,
  type ErpInvoice,
  type ErpPosting,
  ErpRejectedError,
  ErpUnavailableError,
} from './port.js';

/**
 * What an adapter author hands the kit. `setup` runs before every test and may return a fresh
 * adapter or the same one: each test reads balances first, expects changes relative to them,
 * and reverses its postings afterwards, so a shared sandbox ERP is not drained.
 */
export interface ErpConformanceFixture {
  adapter: ErpAdapter;
  /** A customer with at least 2 open invoices of 10.00 units or more and 1 open credit, in one currency. */
  customerId: string;
  /** Make the ERP unreachable; the unavailability test is skipped without it. */
  makeUnavailable?: () => Promise<void> | void;
  restore?: () => Promise<void> | void;
  teardown?: () => Promise<void>;
}

/** Open balances by item, `invoice:<id>` / `credit:<id>`; an item that is no longer open is absent. */
type Balances = Record<string, number>;

interface Scene {
  currency: Currency;
  /** One major unit (100 for USD, 1 for JPY) in minor units. */
  unit: number;
  a: ErpInvoice;
  b: ErpInvoice;
  invoices: ErpInvoice[];
  credit: ErpCredit;
}

/**
 * Registers the ERP adapter conformance suite with vitest. Call it at the top level of a test file:
 * `runErpConformance('my-erp', async () => ({ adapter: new MyErp(...), customerId: 'C-100' }))`.
 */
export function runErpConformance(name: string, setup: () => Promise<ErpConformanceFixture>): void {
  describe(`ErpAdapter conformance: ${name}`, () => {
    let fx: ErpConformanceFixture;
    let posted: string[] = [];
    let down = false;

    beforeEach(async () => {
      fx = await setup();
      posted = [];
      down = false;
    });

    afterEach(async () => {
      if (down) await fx.restore?.();
      for (const id of posted.reverse()) await fx.adapter.reversePayment(id, 'conformance cleanup').catch(() => {});
      await fx.teardown?.();
    });

    const balances = async (): Promise<Balances> => {
      const { invoices, credits } = await fx.adapter.listOpenItems(fx.customerId);
      return Object.fromEntries([
        ...invoices.map((i) => [`invoice:${i.id}`, i.openAmount] as const),
        ...credits.map((c) => [`credit:${c.id}`, c.openAmount] as const),
      ]);
    };

    const scene = async (): Promise<Scene> => {
      const { invoices, credits } = await fx.adapter.listOpenItems(fx.customerId);
      for (const credit of credits) {
        const unit = 10 ** currencyExponent(credit.currency);
        const fit = invoices.filter((i) => i.currency === credit.currency && i.openAmount >= 10 * unit);
        const [a, b] = fit;
        if (a && b) return { currency: credit.currency, unit, a, b, invoices: fit, credit };
      }
      throw new Error(
        `Fixture customer ${fx.customerId} needs 2 open invoices of at least 10.00 and 1 open credit in one currency`,
      );
    };

    /** The balances after taking `deltas` off `before`; items brought to zero leave the open list. */
    const minus = (before: Balances, deltas: Record<string, number>): Balances => {
      const after = { ...before };
      for (const [key, delta] of Object.entries(deltas)) {
        const left = (after[key] ?? 0) - delta;
        if (left > 0) after[key] = left;
        else delete after[key];
      }
      return after;
    };

    const posting = (
      s: Scene,
      applications: ErpApplication[],
      credits: ErpPosting['credits'] = [],
      unappliedAmount = 0,
    ): ErpPosting => {
      const paymentId = `pay_conformance_${randomUUID()}`;
      return {
        paymentId,
        customerId: fx.customerId,
        currency: s.currency,
        date: new Date().toISOString().slice(0, 10),
        method: 'ach_debit',
        cashAmount: applications.reduce((total, a) => total + a.cash, unappliedAmount),
        surchargeAmount: 0,
        reference: `Settle conformance ${paymentId}`,
        applications,
        credits,
        unappliedAmount,
      };
    };

    const post = (p: ErpPosting) => {
      posted.push(p.paymentId);
      return fx.adapter.postPayment(p);
    };

    const cash = (invoice: ErpInvoice, amount: number, credit = 0): ErpApplication => ({
      invoiceId: invoice.id,
      cash: amount,
      credit,
      deduction: null,
    });

    it('lists the customer and reads it back by id', async () => {
      const customers = await fx.adapter.listCustomers();
      const listed = customers.find((c) => c.id === fx.customerId);
      expect(listed).toBeDefined();
      expect(await fx.adapter.getCustomer(fx.customerId)).toEqual(listed);
      expect(listed?.currency).toMatch(/^[A-Z]{3}$/);
    });

    it('returns null for a customer the ERP does not know', async () => {
      expect(await fx.adapter.getCustomer(`cus_conformance_missing_${randomUUID()}`)).toBeNull();
    });

    it('lists open invoices and credits with positive integer balances in ISO currencies', async () => {
      const { invoices, credits } = await fx.adapter.listOpenItems(fx.customerId);
      for (const item of [...invoices, ...credits]) {
        expect(item.customerId).toBe(fx.customerId);
        expect(item.currency).toMatch(/^[A-Z]{3}$/);
        expect(Number.isSafeInteger(item.amount)).toBe(true);
        expect(Number.isSafeInteger(item.openAmount)).toBe(true);
        expect(item.openAmount).toBeGreaterThan(0);
        expect(item.openAmount).toBeLessThanOrEqual(item.amount);
        expect(item.issueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      for (const invoice of invoices) expect(invoice.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      await expect(scene()).resolves.toBeDefined();
    });

    it('applies exactly the allocated cash and credit to each invoice', async () => {
      const s = await scene();
      const before = await balances();
      const c = Math.min(s.credit.openAmount, s.unit);
      await post(
        posting(
          s,
          [cash(s.a, 2 * s.unit, c), cash(s.b, 3 * s.unit)],
          [{ creditId: s.credit.id, invoiceId: s.a.id, amount: c }],
        ),
      );
      expect(await balances()).toEqual(
        minus(before, {
          [`invoice:${s.a.id}`]: 2 * s.unit + c,
          [`invoice:${s.b.id}`]: 3 * s.unit,
          [`credit:${s.credit.id}`]: c,
        }),
      );
    });

    it('leaves the unpaid remainder open after a partial payment', async () => {
      const s = await scene();
      await post(posting(s, [cash(s.a, s.a.openAmount - s.unit)]));
      const { invoices } = await fx.adapter.listOpenItems(fx.customerId);
      expect(invoices.find((i) => i.id === s.a.id)?.openAmount).toBe(s.unit);
    });

    it('closes the short-paid rest of an invoice with a deduction', async () => {
      const s = await scene();
      const before = await balances();
      const rest = s.a.openAmount - s.unit;
      const deduction = {
        amount: rest,
        reasonCode: 'pricing_dispute',
        erpReasonCode: 'PD',
        note: 'Conformance short pay',
      };
      await post(posting(s, [{ ...cash(s.a, s.unit), deduction }]));
      expect(await balances()).toEqual(minus(before, { [`invoice:${s.a.id}`]: s.a.openAmount }));
    });

    it('consumes a credit memo by exactly the amount applied, split across invoices', async () => {
      const s = await scene();
      const before = await balances();
      const ca = Math.min(s.credit.openAmount, s.unit);
      const cb = Math.min(s.credit.openAmount - ca, s.unit);
      const applications = [cash(s.a, s.unit, ca), ...(cb > 0 ? [cash(s.b, 0, cb)] : [])];
      const credits = [
        { creditId: s.credit.id, invoiceId: s.a.id, amount: ca },
        ...(cb > 0 ? [{ creditId: s.credit.id, invoiceId: s.b.id, amount: cb }] : []),
      ];
      await post(posting(s, applications, credits));
      expect(await balances()).toEqual(
        minus(before, {
          [`invoice:${s.a.id}`]: s.unit + ca,
          [`invoice:${s.b.id}`]: cb,
          [`credit:${s.credit.id}`]: ca + cb,
        }),
      );
    });

    it('changes nothing when the same paymentId is posted again and returns the same erpReference', async () => {
      const s = await scene();
      const before = await balances();
      const p = posting(s, [cash(s.a, s.unit)]);
      const first = await post(p);
      const second = await post(p);
      expect(second.erpReference).toBe(first.erpReference);
      expect(await balances()).toEqual(minus(before, { [`invoice:${s.a.id}`]: s.unit }));
    });

    it('applies five concurrent postings of the same paymentId once', async () => {
      const s = await scene();
      const before = await balances();
      const p = posting(s, [cash(s.a, s.unit)]);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => post(p)));
      // An adapter may ask a concurrent duplicate to retry, never reject it for good.
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ErpUnavailableError);
      const references = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.erpReference] : [])));
      references.add((await post(p)).erpReference);
      expect(references.size).toBe(1);
      expect(await balances()).toEqual(minus(before, { [`invoice:${s.a.id}`]: s.unit }));
    });

    it('applies concurrent postings of different payments on different invoices', async () => {
      const s = await scene();
      const before = await balances();
      const results = await Promise.all(s.invoices.map((invoice) => post(posting(s, [cash(invoice, s.unit)]))));
      expect(new Set(results.map((r) => r.erpReference)).size).toBe(s.invoices.length);
      const deltas = Object.fromEntries(s.invoices.map((i) => [`invoice:${i.id}`, s.unit]));
      expect(await balances()).toEqual(minus(before, deltas));
    });

    it('rejects a posting above an invoice balance and changes nothing', async () => {
      const s = await scene();
      const before = await balances();
      const p = posting(s, [cash(s.a, s.unit), cash(s.b, s.b.openAmount + 1)]);
      await expect(post(p)).rejects.toBeInstanceOf(ErpRejectedError);
      expect(await balances()).toEqual(before);
    });

    it('rejects a posting to an unknown invoice and changes nothing', async () => {
      const s = await scene();
      const before = await balances();
      const unknown = { ...s.b, id: `inv_conformance_missing_${randomUUID()}` };
      await expect(post(posting(s, [cash(s.a, s.unit), cash(unknown, s.unit)]))).rejects.toBeInstanceOf(
        ErpRejectedError,
      );
      expect(await balances()).toEqual(before);
    });

    it('rejects a credit applied above its remaining amount and changes nothing', async () => {
      const s = await scene();
      const before = await balances();
      const over = s.credit.openAmount + 1;
      const target = s.invoices.find((i) => i.openAmount >= over) ?? s.a;
      const p = posting(s, [cash(target, 0, over)], [{ creditId: s.credit.id, invoiceId: target.id, amount: over }]);
      await expect(post(p)).rejects.toBeInstanceOf(ErpRejectedError);
      expect(await balances()).toEqual(before);
    });

    it('restores every balance exactly when a posting is reversed', async () => {
      const s = await scene();
      const before = await balances();
      const c = Math.min(s.credit.openAmount, s.unit);
      const deduction = { amount: s.unit, reasonCode: 'damaged_goods', erpReasonCode: null, note: null };
      const p = posting(
        s,
        [{ ...cash(s.a, s.unit, c), deduction }, cash(s.b, 2 * s.unit)],
        [{ creditId: s.credit.id, invoiceId: s.a.id, amount: c }],
        s.unit,
      );
      await post(p);
      const after = await balances();
      expect(after[`invoice:${s.a.id}`] ?? 0).toBe((before[`invoice:${s.a.id}`] ?? 0) - 2 * s.unit - c);
      expect(after[`invoice:${s.b.id}`] ?? 0).toBe((before[`invoice:${s.b.id}`] ?? 0) - 2 * s.unit);
      await fx.adapter.reversePayment(p.paymentId, 'ACH return R01');
      expect(await balances()).toEqual(before);
    });

    it('treats a second reversal and the reversal of an unknown payment as no-ops', async () => {
      const s = await scene();
      const before = await balances();
      const p = posting(s, [cash(s.a, s.unit)]);
      await post(p);
      await fx.adapter.reversePayment(p.paymentId, 'ACH return R01');
      await fx.adapter.reversePayment(p.paymentId, 'ACH return R01');
      await fx.adapter.reversePayment(`pay_conformance_missing_${randomUUID()}`, 'never posted');
      expect(await balances()).toEqual(before);
    });

    it('throws ErpUnavailableError while the ERP is down and works again once restored', async (ctx) => {
      if (!fx.makeUnavailable) ctx.skip('the fixture has no makeUnavailable');
      const s = await scene();
      const before = await balances();
      const p = posting(s, [cash(s.a, s.unit)]);
      down = true;
      await fx.makeUnavailable?.();
      await expect(fx.adapter.listCustomers()).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(fx.adapter.getCustomer(fx.customerId)).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(fx.adapter.listOpenItems(fx.customerId)).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(post(p)).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(fx.adapter.reversePayment(p.paymentId, 'ACH return R01')).rejects.toBeInstanceOf(
        ErpUnavailableError,
      );
      await fx.restore?.();
      down = false;
      expect(await balances()).toEqual(before);
      await post(p);
      expect(await balances()).toEqual(minus(before, { [`invoice:${s.a.id}`]: s.unit }));
    });
  });
}
