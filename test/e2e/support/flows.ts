import { expect } from 'vitest';
import type { MemoryErp } from '../../../server/src/erp/memory.js';
import type { Tab } from './browser.js';
import { aria, type PayPage, usd } from './pay-page.js';

/** The demo merchant's credit-card surcharge (server/src/config.ts), in basis points. */
export const SURCHARGE_BPS = 300;
export const surchargeOn = (subtotal: number) => Math.floor((subtotal * SURCHARGE_BPS) / 10_000);
/** The demo merchant's name (server/src/config.ts), which the ACH authorization names. */
export const MERCHANT = 'Northwind Supply Co.';

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The summary shows exactly these rows (after at most a few seconds of catching up). */
export async function expectSummary(pay: PayPage, expected: Array<[string, string]>): Promise<void> {
  expect(await pay.summarySettled(expected)).toEqual(expected);
}

/**
 * A page with <settle-pay> on it, signed in as `customerId`: the demo page or one of the examples.
 * The flows below drive it as the customer would and check the ERP and the merchant API after.
 */
export interface PayTarget {
  erp: MemoryErp;
  customerId: string;
  /** A new tab on the page, the widget ready. */
  open(): Promise<{ tab: Tab; pay: PayPage }>;
  /** GET from Settle's merchant API with the secret key. */
  merchantApi<T>(path: string): Promise<T>;
}

interface PaymentRow {
  id: string;
  status: string;
  failure: { code: string } | null;
}

/** The customer's payments that are not in `before`, newest first. */
async function newPayments(target: PayTarget, before: readonly PaymentRow[]): Promise<PaymentRow[]> {
  const { data } = await target.merchantApi<{ data: PaymentRow[] }>(`/v1/payments?customerId=${target.customerId}`);
  const known = new Set(before.map((p) => p.id));
  return data.filter((p) => !known.has(p.id));
}

const paymentsOf = (target: PayTarget) => newPayments(target, []);

/**
 * The customer's two oldest invoices, the second short-paid with a reason and a note, less part of
 * an open credit, by credit card with its surcharge: the receipt, the ERP's balances and deduction,
 * and the list after a reload all show exactly that.
 */
export async function payWithCreditAndShortPayment(target: PayTarget): Promise<{ tab: Tab; paymentId: string }> {
  const { erp, customerId } = target;
  const before = await erp.listOpenItems(customerId);
  const [first, second] = before.invoices;
  const SHORT = 5_000;
  const APPLIED = 10_000;
  const credit = before.credits.find((c) => c.openAmount > APPLIED);
  if (!first || !second || !credit) throw new Error(`The ERP lacks two invoices and a credit for ${customerId}`);
  const deductionsBefore = await erp.listDeductions(customerId);
  const secondPaid = second.openAmount - SHORT;
  const subtotal = first.openAmount + secondPaid - APPLIED;
  const fee = surchargeOn(subtotal);
  const lines: Array<[string, string]> = [
    [`Invoice ${first.number}`, usd(first.openAmount)],
    [`Invoice ${second.number}`, usd(secondPaid)],
    [`Credit ${credit.number}`, usd(-APPLIED)],
    ['Subtotal', usd(subtotal)],
  ];

  const { tab, pay } = await target.open();
  await pay.selectInvoice(first.number, first.openAmount);
  await pay.selectInvoice(second.number, second.openAmount);
  await pay.applyCredit(credit, APPLIED);
  await pay.setAmount(second.number, secondPaid);
  await pay.chooseReason(second.number, 'Damaged goods');
  await pay.typeNote(second.number, 'Two cartons crushed in transit');
  await pay.chooseMethod('Card');
  await expectSummary(pay, [...lines, ['Total', usd(subtotal)]]);

  await pay.fillCard('4242 4242 4242 4242', '12/34', '123');
  await expectSummary(pay, [...lines, ['Credit card surcharge (3%)', usd(fee)], ['Total', usd(subtotal + fee)]]);
  await pay.pay(subtotal + fee);

  const receipt = await pay.receipt();
  expect(receipt.title).toBe('Payment received');
  expect(receipt.rows).toEqual([
    [`Invoice ${first.number}`, usd(first.openAmount)],
    [`Invoice ${second.number} ${usd(SHORT)} not paid: Damaged goods`, usd(secondPaid)],
    [`Credit ${credit.number}`, usd(-APPLIED)],
    ['Subtotal', usd(subtotal)],
    ['Credit card surcharge (3%)', usd(fee)],
    ['Total paid', usd(subtotal + fee)],
  ]);
  expect(receipt.facts).toEqual({
    'Paid with': 'Visa •4242',
    Reference: expect.stringMatching(/^pay_/),
    Status: 'Paid',
  });

  const paymentId = receipt.facts.Reference!;
  await until('the ERP posting', () => (erp.postingCount(paymentId) === 1 ? true : undefined));
  const after = await erp.listOpenItems(customerId);
  expect(after).toEqual({
    // Both invoices closed: the first paid in full, the second by cash plus a closing deduction.
    invoices: before.invoices.filter((i) => i.id !== first.id && i.id !== second.id),
    credits: before.credits.map((c) => (c.id === credit.id ? { ...c, openAmount: c.openAmount - APPLIED } : c)),
  });
  expect(await erp.listDeductions(customerId)).toEqual([
    ...deductionsBefore,
    expect.objectContaining({
      paymentId,
      invoiceId: second.id,
      amount: SHORT,
      reasonCode: 'damaged_goods',
      erpReasonCode: 'DG',
      note: 'Two cartons crushed in transit',
    }),
  ]);
  // Back on the page later, the customer no longer finds the two invoices among those to pay.
  await tab.page.reload();
  await pay.ready();
  const rows = await pay.invoiceRows();
  expect(rows[0]).toBe(`Pay invoice ${after.invoices[0]!.number}, ${usd(after.invoices[0]!.openAmount)} open`);
  expect(rows.join('\n')).not.toMatch(new RegExp(`${first.number}|${second.number}`));
  return { tab, paymentId };
}

/**
 * A declined card keeps the selection and changes nothing in the ERP; another card then pays, once.
 */
export async function declineThenPay(target: PayTarget): Promise<{ tab: Tab; paymentId: string }> {
  const { erp, customerId } = target;
  const before = await erp.listOpenItems(customerId);
  const paymentsBefore = await paymentsOf(target);
  const [first, second] = before.invoices;
  if (!first || !second) throw new Error(`The ERP lacks two invoices for ${customerId}`);
  const subtotal = first.openAmount + second.openAmount;
  const total = subtotal + surchargeOn(subtotal);

  const { tab, pay } = await target.open();
  await pay.selectInvoice(first.number, first.openAmount);
  await pay.selectInvoice(second.number, second.openAmount);
  await pay.useTestNumber('4000 0000 0000 0002 (declined card)');
  await pay.pay(total);

  expect(await pay.textOf('error')).toBe(
    'Payment declined Your card was declined. Try another card, or pay by bank (ACH).',
  );
  expect(await pay.isSelected(first.number, first.openAmount)).toBe(true);
  expect(await pay.isSelected(second.number, second.openAmount)).toBe(true);
  expect(await pay.summary()).toEqual([
    [`Invoice ${first.number}`, usd(first.openAmount)],
    [`Invoice ${second.number}`, usd(second.openAmount)],
    ['Total', usd(subtotal)],
  ]);
  expect(await erp.listOpenItems(customerId)).toEqual(before);
  expect(await newPayments(target, paymentsBefore)).toEqual([
    expect.objectContaining({ status: 'failed', failure: expect.objectContaining({ code: 'card_declined' }) }),
  ]);

  await pay.useTestNumber('4242 4242 4242 4242 (credit card)');
  // An impatient double-click on Pay still pays once.
  await pay.pay(total, { count: 2 });
  const receipt = await pay.receipt();
  expect(receipt.title).toBe('Payment received');
  expect(receipt.facts).toEqual({
    'Paid with': 'Visa •4242',
    Reference: expect.stringMatching(/^pay_/),
    Status: 'Paid',
  });
  const paymentId = receipt.facts.Reference!;
  const made = await newPayments(target, paymentsBefore);
  expect(made.map((p) => p.status).sort()).toEqual(['failed', 'succeeded']);
  await until('the ERP posting', () => (erp.postingCount(paymentId) === 1 ? true : undefined));
  expect((await erp.listOpenItems(customerId)).invoices).toEqual(
    before.invoices.filter((i) => i.id !== first.id && i.id !== second.id),
  );
  return { tab, paymentId };
}

/**
 * The oldest invoice by ACH debit under the authorization naming the merchant: the widget says
 * processing, then shows the receipt once the debit settles, and only then does the ERP have it.
 */
export async function achPendingThenSettled(target: PayTarget): Promise<{ tab: Tab; paymentId: string }> {
  const { erp, customerId } = target;
  const [oldest] = (await erp.listOpenItems(customerId)).invoices;
  if (!oldest) throw new Error(`The ERP lacks an invoice for ${customerId}`);

  const { tab, pay } = await target.open();
  await pay.selectInvoice(oldest.number, oldest.openAmount);
  await pay.chooseMethod('Bank (ACH) debit');
  const authorize = `I authorize ${MERCHANT} to debit this bank account.`;
  await tab.page.locator(aria(authorize, 'checkbox')).wait();
  expect(await pay.paymentFieldsText()).toContain(
    `you authorize ${MERCHANT} to debit the bank account specified above`,
  );

  await pay.type('Account holder name', 'Summit Ridge Builders');
  await pay.type('Routing number', '110000000');
  await pay.type('Account number', '000123456789');
  await pay.type('Confirm account number', '000123456789');
  await tab.page.locator(aria(authorize, 'checkbox')).click();
  await expectSummary(pay, [
    [`Invoice ${oldest.number}`, usd(oldest.openAmount)],
    ['Total', usd(oldest.openAmount)],
  ]);
  await pay.pay(oldest.openAmount);

  const pending = await pay.textOf('pending');
  expect(pending).toContain('Payment processing');
  expect(pending).toContain('Your bank payment is processing.');
  expect(pending).toContain('Status Processing');
  const processing = await paymentsOf(target);
  const paymentId = processing[0]!.id;
  expect(processing[0]).toMatchObject({ status: 'processing' });
  // Not in the ERP while the bank has not settled the debit.
  expect(erp.postingCount(paymentId)).toBe(0);

  const receipt = await pay.receipt();
  expect(receipt.title).toBe('Payment received');
  expect(receipt.rows).toEqual([
    [`Invoice ${oldest.number}`, usd(oldest.openAmount)],
    ['Total paid', usd(oldest.openAmount)],
  ]);
  expect(receipt.facts).toEqual({ 'Paid with': expect.stringMatching(/•6789$/), Reference: paymentId, Status: 'Paid' });
  await until('the ERP posting', () => (erp.postingCount(paymentId) === 1 ? true : undefined));
  return { tab, paymentId };
}
