import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PaymentProposal, PaymentProposalSchema, type Quote, QuoteSchema } from './allocation.js';
import { formatPath } from './problem.js';
import { computeQuote, type QuoteContext, type QuoteOptions } from './quote.js';
import type { CardFunding, CreditMemo, Invoice, MerchantRules, ReasonCode } from './session.js';

/*
 * Generated customers: a handful of invoices and credits (some in another currency, some
 * partly or wholly reserved by in-flight payments, due dates that tie), random merchant
 * rules, and proposals built against them that are often valid and often not (short
 * payments with and without reasons, amounts over the balance, unknown and duplicate ids,
 * credits too large, pinned to unselected invoices, listed twice, money left on account).
 */

const RUNS = { numRuns: 200 };
const DATES = ['2025-11-15', '2025-12-01', '2026-01-10'] as const;
const REASONS: ReasonCode[] = [
  { code: 'pricing_dispute', label: 'Pricing dispute', requiresNote: false, erpCode: 'PD', leavesOpen: false },
  { code: 'short_shipment', label: 'Short shipment', requiresNote: false, erpCode: 'SS', leavesOpen: true },
  { code: 'other', label: 'Other', requiresNote: true, erpCode: 'UD', leavesOpen: false },
];
const METHODS = ['card', 'ach_debit', 'wallet'] as const;

/** What is left to pay or apply, computed here independently of quote.ts. */
const open = (item: { openAmount: number; pendingAmount: number }) => Math.max(0, item.openAmount - item.pendingAmount);
const oneIn = (n: number) => fc.nat({ max: n - 1 }).map((x) => x === 0);
const money = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 2_000_000 }), weight: 9 }, fc.constant(0));
const pending = fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, fc.nat({ max: 2_000_000 }));

/** Off-by-one deltas are the interesting ones. */
const delta = (max: number) => fc.oneof(fc.constant(1), fc.integer({ min: 1, max }));

const itemArb = fc.record({
  open: money,
  pending,
  dueDate: fc.constantFrom(...DATES),
  issueDate: fc.constantFrom(...DATES),
  foreign: oneIn(12),
});

const limitArb = fc.record(
  { min: fc.nat({ max: 200_000 }), max: fc.integer({ min: 1, max: 5_000_000 }) },
  { requiredKeys: [] },
);

const rulesArb: fc.Arbitrary<MerchantRules> = fc.record({
  allowedMethods: fc.subarray([...METHODS], { minLength: 1 }),
  methodLimits: fc.oneof(
    { arbitrary: fc.constant({}), weight: 3 },
    fc.record({ card: limitArb, ach_debit: limitArb, wallet: limitArb }, { requiredKeys: [] }),
  ),
  surcharge: fc.record({
    enabled: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)),
    rateBps: fc.nat({ max: 1_000 }),
    maxRateBps: fc.nat({ max: 1_000 }),
    maxAmount: fc.option(fc.nat({ max: 30_000 }), { nil: null }),
    regions: fc.record(
      {
        'US-CO': fc.constant({ maxRateBps: 200 }),
        'US-CT': fc.constant({ enabled: false }),
        US: fc.record({ enabled: fc.boolean(), maxRateBps: fc.nat({ max: 1_000 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
  }),
  allowPartialPayment: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)),
  allowOverpayment: fc.boolean(),
  reasonCodes: fc.subarray(REASONS),
});

const contextArb: fc.Arbitrary<QuoteContext> = fc
  .record({
    currency: fc.constantFrom('USD', 'JPY', 'KWD'),
    invoices: fc.array(itemArb, { minLength: 1, maxLength: 6 }),
    credits: fc.array(itemArb, { maxLength: 4 }),
    rules: rulesArb,
    region: fc.constantFrom(null, 'US', 'US-CO', 'US-CT', 'US-NY', 'CA-ON'),
  })
  .map(({ currency, invoices, credits, rules, region }) => ({
    currency,
    rules,
    region,
    invoices: invoices.map(
      (x, i): Invoice => ({
        id: `inv-${i}`,
        number: `INV-${1000 + i}`,
        issueDate: x.issueDate,
        dueDate: x.dueDate,
        currency: x.foreign ? 'EUR' : currency,
        amount: x.open,
        openAmount: x.open,
        pendingAmount: x.pending,
        documentUrl: null,
        poNumber: null,
      }),
    ),
    credits: credits.map(
      (x, i): CreditMemo => ({
        id: `cm-${i}`,
        number: `CM-${500 + i}`,
        issueDate: x.issueDate,
        currency: x.foreign ? 'EUR' : currency,
        amount: x.open,
        openAmount: x.open,
        pendingAmount: x.pending,
        memo: null,
      }),
    ),
  }));

const allocationSpec = fc.record({
  pick: fc.nat(),
  /** Take a random invoice (maybe one already listed) instead of the next one. */
  random: oneIn(8),
  unknown: oneIn(15),
  mode: fc.constantFrom('full', 'full', 'full', 'short', 'over', 'any'),
  delta: delta(100_000),
  reasonCode: fc.option(fc.constantFrom('pricing_dispute', 'short_shipment', 'other', 'bogus'), { nil: undefined }),
  note: fc.option(fc.constantFrom('', '   ', 'pallet 3 missing'), { nil: undefined }),
});

const creditSpec = fc.record({
  pick: fc.nat(),
  unknown: oneIn(15),
  mode: fc.constantFrom('some', 'some', 'all', 'over'),
  delta: delta(100_000),
  pin: fc.option(fc.nat(), { nil: undefined, freq: 2 }),
});

const proposalSpec = fc.record({
  /** Half the proposals are careful ones, so that many quotes come out clean. */
  tidy: fc.boolean(),
  /** Usually one of the merchant's methods; sometimes any method. */
  method: fc.oneof({ arbitrary: fc.nat(), weight: 9 }, fc.constantFrom(...METHODS)),
  allocations: fc.array(allocationSpec, { minLength: 1, maxLength: 6 }),
  credits: fc.option(fc.array(creditSpec, { maxLength: 3 }), { nil: undefined }),
  onAccountAmount: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    fc.constant(0),
    fc.integer({ min: 1, max: 100_000 }),
  ),
  cardFunding: fc.constantFrom<CardFunding | null | undefined>(
    undefined,
    null,
    'credit',
    'credit',
    'credit',
    'debit',
    'prepaid',
    'unknown',
  ),
});

function byMode(payable: number, mode: string, delta: number): number {
  switch (mode) {
    case 'full':
    case 'all':
      return Math.max(1, payable);
    case 'short':
      return Math.max(1, payable - delta);
    case 'some':
      return Math.max(1, Math.min(payable, delta));
    case 'over':
      return payable + delta;
    default:
      return delta;
  }
}

interface Case {
  ctx: QuoteContext;
  proposal: PaymentProposal;
  options: QuoteOptions;
}

type ProposalSpec = typeof proposalSpec extends fc.Arbitrary<infer T> ? T : never;

/** Anything goes: unknown and duplicate ids, amounts over balances, bogus reasons, big credits. */
function noisyProposal(ctx: QuoteContext, spec: ProposalSpec): PaymentProposal {
  const n = ctx.invoices.length;
  const allocations = spec.allocations.slice(0, n).map((a, i) => {
    const inv = ctx.invoices[(a.random ? a.pick : spec.allocations[0]!.pick + i) % n]!;
    return {
      invoiceId: a.unknown ? 'inv-gone' : inv.id,
      amount: byMode(open(inv), a.mode, a.delta),
      ...(a.reasonCode !== undefined && { reasonCode: a.reasonCode }),
      ...(a.note !== undefined && { note: a.note }),
    };
  });
  const credits = spec.credits?.map((c) => {
    const memo = ctx.credits.length > 0 ? ctx.credits[c.pick % ctx.credits.length] : undefined;
    const pinned = c.pin === undefined ? undefined : ctx.invoices[c.pin % n]!.id;
    return {
      creditId: c.unknown || !memo ? 'cm-gone' : memo.id,
      amount: byMode(memo ? open(memo) : 0, c.mode, c.delta),
      ...(pinned !== undefined && { invoiceId: pinned }),
    };
  });
  return {
    method: typeof spec.method === 'number' ? pickMethod(ctx, spec.method) : spec.method,
    allocations,
    ...(credits !== undefined && { credits }),
    ...(spec.onAccountAmount !== undefined && { onAccountAmount: spec.onAccountAmount }),
  };
}

/**
 * What a careful customer sends: payable invoices in the session's currency, short payments
 * only with one of the merchant's reasons (and a note), credits within their balance and
 * within what the invoices can take. Only method limits can still make it fail.
 */
function tidyProposal(ctx: QuoteContext, spec: ProposalSpec): PaymentProposal | undefined {
  const invoices = ctx.invoices.filter((i) => i.currency === ctx.currency && open(i) > 0);
  if (invoices.length === 0) return undefined;
  const { reasonCodes, allowPartialPayment, allowOverpayment } = ctx.rules;
  const allocations = spec.allocations.slice(0, invoices.length).map((a, i) => {
    const inv = invoices[(spec.allocations[0]!.pick + i) % invoices.length]!;
    const payable = open(inv);
    const reason = reasonCodes[a.pick % Math.max(1, reasonCodes.length)];
    if ((a.mode !== 'short' && a.mode !== 'any') || !allowPartialPayment || !reason || payable < 2) {
      return { invoiceId: inv.id, amount: payable };
    }
    const amount = Math.max(1, payable - a.delta);
    return { invoiceId: inv.id, amount, reasonCode: reason.code, note: 'pallet 3 missing' };
  });
  // Room left on each line for credits, and in the whole payment (keep at least 1 to charge).
  const room = new Map(allocations.map((a) => [a.invoiceId, a.amount]));
  let left = total(allocations.map((a) => a.amount)) - 1;
  const memos = ctx.credits.filter((c) => c.currency === ctx.currency && open(c) > 0);
  const credits = (spec.credits ?? []).slice(0, memos.length).flatMap((c, i) => {
    const memo = memos[(c.pick + i) % memos.length]!;
    const pinned = c.pin === undefined ? undefined : allocations[c.pin % allocations.length]!.invoiceId;
    const cap = Math.min(open(memo), left, pinned === undefined ? left : room.get(pinned)!);
    const amount = Math.min(cap, c.mode === 'all' ? cap : c.delta);
    if (amount <= 0) return [];
    left -= amount;
    if (pinned !== undefined) room.set(pinned, room.get(pinned)! - amount);
    return [{ creditId: memo.id, amount, ...(pinned !== undefined && { invoiceId: pinned }) }];
  });
  return {
    method: pickMethod(ctx, typeof spec.method === 'number' ? spec.method : 0),
    allocations,
    ...(credits.length > 0 && { credits }),
    ...(allowOverpayment && spec.onAccountAmount !== undefined && { onAccountAmount: spec.onAccountAmount }),
  };
}

function pickMethod(ctx: QuoteContext, n: number) {
  return ctx.rules.allowedMethods[n % ctx.rules.allowedMethods.length]!;
}

const caseArb: fc.Arbitrary<Case> = fc.tuple(contextArb, proposalSpec).map(([ctx, spec]) => ({
  ctx,
  proposal: (spec.tidy && tidyProposal(ctx, spec)) || noisyProposal(ctx, spec),
  options: spec.cardFunding === undefined ? {} : { cardFunding: spec.cardFunding },
}));

const run = ({ ctx, proposal, options }: Case) => computeQuote(ctx, proposal, options);
const total = (xs: readonly number[]) => xs.reduce((t, x) => t + x, 0);

function amountsOf(quote: Quote): number[] {
  return [
    quote.invoiceTotal,
    quote.creditTotal,
    quote.onAccountAmount,
    quote.subtotal,
    quote.surcharge.amount,
    quote.surcharge.rateBps,
    quote.total,
    ...quote.lines.flatMap((l) => [
      l.payableAmount,
      l.amount,
      l.creditApplied,
      l.cashApplied,
      l.shortAmount,
      l.deductionAmount,
    ]),
    ...quote.credits.flatMap((c) => [c.amount, ...c.applications.map((a) => a.amount)]),
    ...quote.methods.flatMap((m) => (m.reason?.limit == null ? [] : [m.reason.limit])),
  ];
}

describe('computeQuote properties', () => {
  it('is fed proposals the wire schema accepts', () => {
    fc.assert(
      fc.property(caseArb, ({ proposal }) => {
        expect(PaymentProposalSchema.safeParse(proposal).success).toBe(true);
      }),
      RUNS,
    );
  });

  it('preserves every sum to the minor unit', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { quote } = run(c);
        for (const line of quote.lines) expect(line.cashApplied + line.creditApplied).toBe(line.amount);
        expect(quote.invoiceTotal).toBe(total(quote.lines.map((l) => l.amount)));
        const applied = quote.credits.flatMap((cr) => cr.applications.map((a) => a.amount));
        expect(quote.creditTotal).toBe(total(quote.credits.map((cr) => cr.amount)));
        expect(quote.creditTotal).toBe(total(quote.lines.map((l) => l.creditApplied)));
        expect(quote.creditTotal).toBe(total(applied));
        for (const cr of quote.credits) expect(cr.amount).toBe(total(cr.applications.map((a) => a.amount)));
        expect(quote.onAccountAmount).toBe(c.proposal.onAccountAmount ?? 0);
        expect(quote.subtotal).toBe(quote.invoiceTotal - quote.creditTotal + quote.onAccountAmount);
        expect(quote.total).toBe(quote.subtotal + quote.surcharge.amount);
      }),
      RUNS,
    );
  });

  it('credits each invoice exactly what the applications say', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { quote } = run(c);
        for (const line of quote.lines) {
          const toLine = quote.credits.flatMap((cr) => cr.applications.filter((a) => a.invoiceId === line.invoiceId));
          expect(line.creditApplied).toBe(total(toLine.map((a) => a.amount)));
        }
        const lineIds = new Set(quote.lines.map((l) => l.invoiceId));
        for (const cr of quote.credits) {
          for (const a of cr.applications) expect(lineIds.has(a.invoiceId)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('never produces a negative or unsafe amount', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { quote } = run(c);
        for (const amount of amountsOf(quote)) {
          expect(Number.isSafeInteger(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
        }
        expect(QuoteSchema.safeParse(quote).success).toBe(true);
      }),
      RUNS,
    );
  });

  it('only quotes without issues what the customer may actually pay', () => {
    let clean = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { quote, issues } = run(c);
        if (issues.length > 0) return;
        clean++;
        const { ctx } = c;
        const reasons = new Map(ctx.rules.reasonCodes.map((r) => [r.code, r]));
        expect(quote.subtotal).toBeGreaterThan(0);
        expect(ctx.rules.allowedMethods).toContain(quote.method);
        if (!ctx.rules.allowOverpayment) expect(quote.onAccountAmount).toBe(0);
        expect(new Set(quote.lines.map((l) => l.invoiceId)).size).toBe(quote.lines.length);
        expect(quote.lines).toHaveLength(c.proposal.allocations.length);
        for (const line of quote.lines) {
          const invoice = ctx.invoices.find((i) => i.id === line.invoiceId)!;
          expect(invoice.currency).toBe(ctx.currency);
          expect(line.payableAmount).toBe(open(invoice));
          expect(line.amount).toBeLessThanOrEqual(line.payableAmount);
          expect(line.creditApplied).toBeLessThanOrEqual(line.amount);
          expect(line.shortAmount).toBe(line.payableAmount - line.amount);
          if (line.shortAmount > 0) {
            expect(ctx.rules.allowPartialPayment).toBe(true);
            const reason = reasons.get(line.reasonCode ?? '');
            expect(reason).toBeDefined();
            if (reason?.requiresNote) expect(line.note?.trim()).toBeTruthy();
            // A deduction closes the invoice; a reason that leaves it open records none.
            expect(line.deductionAmount).toBe(reason?.leavesOpen ? 0 : line.shortAmount);
          } else {
            expect(line.reasonCode).toBeNull();
            expect(line.deductionAmount).toBe(0);
          }
        }
        for (const cr of quote.credits) {
          const memo = ctx.credits.find((m) => m.id === cr.creditId)!;
          expect(memo.currency).toBe(ctx.currency);
          expect(cr.amount).toBeLessThanOrEqual(open(memo));
        }
        expect(quote.creditTotal).toBe(total((c.proposal.credits ?? []).map((x) => x.amount)));
      }),
      RUNS,
    );
    // Guard against a generator that never produces a payable proposal.
    expect(clean).toBeGreaterThan(RUNS.numRuns / 10);
  });

  it('keeps the surcharge within every cap, and off unless a credit card pays', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { quote } = run(c);
        const rule = c.ctx.rules.surcharge;
        const { surcharge } = quote;
        const rate = Math.min(rule.rateBps, rule.maxRateBps);
        expect(BigInt(surcharge.amount) * 10_000n).toBeLessThanOrEqual(BigInt(quote.subtotal) * BigInt(rate));
        if (rule.maxAmount !== null) expect(surcharge.amount).toBeLessThanOrEqual(rule.maxAmount);
        expect(surcharge.rateBps).toBeLessThanOrEqual(rate);
        const creditCard = c.options.cardFunding === 'credit' && c.proposal.method !== 'ach_debit';
        if (!creditCard || !rule.enabled) expect(surcharge.amount).toBe(0);
        if (c.proposal.method === 'ach_debit') expect(surcharge.status).toBe('not_applicable');
        const region = c.ctx.region;
        const forbids =
          region !== null && [rule.regions[region], rule.regions[region.slice(0, 2)]].some((r) => r?.enabled === false);
        if (forbids) expect(surcharge.amount).toBe(0);
        if (region === 'US-CO' && rule.regions['US-CO']) expect(surcharge.rateBps).toBeLessThanOrEqual(200);
        if (surcharge.status === 'applied') {
          expect(surcharge.amount).toBe(
            Math.min(
              Number((BigInt(quote.subtotal) * BigInt(surcharge.rateBps)) / 10_000n),
              rule.maxAmount ?? Number.POSITIVE_INFINITY,
            ),
          );
        } else {
          expect(surcharge.amount).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('names a field of the proposal in every issue path', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { issues } = run(c);
        for (const { path } of issues) {
          const m = /^(allocations|credits)\.(\d+)\.(\w+)$/.exec(path);
          if (m) {
            const list = m[1] === 'allocations' ? c.proposal.allocations : (c.proposal.credits ?? []);
            expect(Number(m[2])).toBeLessThan(list.length);
            expect(['invoiceId', 'creditId', 'amount', 'reasonCode', 'note']).toContain(m[3]);
          } else {
            expect(['method', 'onAccountAmount', 'allocations']).toContain(path);
          }
        }
      }),
      RUNS,
    );
  });

  it('gives the same result twice, and on a copy that went over the wire as JSON', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const first = run(c);
        expect(run(c)).toStrictEqual(first);
        const wire = JSON.parse(JSON.stringify(c)) as Case;
        expect(run(wire)).toStrictEqual(first);
      }),
      RUNS,
    );
  });

  it('does not depend on the order the ERP lists invoices and credits in', () => {
    const keys = fc.array(fc.integer(), { minLength: 6, maxLength: 6 });
    const permute = <T>(xs: readonly T[], k: number[]) =>
      xs
        .map((x, i) => [x, k[i] ?? 0] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([x]) => x);
    fc.assert(
      fc.property(caseArb, keys, keys, (c, ki, kc) => {
        const shuffled = { ...c.ctx, invoices: permute(c.ctx.invoices, ki), credits: permute(c.ctx.credits, kc) };
        expect(computeQuote(shuffled, c.proposal, c.options)).toStrictEqual(run(c));
      }),
      RUNS,
    );
  });
});

describe('PaymentProposalSchema properties', () => {
  const safeAmount = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  const badAmount = fc.oneof(
    fc.integer({ min: -1_000_000_000, max: -1 }),
    fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.nat().map(String),
    fc.double({ min: 2 ** 53, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true }),
    fc.constant(Number.MAX_SAFE_INTEGER + 1),
  );
  const base = fc.record({
    method: fc.constantFrom(...METHODS),
    allocations: fc.array(fc.record({ invoiceId: fc.constantFrom('inv-1', 'inv-2'), amount: safeAmount }), {
      minLength: 1,
      maxLength: 4,
    }),
    credits: fc.array(fc.record({ creditId: fc.constant('cm-1'), amount: safeAmount }), { minLength: 1, maxLength: 3 }),
    onAccountAmount: fc.nat(),
  });

  it('accepts positive safe-integer amounts', () => {
    fc.assert(
      fc.property(base, (proposal) => {
        expect(PaymentProposalSchema.safeParse(proposal).success).toBe(true);
      }),
      RUNS,
    );
  });

  it('rejects a negative, fractional, NaN, infinite, string or unsafe amount and names where it is', () => {
    fc.assert(
      fc.property(
        base,
        badAmount,
        fc.constantFrom('allocation', 'credit', 'onAccount'),
        fc.nat(),
        (p, bad, where, n) => {
          const proposal: Record<string, unknown> = structuredClone(p);
          let path: string;
          if (where === 'allocation') {
            const i = n % p.allocations.length;
            (proposal.allocations as Array<Record<string, unknown>>)[i]!.amount = bad;
            path = `allocations.${i}.amount`;
          } else if (where === 'credit') {
            const i = n % p.credits.length;
            (proposal.credits as Array<Record<string, unknown>>)[i]!.amount = bad;
            path = `credits.${i}.amount`;
          } else {
            proposal.onAccountAmount = bad;
            path = 'onAccountAmount';
          }
          const result = PaymentProposalSchema.safeParse(proposal);
          expect(result.success).toBe(false);
          expect(result.error?.issues.map((i) => formatPath(i.path))).toContain(path);
        },
      ),
      RUNS,
    );
  });

  it('rejects a zero allocation or credit, which would pay nothing', () => {
    fc.assert(
      fc.property(base, fc.boolean(), (p, inCredit) => {
        const proposal = structuredClone(p);
        if (inCredit) proposal.credits[0]!.amount = 0;
        else proposal.allocations[0]!.amount = 0;
        const result = PaymentProposalSchema.safeParse(proposal);
        expect(result.success).toBe(false);
        expect(formatPath(result.error?.issues[0]?.path ?? [])).toBe(
          inCredit ? 'credits.0.amount' : 'allocations.0.amount',
        );
      }),
      { numRuns: 50 },
    );
  });
});
