import { describe, expect, it } from 'vitest';
import type { PaymentProposal } from './allocation.js';
import { QuoteSchema } from './allocation.js';
import { compareOldestFirst, computeQuote, payableAmount, type QuoteContext, surchargeFor } from './quote.js';
import type { CreditMemo, Invoice, MerchantRules, SurchargeRule } from './session.js';

function invoice(id: string, openAmount: number, dueDate: string, over: Partial<Invoice> = {}): Invoice {
  return {
    id,
    number: id.toUpperCase(),
    issueDate: '2025-11-01',
    dueDate,
    currency: 'USD',
    amount: openAmount,
    openAmount,
    pendingAmount: 0,
    documentUrl: null,
    poNumber: null,
    ...over,
  };
}

function credit(id: string, openAmount: number, over: Partial<CreditMemo> = {}): CreditMemo {
  return {
    id,
    number: id.toUpperCase(),
    issueDate: '2025-10-01',
    currency: 'USD',
    amount: openAmount,
    openAmount,
    pendingAmount: 0,
    memo: null,
    ...over,
  };
}

const surcharge3pct: SurchargeRule = { enabled: true, rateBps: 300, maxRateBps: 300, maxAmount: null, regions: {} };

function rules(over: Partial<MerchantRules> = {}): MerchantRules {
  return {
    allowedMethods: ['card', 'ach_debit', 'wallet'],
    methodLimits: {},
    surcharge: surcharge3pct,
    allowPartialPayment: true,
    allowOverpayment: false,
    reasonCodes: [
      { code: 'pricing_dispute', label: 'Pricing dispute', requiresNote: false, erpCode: 'PD', leavesOpen: false },
      { code: 'other', label: 'Other', requiresNote: true, erpCode: 'UD', leavesOpen: false },
    ],
    ...over,
  };
}

/** inv-a due Jan (10,000), inv-b due Feb (5,000), inv-c due Dec (3,000, the oldest). */
function context(over: Partial<QuoteContext> = {}): QuoteContext {
  return {
    currency: 'USD',
    invoices: [
      invoice('inv-a', 10_000, '2026-01-10'),
      invoice('inv-b', 5_000, '2026-02-10'),
      invoice('inv-c', 3_000, '2025-12-01'),
    ],
    credits: [credit('cm-1', 4_000), credit('cm-2', 2_500, { pendingAmount: 500 })],
    rules: rules(),
    region: 'US-NY',
    ...over,
  };
}

function ach(allocations: PaymentProposal['allocations'], more: Partial<PaymentProposal> = {}): PaymentProposal {
  return { method: 'ach_debit', allocations, ...more };
}

describe('payableAmount', () => {
  it('is the open balance less what in-flight payments reserve, never below zero', () => {
    expect(payableAmount({ openAmount: 10_000, pendingAmount: 0 })).toBe(10_000);
    expect(payableAmount({ openAmount: 10_000, pendingAmount: 4_000 })).toBe(6_000);
    expect(payableAmount({ openAmount: 10_000, pendingAmount: 12_000 })).toBe(0);
  });
});

describe('compareOldestFirst', () => {
  it('orders by due date, then issue date, then id', () => {
    const items = [
      { id: 'b', dueDate: '2026-01-01', issueDate: '2025-12-01' },
      { id: 'a', dueDate: '2026-01-01', issueDate: '2025-12-01' },
      { id: 'c', dueDate: '2026-01-01', issueDate: '2025-11-01' },
      { id: 'd', dueDate: '2025-12-31', issueDate: '2025-12-31' },
    ];
    expect([...items].sort(compareOldestFirst).map((i) => i.id)).toEqual(['d', 'c', 'a', 'b']);
  });
});

describe('computeQuote: allocations', () => {
  it('quotes paying invoices in full with no issues', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 5_000 },
      ]),
    );
    expect(issues).toEqual([]);
    expect(quote.lines.map((l) => [l.invoiceId, l.amount, l.shortAmount, l.deductionAmount, l.cashApplied])).toEqual([
      ['inv-a', 10_000, 0, 0, 10_000],
      ['inv-b', 5_000, 0, 0, 5_000],
    ]);
    expect(quote).toMatchObject({ invoiceTotal: 15_000, creditTotal: 0, subtotal: 15_000, total: 15_000 });
    expect(QuoteSchema.safeParse(quote).success).toBe(true);
  });

  it('asks for a reason code when an invoice is short-paid', () => {
    const result = computeQuote(
      context(),
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 4_000 },
      ]),
    );
    expect(result.issues).toEqual([
      { path: 'allocations.1.reasonCode', code: 'reason_code_required', message: expect.stringContaining('$50.00') },
    ]);
    expect(result.quote.lines[1]).toMatchObject({
      amount: 4_000,
      shortAmount: 1_000,
      deductionAmount: 0,
      reasonCode: null,
    });
  });

  it('accepts a short payment with a known reason code and records the short amount', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-b', amount: 4_000, reasonCode: 'pricing_dispute', note: '  unit price was $9  ' }]),
    );
    expect(issues).toEqual([]);
    expect(quote.lines[0]).toMatchObject({
      amount: 4_000,
      shortAmount: 1_000,
      deductionAmount: 1_000,
      reasonCode: 'pricing_dispute',
      note: 'unit price was $9',
    });
  });

  it('records no deduction when the reason leaves the rest of the invoice open', () => {
    const later = { code: 'partial_payment', label: 'Paying the rest later', requiresNote: false, erpCode: null };
    const ctx = context({
      rules: rules({ reasonCodes: [...rules().reasonCodes, { ...later, leavesOpen: true }] }),
    });
    const { quote, issues } = computeQuote(
      ctx,
      ach([
        { invoiceId: 'inv-a', amount: 6_000, reasonCode: 'partial_payment' },
        { invoiceId: 'inv-b', amount: 4_000, reasonCode: 'pricing_dispute' },
      ]),
    );
    expect(issues).toEqual([]);
    expect(quote.lines.map((l) => [l.invoiceId, l.shortAmount, l.deductionAmount, l.reasonCode])).toEqual([
      ['inv-a', 4_000, 0, 'partial_payment'],
      ['inv-b', 1_000, 1_000, 'pricing_dispute'],
    ]);
    // The deduction is not money: the totals are what is paid.
    expect(quote).toMatchObject({ invoiceTotal: 10_000, subtotal: 10_000, total: 10_000 });
    expect(QuoteSchema.safeParse(quote).success).toBe(true);
  });

  it('drops the reason code and note of an invoice paid in full', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-b', amount: 5_000, reasonCode: 'pricing_dispute', note: 'n/a' }]),
    );
    expect(issues).toEqual([]);
    expect(quote.lines[0]).toMatchObject({ shortAmount: 0, deductionAmount: 0, reasonCode: null, note: null });
  });

  it('refuses a reason code that is not on the merchant list', () => {
    const result = computeQuote(
      context(),
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 4_000, reasonCode: 'felt_like_it' },
      ]),
    );
    expect(result.issues).toEqual([
      {
        path: 'allocations.1.reasonCode',
        code: 'reason_code_unknown',
        message: expect.stringContaining('felt_like_it'),
      },
    ]);
  });

  it('requires a note when the reason code requires one, and a blank note does not count', () => {
    for (const note of [undefined, '', '   ']) {
      const result = computeQuote(context(), ach([{ invoiceId: 'inv-b', amount: 4_000, reasonCode: 'other', note }]));
      expect(result.issues).toEqual([
        { path: 'allocations.0.note', code: 'note_required', message: expect.stringContaining('Other') },
      ]);
    }
    const ok = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-b', amount: 4_000, reasonCode: 'other', note: 'pallet 3 missing' }]),
    );
    expect(ok.issues).toEqual([]);
  });

  it('refuses a short payment when the merchant does not allow partial payment', () => {
    const result = computeQuote(
      context({ rules: rules({ allowPartialPayment: false }) }),
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 4_000, reasonCode: 'pricing_dispute' },
      ]),
    );
    expect(result.issues).toEqual([
      {
        path: 'allocations.1.amount',
        code: 'partial_payment_not_allowed',
        message: 'Invoice INV-B must be paid in full ($50.00)',
      },
    ]);
  });

  it('refuses more than the open balance', () => {
    const result = computeQuote(context(), ach([{ invoiceId: 'inv-b', amount: 5_001 }]));
    expect(result.issues).toEqual([
      {
        path: 'allocations.0.amount',
        code: 'amount_exceeds_balance',
        message: 'Invoice INV-B has $50.00 open; $50.01 is more than that',
      },
    ]);
  });

  it('refuses more than what is left once in-flight payments are reserved', () => {
    const ctx = context({ invoices: [invoice('inv-a', 10_000, '2026-01-10', { pendingAmount: 4_000 })] });
    const over = computeQuote(ctx, ach([{ invoiceId: 'inv-a', amount: 7_000 }]));
    expect(over.issues.map((i) => [i.path, i.code])).toEqual([['allocations.0.amount', 'amount_exceeds_balance']]);
    const rest = computeQuote(ctx, ach([{ invoiceId: 'inv-a', amount: 6_000 }]));
    expect(rest.issues).toEqual([]);
    expect(rest.quote.lines[0]).toMatchObject({ payableAmount: 6_000, shortAmount: 0 });
  });

  it('refuses an invoice whose whole balance is pending in another payment', () => {
    const ctx = context({
      invoices: [
        invoice('inv-a', 10_000, '2026-01-10'),
        invoice('inv-b', 5_000, '2026-02-10', { pendingAmount: 5_000 }),
      ],
    });
    const result = computeQuote(
      ctx,
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 5_000 },
      ]),
    );
    expect(result.issues).toEqual([
      {
        path: 'allocations.1.invoiceId',
        code: 'invoice_payment_pending',
        message: 'Invoice INV-B already has a payment pending',
      },
    ]);
  });

  it('refuses an invoice that is not among the customer open invoices', () => {
    const result = computeQuote(
      context(),
      ach([
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-zzz', amount: 100 },
      ]),
    );
    expect(result.issues).toEqual([
      { path: 'allocations.1.invoiceId', code: 'invoice_not_found', message: expect.stringContaining('inv-zzz') },
    ]);
    expect(result.quote.lines.map((l) => l.invoiceId)).toEqual(['inv-a']);
    expect(result.quote.invoiceTotal).toBe(10_000);
  });

  it('refuses an invoice listed twice and counts it once', () => {
    const result = computeQuote(
      context(),
      ach([
        { invoiceId: 'inv-b', amount: 5_000 },
        { invoiceId: 'inv-a', amount: 10_000 },
        { invoiceId: 'inv-b', amount: 5_000 },
      ]),
    );
    expect(result.issues).toEqual([
      { path: 'allocations.2.invoiceId', code: 'invoice_duplicate', message: 'Invoice INV-B is listed twice' },
    ]);
    expect(result.quote.invoiceTotal).toBe(15_000);
  });

  it('refuses an invoice in another currency', () => {
    const ctx = context({ invoices: [invoice('inv-e', 5_000, '2026-01-10', { currency: 'EUR' })] });
    const result = computeQuote(ctx, ach([{ invoiceId: 'inv-e', amount: 5_000 }]));
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([['allocations.0.invoiceId', 'currency_mismatch']]);
    expect(result.quote.lines).toEqual([]);
  });
});

describe('computeQuote: credits', () => {
  it('applies credits before money: cash is the amount less the credit', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-a', amount: 10_000 }], { credits: [{ creditId: 'cm-1', amount: 4_000 }] }),
    );
    expect(issues).toEqual([]);
    expect(quote.lines[0]).toMatchObject({ amount: 10_000, creditApplied: 4_000, cashApplied: 6_000 });
    expect(quote).toMatchObject({ invoiceTotal: 10_000, creditTotal: 4_000, subtotal: 6_000, total: 6_000 });
    expect(quote.credits).toEqual([
      { creditId: 'cm-1', creditNumber: 'CM-1', amount: 4_000, applications: [{ invoiceId: 'inv-a', amount: 4_000 }] },
    ]);
  });

  it('applies a pinned credit to its invoice only', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach(
        [
          { invoiceId: 'inv-c', amount: 3_000 },
          { invoiceId: 'inv-b', amount: 5_000 },
        ],
        { credits: [{ creditId: 'cm-1', amount: 2_000, invoiceId: 'inv-b' }] },
      ),
    );
    expect(issues).toEqual([]);
    expect(quote.lines.map((l) => [l.invoiceId, l.creditApplied, l.cashApplied])).toEqual([
      ['inv-c', 0, 3_000],
      ['inv-b', 2_000, 3_000],
    ]);
  });

  it('applies pinned credits before spreading unpinned ones, whatever their order', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach(
        [
          { invoiceId: 'inv-c', amount: 3_000 },
          { invoiceId: 'inv-b', amount: 5_000 },
        ],
        {
          credits: [
            { creditId: 'cm-1', amount: 4_000 },
            { creditId: 'cm-2', amount: 2_000, invoiceId: 'inv-c' },
          ],
        },
      ),
    );
    expect(issues).toEqual([]);
    // cm-2 takes 2,000 of inv-c first; cm-1 then fills inv-c's last 1,000 and 3,000 of inv-b.
    expect(quote.credits).toEqual([
      { creditId: 'cm-2', creditNumber: 'CM-2', amount: 2_000, applications: [{ invoiceId: 'inv-c', amount: 2_000 }] },
      {
        creditId: 'cm-1',
        creditNumber: 'CM-1',
        amount: 4_000,
        applications: [
          { invoiceId: 'inv-c', amount: 1_000 },
          { invoiceId: 'inv-b', amount: 3_000 },
        ],
      },
    ]);
  });

  it('spreads an unpinned credit over the selected invoices oldest due first', () => {
    const { quote, issues } = computeQuote(
      context({ credits: [credit('cm-big', 12_000)] }),
      ach(
        [
          { invoiceId: 'inv-b', amount: 5_000 },
          { invoiceId: 'inv-a', amount: 10_000 },
          { invoiceId: 'inv-c', amount: 3_000 },
        ],
        { credits: [{ creditId: 'cm-big', amount: 12_000 }] },
      ),
    );
    expect(issues).toEqual([]);
    expect(quote.credits[0]?.applications).toEqual([
      { invoiceId: 'inv-c', amount: 3_000 },
      { invoiceId: 'inv-a', amount: 9_000 },
    ]);
    expect(quote.lines.map((l) => [l.invoiceId, l.creditApplied])).toEqual([
      ['inv-b', 0],
      ['inv-a', 9_000],
      ['inv-c', 3_000],
    ]);
    expect(quote.subtotal).toBe(6_000);
  });

  it('never applies a credit above its remaining amount', () => {
    const result = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-a', amount: 10_000 }], { credits: [{ creditId: 'cm-1', amount: 4_001 }] }),
    );
    expect(result.issues).toEqual([
      {
        path: 'credits.0.amount',
        code: 'credit_exceeds_balance',
        message: 'Credit memo CM-1 has $40.00 left to apply',
      },
    ]);
    expect(result.quote.creditTotal).toBe(0);
  });

  it('counts what in-flight payments reserve of a credit as used', () => {
    // cm-2 is 2,500 open with 500 reserved: 2,000 is left.
    const result = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-a', amount: 10_000 }], { credits: [{ creditId: 'cm-2', amount: 2_100 }] }),
    );
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([['credits.0.amount', 'credit_exceeds_balance']]);
  });

  it('never applies a credit above its remaining amount when it is listed twice', () => {
    const result = computeQuote(
      context(),
      ach(
        [
          { invoiceId: 'inv-a', amount: 10_000 },
          { invoiceId: 'inv-b', amount: 5_000 },
        ],
        {
          credits: [
            { creditId: 'cm-1', amount: 3_000, invoiceId: 'inv-a' },
            { creditId: 'cm-1', amount: 3_000, invoiceId: 'inv-b' },
          ],
        },
      ),
    );
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([['credits.1.amount', 'credit_exceeds_balance']]);
    expect(result.quote.creditTotal).toBe(3_000);
    expect(result.quote.lines.map((l) => l.creditApplied)).toEqual([3_000, 0]);
  });

  it('applies a credit listed twice when together it stays within its remaining amount', () => {
    const { quote, issues } = computeQuote(
      context(),
      ach(
        [
          { invoiceId: 'inv-a', amount: 10_000 },
          { invoiceId: 'inv-b', amount: 5_000 },
        ],
        {
          credits: [
            { creditId: 'cm-1', amount: 1_500, invoiceId: 'inv-b' },
            { creditId: 'cm-1', amount: 2_500, invoiceId: 'inv-a' },
          ],
        },
      ),
    );
    expect(issues).toEqual([]);
    expect(quote.credits).toEqual([
      {
        creditId: 'cm-1',
        creditNumber: 'CM-1',
        amount: 4_000,
        applications: [
          { invoiceId: 'inv-b', amount: 1_500 },
          { invoiceId: 'inv-a', amount: 2_500 },
        ],
      },
    ]);
  });

  it('reports the part of a credit that the selected invoices cannot take', () => {
    const result = computeQuote(
      context(),
      ach(
        [
          { invoiceId: 'inv-a', amount: 10_000 },
          { invoiceId: 'inv-c', amount: 3_000 },
        ],
        { credits: [{ creditId: 'cm-1', amount: 4_000, invoiceId: 'inv-c' }] },
      ),
    );
    expect(result.issues).toEqual([
      {
        path: 'credits.0.amount',
        code: 'credit_exceeds_invoices',
        message: 'Credit memo CM-1: $10.00 more than the selected invoices can take',
      },
    ]);
    expect(result.quote.creditTotal).toBe(3_000);
    expect(result.quote.lines.map((l) => l.creditApplied)).toEqual([0, 3_000]);
  });

  it('never credits an invoice above what this payment allocates to it', () => {
    const result = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-a', amount: 2_000, reasonCode: 'pricing_dispute' }], {
        credits: [{ creditId: 'cm-1', amount: 4_000 }],
      }),
    );
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([['credits.0.amount', 'credit_exceeds_invoices']]);
    expect(result.quote.lines[0]).toMatchObject({ amount: 2_000, creditApplied: 2_000, cashApplied: 0 });
  });

  it('refuses an unknown credit, one in another currency, and one pinned to an unselected invoice', () => {
    const ctx = context({ credits: [credit('cm-1', 4_000), credit('cm-eur', 1_000, { currency: 'EUR' })] });
    const result = computeQuote(
      ctx,
      ach([{ invoiceId: 'inv-a', amount: 10_000 }], {
        credits: [
          { creditId: 'cm-nope', amount: 100 },
          { creditId: 'cm-eur', amount: 100 },
          { creditId: 'cm-1', amount: 100, invoiceId: 'inv-b' },
        ],
      }),
    );
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([
      ['credits.0.creditId', 'credit_not_found'],
      ['credits.1.creditId', 'currency_mismatch'],
      ['credits.2.invoiceId', 'credit_invoice_not_selected'],
    ]);
    expect(result.quote.creditTotal).toBe(0);
  });

  it('has nothing to charge when credits cover everything selected', () => {
    const result = computeQuote(
      context(),
      ach([{ invoiceId: 'inv-c', amount: 3_000 }], { credits: [{ creditId: 'cm-1', amount: 3_000 }] }),
    );
    expect(result.issues).toEqual([{ path: 'allocations', code: 'nothing_to_charge', message: expect.any(String) }]);
    expect(result.quote).toMatchObject({ subtotal: 0, total: 0 });
  });
});

describe('computeQuote: overpayment', () => {
  it('refuses money beyond the invoices unless the merchant allows overpayment', () => {
    const proposal = ach([{ invoiceId: 'inv-b', amount: 5_000 }], { onAccountAmount: 700 });
    const refused = computeQuote(context(), proposal);
    expect(refused.issues.map((i) => [i.path, i.code])).toEqual([['onAccountAmount', 'overpayment_not_allowed']]);

    const allowed = computeQuote(context({ rules: rules({ allowOverpayment: true }) }), proposal);
    expect(allowed.issues).toEqual([]);
    expect(allowed.quote).toMatchObject({ invoiceTotal: 5_000, onAccountAmount: 700, subtotal: 5_700, total: 5_700 });
  });
});

describe('computeQuote: card surcharge', () => {
  const card = (funding: 'credit' | 'debit' | 'prepaid' | 'unknown' | null, ctx = context()) =>
    computeQuote(
      ctx,
      { method: 'card', allocations: [{ invoiceId: 'inv-a', amount: 10_000 }] },
      { cardFunding: funding },
    );

  it('surcharges a credit card and shows it between subtotal and total', () => {
    const { quote, issues } = card('credit');
    expect(issues).toEqual([]);
    expect(quote.cardFunding).toBe('credit');
    expect(quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 300 });
    expect(quote).toMatchObject({ subtotal: 10_000, total: 10_300 });
  });

  it.each(['debit', 'prepaid', 'unknown'] as const)('never surcharges a %s card', (funding) => {
    const { quote } = card(funding);
    expect(quote.surcharge).toEqual({ status: 'not_applicable', rateBps: 0, amount: 0 });
    expect(quote.total).toBe(10_000);
  });

  it('never surcharges ACH, even with a credit card funding left over', () => {
    const { quote } = computeQuote(context(), ach([{ invoiceId: 'inv-a', amount: 10_000 }]), { cardFunding: 'credit' });
    expect(quote.surcharge).toEqual({ status: 'not_applicable', rateBps: 0, amount: 0 });
    expect(quote.total).toBe(10_000);
  });

  it('surcharges a wallet backed by a credit card', () => {
    const { quote } = computeQuote(
      context(),
      { method: 'wallet', allocations: [{ invoiceId: 'inv-a', amount: 10_000 }] },
      { cardFunding: 'credit' },
    );
    expect(quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 300 });
  });

  it('tells the rate a credit card would carry while no card is entered yet', () => {
    for (const { quote } of [
      card(null),
      computeQuote(context(), { method: 'card', allocations: [{ invoiceId: 'inv-a', amount: 10_000 }] }),
    ]) {
      expect(quote.cardFunding).toBeNull();
      expect(quote.surcharge).toEqual({ status: 'unknown_funding', rateBps: 300, amount: 0 });
      expect(quote.total).toBe(10_000);
    }
  });

  it('caps the rate at the network cap', () => {
    const ctx = context({ rules: rules({ surcharge: { ...surcharge3pct, rateBps: 400, maxRateBps: 300 } }) });
    expect(card('credit', ctx).quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 300 });
  });

  it('caps the rate where the region caps it (Colorado 2%)', () => {
    const ctx = context({
      region: 'US-CO',
      rules: rules({ surcharge: { ...surcharge3pct, regions: { 'US-CO': { maxRateBps: 200 } } } }),
    });
    expect(card('credit', ctx).quote.surcharge).toEqual({ status: 'applied', rateBps: 200, amount: 200 });
    expect(card(null, ctx).quote.surcharge).toEqual({ status: 'unknown_funding', rateBps: 200, amount: 0 });
  });

  it('does not surcharge where the region forbids it (Connecticut)', () => {
    const regions = { 'US-CT': { enabled: false } };
    const ctx = context({ region: 'US-CT', rules: rules({ surcharge: { ...surcharge3pct, regions } }) });
    expect(card('credit', ctx).quote.surcharge).toEqual({ status: 'region_forbids', rateBps: 0, amount: 0 });
    expect(card(null, ctx).quote.surcharge).toEqual({ status: 'region_forbids', rateBps: 0, amount: 0 });
    const elsewhere = context({ region: 'US-NY', rules: rules({ surcharge: { ...surcharge3pct, regions } }) });
    expect(card('credit', elsewhere).quote.surcharge.status).toBe('applied');
  });

  it('applies a country-level rule to every region of that country', () => {
    const surcharge = { ...surcharge3pct, regions: { US: { enabled: false } } };
    for (const region of ['US', 'US-NY', 'US-CO']) {
      const ctx = context({ region, rules: rules({ surcharge }) });
      expect(card('credit', ctx).quote.surcharge.status).toBe('region_forbids');
    }
    const canada = context({ region: 'CA-ON', rules: rules({ surcharge }) });
    expect(card('credit', canada).quote.surcharge.status).toBe('applied');
    const unknownRegion = context({ region: null, rules: rules({ surcharge }) });
    expect(card('credit', unknownRegion).quote.surcharge.status).toBe('applied');
  });

  it('caps the surcharge at the absolute maximum amount', () => {
    const ctx = context({ rules: rules({ surcharge: { ...surcharge3pct, maxAmount: 150 } }) });
    expect(card('credit', ctx).quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 150 });
    expect(card('credit', ctx).quote.total).toBe(10_150);
  });

  it('is off when the merchant disables it', () => {
    for (const surcharge of [
      { ...surcharge3pct, enabled: false },
      { ...surcharge3pct, rateBps: 0 },
    ]) {
      const ctx = context({ rules: rules({ surcharge }) });
      expect(card('credit', ctx).quote.surcharge).toEqual({ status: 'disabled', rateBps: 0, amount: 0 });
    }
  });

  it('rounds the surcharge down to the minor unit', () => {
    const ctx = context({ invoices: [invoice('inv-a', 33, '2026-01-10'), invoice('inv-b', 67, '2026-01-10')] });
    const cents33 = computeQuote(
      ctx,
      { method: 'card', allocations: [{ invoiceId: 'inv-a', amount: 33 }] },
      { cardFunding: 'credit' },
    );
    expect(cents33.quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 0 });
    const cents67 = computeQuote(
      ctx,
      { method: 'card', allocations: [{ invoiceId: 'inv-b', amount: 67 }] },
      { cardFunding: 'credit' },
    );
    expect(cents67.quote.surcharge.amount).toBe(2);
  });

  it('surcharges only the money charged, after credits and including what is left on account', () => {
    const { quote } = computeQuote(
      context({ rules: rules({ allowOverpayment: true }) }),
      {
        method: 'card',
        allocations: [{ invoiceId: 'inv-a', amount: 10_000 }],
        credits: [{ creditId: 'cm-1', amount: 4_000 }],
        onAccountAmount: 1_000,
      },
      { cardFunding: 'credit' },
    );
    expect(quote.subtotal).toBe(7_000);
    expect(quote.surcharge.amount).toBe(210);
    expect(quote.total).toBe(7_210);
  });
});

describe('surchargeFor', () => {
  it('takes the lowest of the merchant rate, the network cap and the region cap', () => {
    const rule: SurchargeRule = { enabled: true, rateBps: 350, maxRateBps: 300, maxAmount: null, regions: {} };
    expect(surchargeFor('card', 'credit', 100_000, rule, null)).toEqual({
      status: 'applied',
      rateBps: 300,
      amount: 3_000,
    });
    const colorado = { ...rule, regions: { 'US-CO': { maxRateBps: 200 }, US: { maxRateBps: 250 } } };
    expect(surchargeFor('card', 'credit', 100_000, colorado, 'US-CO')).toEqual({
      status: 'applied',
      rateBps: 200,
      amount: 2_000,
    });
    expect(surchargeFor('card', 'credit', 100_000, colorado, 'US-TX').rateBps).toBe(250);
  });

  it('does not call a zero-rate credit card surcharged', () => {
    const rule: SurchargeRule = {
      enabled: true,
      rateBps: 300,
      maxRateBps: 300,
      maxAmount: null,
      regions: { 'US-XX': { maxRateBps: 0 } },
    };
    expect(surchargeFor('card', 'credit', 100_000, rule, 'US-XX')).toEqual({
      status: 'not_applicable',
      rateBps: 0,
      amount: 0,
    });
  });
});

describe('computeQuote: method limits', () => {
  const cardMax = rules({ methodLimits: { card: { max: 500_000 } } });
  const big = (open: number) => context({ invoices: [invoice('inv-big', open, '2026-01-10')], rules: cardMax });

  it('marks card unavailable above its limit, and tells why', () => {
    const { quote, issues } = computeQuote(big(600_000), ach([{ invoiceId: 'inv-big', amount: 600_000 }]));
    expect(issues).toEqual([]);
    expect(quote.methods).toEqual([
      {
        method: 'card',
        available: false,
        reason: { code: 'method_limit_exceeded', message: 'Card payments are limited to $5,000.00', limit: 500_000 },
      },
      { method: 'ach_debit', available: true, reason: null },
      { method: 'wallet', available: true, reason: null },
    ]);
  });

  it('refuses a chosen card over its limit with an issue on the method', () => {
    const result = computeQuote(
      big(600_000),
      { method: 'card', allocations: [{ invoiceId: 'inv-big', amount: 600_000 }] },
      { cardFunding: 'debit' },
    );
    expect(result.issues).toEqual([
      { path: 'method', code: 'method_limit_exceeded', message: 'Card payments are limited to $5,000.00' },
    ]);
  });

  it('counts the worst-case surcharge against the card limit of a method not chosen yet', () => {
    // 4,900.00 + 3% = 5,047.00 on a credit card, over the 5,000.00 limit.
    const { quote } = computeQuote(big(490_000), ach([{ invoiceId: 'inv-big', amount: 490_000 }]));
    expect(quote.methods.find((m) => m.method === 'card')?.available).toBe(false);
    const debit = computeQuote(
      big(490_000),
      { method: 'card', allocations: [{ invoiceId: 'inv-big', amount: 490_000 }] },
      { cardFunding: 'debit' },
    );
    expect(debit.issues).toEqual([]);
    const creditCard = computeQuote(
      big(490_000),
      { method: 'card', allocations: [{ invoiceId: 'inv-big', amount: 490_000 }] },
      { cardFunding: 'credit' },
    );
    expect(creditCard.issues.map((i) => [i.path, i.code])).toEqual([['method', 'method_limit_exceeded']]);
  });

  it('refuses a payment under a method minimum', () => {
    const ctx = context({ rules: rules({ methodLimits: { ach_debit: { min: 10_000 } } }) });
    const result = computeQuote(ctx, ach([{ invoiceId: 'inv-b', amount: 5_000 }]));
    expect(result.issues).toEqual([
      { path: 'method', code: 'method_below_minimum', message: 'Bank (ACH) debit payments start at $100.00' },
    ]);
  });

  it('refuses a method the merchant does not accept', () => {
    const ctx = context({ rules: rules({ allowedMethods: ['ach_debit'] }) });
    const result = computeQuote(
      ctx,
      { method: 'card', allocations: [{ invoiceId: 'inv-a', amount: 10_000 }] },
      { cardFunding: 'credit' },
    );
    expect(result.issues).toEqual([
      { path: 'method', code: 'method_not_allowed', message: 'Card payments are not accepted here' },
    ]);
    expect(result.quote.methods.map((m) => m.method)).toEqual(['ach_debit']);
  });
});

describe('computeQuote: zero-decimal currency', () => {
  const yen = (): QuoteContext => ({
    currency: 'JPY',
    invoices: [
      invoice('inv-1', 12_345, '2026-01-10', { currency: 'JPY' }),
      invoice('inv-2', 5_000, '2026-02-10', { currency: 'JPY' }),
    ],
    credits: [credit('cm-1', 1_000, { currency: 'JPY' })],
    rules: rules({ methodLimits: { card: { max: 10_000 } } }),
    region: null,
  });

  it('quotes whole yen, rounding the surcharge down', () => {
    const { quote, issues } = computeQuote(
      yen(),
      {
        method: 'wallet',
        allocations: [{ invoiceId: 'inv-1', amount: 12_345 }],
        credits: [{ creditId: 'cm-1', amount: 1_000 }],
      },
      { cardFunding: 'credit' },
    );
    expect(issues).toEqual([]);
    expect(quote).toMatchObject({ currency: 'JPY', subtotal: 11_345, total: 11_685 });
    expect(quote.surcharge).toEqual({ status: 'applied', rateBps: 300, amount: 340 });
  });

  it('writes yen in messages without decimals', () => {
    const result = computeQuote(yen(), { method: 'card', allocations: [{ invoiceId: 'inv-1', amount: 12_346 }] });
    expect(result.issues).toEqual([
      {
        path: 'allocations.0.amount',
        code: 'amount_exceeds_balance',
        message: 'Invoice INV-1 has ¥12,345 open; ¥12,346 is more than that',
      },
      { path: 'method', code: 'method_limit_exceeded', message: 'Card payments are limited to ¥10,000' },
    ]);
  });
});

describe('computeQuote: amounts near the safe-integer limit', () => {
  const huge = Number.MAX_SAFE_INTEGER;

  it('reports too-large amounts as issues instead of throwing', () => {
    const run = () =>
      computeQuote(
        context(),
        ach([
          { invoiceId: 'inv-a', amount: huge },
          { invoiceId: 'inv-b', amount: huge },
        ]),
      );
    expect(run).not.toThrow();
    expect(run().issues.map((i) => [i.path, i.code])).toEqual([
      ['allocations.0.amount', 'amount_exceeds_balance'],
      ['allocations.1.amount', 'amount_exceeds_balance'],
      ['allocations', 'amount_too_large'],
    ]);
  });

  it('never quotes an amount beyond MAX_SAFE_INTEGER without an issue', () => {
    const ctx = context({ invoices: [invoice('inv-huge', huge, '2026-01-10')] });
    const { quote, issues } = computeQuote(
      ctx,
      { method: 'card', allocations: [{ invoiceId: 'inv-huge', amount: huge }] },
      { cardFunding: 'credit' },
    );
    expect(issues.length > 0 || QuoteSchema.safeParse(quote).success).toBe(true);
  });
});

/** Runs `fn` as on a host whose default locale is `locale` (String#localeCompare without locales). */
function onHostWithLocale<T>(locale: string, fn: () => T): T {
  const native = String.prototype.localeCompare;
  String.prototype.localeCompare = function (
    this: string,
    that: string,
    locales?: Intl.LocalesArgument,
    options?: Intl.CollatorOptions,
  ) {
    return native.call(this, that, locales ?? locale, options);
  };
  try {
    return fn();
  } finally {
    String.prototype.localeCompare = native;
  }
}

describe('computeQuote: the same result on both sides', () => {
  it('spreads a credit over same-day invoices the same way whatever the host locale', () => {
    const ctx = context({
      invoices: [invoice('inv-b', 5_000, '2026-01-10'), invoice('inv-aa', 5_000, '2026-01-10')],
    });
    const proposal = ach(
      [
        { invoiceId: 'inv-aa', amount: 5_000 },
        { invoiceId: 'inv-b', amount: 5_000 },
      ],
      { credits: [{ creditId: 'cm-1', amount: 4_000 }] },
    );
    const english = onHostWithLocale('en-US', () => computeQuote(ctx, proposal));
    const danish = onHostWithLocale('da-DK', () => computeQuote(ctx, proposal));
    expect(danish).toStrictEqual(english);
  });
});
