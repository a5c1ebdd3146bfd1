import { describe, expect, it } from 'vitest';
import { acmePosting } from '../../test/harness.js';
import { runErpConformance } from './conformance.js';
import { MemoryErp } from './memory.js';
import { ErpRejectedError, ErpUnavailableError } from './port.js';
import { createDemoErp, demoCustomerId, demoErpData } from './seed.js';

const TODAY = new Date('2025-03-14T15:30:00Z');

runErpConformance('memory', async () => {
  const erp = createDemoErp(TODAY);
  return {
    adapter: erp,
    customerId: demoCustomerId,
    makeUnavailable: () => erp.setAvailable(false),
    restore: () => erp.setAvailable(true),
  };
});

function daysFromToday(date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.UTC(2025, 2, 14)) / 86_400_000);
}

describe('demo seed', () => {
  it('yields the same ledger for the same day', () => {
    expect(demoErpData(TODAY)).toEqual(demoErpData(new Date('2025-03-14T23:59:00Z')));
  });

  it('keeps numbers and amounts but moves dates with the day it runs', () => {
    const a = demoErpData(TODAY);
    const b = demoErpData(new Date('2025-06-01T00:00:00Z'));
    expect(b.invoices.map((i) => [i.number, i.amount, i.openAmount])).toEqual(
      a.invoices.map((i) => [i.number, i.amount, i.openAmount]),
    );
    expect(b.invoices[0]?.dueDate).not.toBe(a.invoices[0]?.dueDate);
  });

  it('has overdue and not-yet-due invoices, in integer minor units within the demo range', () => {
    const { invoices, credits } = demoErpData(TODAY);
    expect(invoices.length).toBeGreaterThanOrEqual(48);
    const due = invoices.map((i) => daysFromToday(i.dueDate));
    expect(due.some((d) => d <= -60)).toBe(true);
    expect(due.some((d) => d > 0)).toBe(true);
    expect(due.every((d) => d >= -120 && d <= 45 && (d > 0 || d <= -5))).toBe(true);
    for (const item of [...invoices, ...credits]) {
      expect(Number.isSafeInteger(item.amount) && Number.isSafeInteger(item.openAmount)).toBe(true);
      expect(item.openAmount).toBeLessThanOrEqual(item.amount);
    }
    expect(invoices.every((i) => i.amount >= 12_000 && i.amount <= 4_800_000)).toBe(true);
    expect(new Set(invoices.map((i) => i.number)).size).toBe(invoices.length);
  });

  it('covers the surcharge regions and a customer billed in two currencies', () => {
    const { customers, invoices } = demoErpData(TODAY);
    expect(customers.length).toBeGreaterThanOrEqual(5);
    expect(customers.map((c) => c.region)).toEqual(expect.arrayContaining(['US-NY', 'US-CA', 'US-CO', 'US-CT']));
    expect(customers.some((c) => c.currency === 'EUR')).toBe(true);
    const mixed = customers.filter((c) => {
      const currencies = new Set(invoices.filter((i) => i.customerId === c.id).map((i) => i.currency));
      return c.currency === 'USD' && currencies.has('EUR');
    });
    expect(mixed).toHaveLength(1);
  });

  it('gives the demo customer open USD invoices and a credit memo to apply', async () => {
    const erp = createDemoErp(TODAY);
    expect((await erp.getCustomer(demoCustomerId))?.name).toBe('Acme Industrial Supply');
    const { invoices, credits } = await erp.listOpenItems(demoCustomerId);
    expect(invoices.filter((i) => i.currency === 'USD').length).toBeGreaterThanOrEqual(2);
    expect(credits.some((c) => c.currency === 'USD' && c.openAmount >= 10_000)).toBe(true);
  });
});

describe('MemoryErp', () => {
  it('lists only open items, oldest due date first', async () => {
    const data = demoErpData(TODAY);
    const erp = new MemoryErp(data);
    for (const customer of data.customers) {
      const { invoices } = await erp.listOpenItems(customer.id);
      const expected = data.invoices.filter((i) => i.customerId === customer.id && i.openAmount > 0);
      expect(invoices).toHaveLength(expected.length);
      const dues = invoices.map((i) => i.dueDate);
      expect(dues).toEqual([...dues].sort());
    }
  });

  it('is not changed by later edits to the data it was given or the items it returned', async () => {
    const data = demoErpData(TODAY);
    const erp = new MemoryErp(data);
    const { invoices } = await erp.listOpenItems(demoCustomerId);
    const first = invoices[0]!;
    const open = first.openAmount;
    first.openAmount = 1;
    for (const i of data.invoices) i.openAmount = 0;
    expect((await erp.listOpenItems(demoCustomerId)).invoices[0]?.openAmount).toBe(open);
  });

  it('fails the next postings as told, then posts exactly once', async () => {
    const erp = createDemoErp(TODAY);
    const p = await acmePosting(erp, 'pay_fail_next');
    erp.failNext(2, 'unavailable');
    await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
    await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
    expect(erp.postingCount(p.paymentId)).toBe(0);
    erp.failNext(1, 'rejected');
    await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpRejectedError);
    const { erpReference } = await erp.postPayment(p);
    expect(erpReference).toMatch(/^RCPT-\d{6}$/);
    await erp.postPayment(p);
    expect(erp.postingCount(p.paymentId)).toBe(1);
  });

  it('records short-pay deductions with their reason codes until the posting is reversed', async () => {
    const erp = createDemoErp(TODAY);
    const { invoices } = await erp.listOpenItems(demoCustomerId);
    const invoice = invoices[0]!;
    const deduction = {
      amount: invoice.openAmount - 10_000,
      reasonCode: 'damaged_goods',
      erpReasonCode: 'DG',
      note: 'Two pallets crushed',
    };
    const p = await acmePosting(erp, 'pay_short', {
      applications: [{ invoiceId: invoice.id, cash: 10_000, credit: 0, deduction }],
    });
    await erp.postPayment(p);
    expect(await erp.listDeductions(demoCustomerId)).toEqual([
      expect.objectContaining({
        paymentId: 'pay_short',
        invoiceNumber: invoice.number,
        amount: deduction.amount,
        reasonCode: 'damaged_goods',
        erpReasonCode: 'DG',
        note: 'Two pallets crushed',
      }),
    ]);
    expect(await erp.listDeductions('cus_harbor')).toEqual([]);
    expect((await erp.listOpenItems(demoCustomerId)).invoices.map((i) => i.id)).not.toContain(invoice.id);
    await erp.reversePayment('pay_short', 'ACH return R01');
    expect(await erp.listDeductions()).toEqual([]);
  });

  it('leaves unapplied cash on account as a credit memo that a reversal removes', async () => {
    const erp = createDemoErp(TODAY);
    const p = await acmePosting(erp, 'pay_over', { cashAmount: 15_000, unappliedAmount: 5_000 });
    await erp.postPayment(p);
    const onAccount = (await erp.listOpenItems(demoCustomerId)).credits.find((c) => c.number === 'UNAPPLIED-pay_over');
    expect(onAccount).toMatchObject({ currency: 'USD', amount: 5_000, openAmount: 5_000 });
    await erp.reversePayment('pay_over', 'dispute lost');
    const credits = (await erp.listOpenItems(demoCustomerId)).credits;
    expect(credits.map((c) => c.number)).not.toContain('UNAPPLIED-pay_over');
  });

  it('refuses to reverse a posting whose on-account credit was used since', async () => {
    const erp = createDemoErp(TODAY);
    await erp.postPayment(await acmePosting(erp, 'pay_over', { cashAmount: 15_000, unappliedAmount: 5_000 }));
    const use = await acmePosting(erp, 'pay_use', {
      cashAmount: 0,
      applications: [
        {
          invoiceId: (await erp.listOpenItems(demoCustomerId)).invoices[1]!.id,
          cash: 0,
          credit: 5_000,
          deduction: null,
        },
      ],
    });
    const invoiceId = use.applications[0]!.invoiceId;
    await erp.postPayment({ ...use, credits: [{ creditId: 'cre_unapplied_pay_over', invoiceId, amount: 5_000 }] });
    await expect(erp.reversePayment('pay_over', 'ACH return R01')).rejects.toBeInstanceOf(ErpRejectedError);
    await erp.reversePayment('pay_use', 'ACH return R01');
    await erp.reversePayment('pay_over', 'ACH return R01');
    expect((await erp.listOpenItems(demoCustomerId)).credits.map((c) => c.id)).not.toContain('cre_unapplied_pay_over');
  });

  it('does not apply a reversed payment again when it is posted a second time', async () => {
    const erp = createDemoErp(TODAY);
    const before = await erp.listOpenItems(demoCustomerId);
    const p = await acmePosting(erp, 'pay_again');
    const first = await erp.postPayment(p);
    await erp.reversePayment(p.paymentId, 'ACH return R01');
    expect(await erp.postPayment(p)).toEqual(first);
    expect(await erp.listOpenItems(demoCustomerId)).toEqual(before);
    expect(erp.postingCount(p.paymentId)).toBe(1);
  });

  it.each([
    ['another currency', { currency: 'EUR' }, /is in USD, the posting in EUR/],
    ['an unknown customer', { customerId: 'cus_nobody' }, /unknown customer cus_nobody/],
    ['cash that does not add up', { cashAmount: 9_999 }, /cashAmount/],
    ['a fractional amount', { cashAmount: 100.5 }, /integer/],
  ] as const)('rejects a posting with %s and names the problem', async (_label, over, message) => {
    const erp = createDemoErp(TODAY);
    const before = await erp.listOpenItems(demoCustomerId);
    const p = await acmePosting(erp, 'pay_bad', over);
    const error = await erp.postPayment(p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpRejectedError);
    expect((error as Error).message).toMatch(message);
    expect(await erp.listOpenItems(demoCustomerId)).toEqual(before);
    expect(erp.postingCount('pay_bad')).toBe(0);
  });

  it('rejects credit from another customer', async () => {
    const erp = createDemoErp(TODAY);
    const foreign = (await erp.listOpenItems('cus_summit')).credits[0]!;
    const p = await acmePosting(erp, 'pay_steal');
    const invoiceId = p.applications[0]!.invoiceId;
    const steal = {
      ...p,
      applications: [{ invoiceId, cash: 10_000, credit: 100, deduction: null }],
      credits: [{ creditId: foreign.id, invoiceId, amount: 100 }],
    };
    await expect(erp.postPayment(steal)).rejects.toThrow(/belongs to another customer/);
  });
});
