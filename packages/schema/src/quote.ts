import type {
  CreditApplicationInput,
  PaymentProposal,
  Quote,
  QuoteCredit,
  QuoteLine,
  QuoteSurcharge,
} from './allocation.js';
import { type Currency, formatMoney, mulDivFloor } from './currency.js';
import type { FieldIssue } from './problem.js';
import type {
  CardFunding,
  CreditMemo,
  Invoice,
  MerchantRules,
  MethodLimit,
  PaymentMethodType,
  SurchargeRule,
} from './session.js';

/** What a quote is computed against: one customer's items in one currency, and the rules. */
export interface QuoteContext {
  currency: Currency;
  invoices: readonly Invoice[];
  credits: readonly CreditMemo[];
  rules: MerchantRules;
  /** The customer's billing region ("US-CO"), for regional surcharge rules. */
  region: string | null;
}

export interface QuoteOptions {
  /** The entered card's funding; null while no card has been entered. */
  cardFunding?: CardFunding | null;
}

export interface QuoteResult {
  quote: Quote;
  /** Empty when the proposal can be paid as quoted. */
  issues: FieldIssue[];
}

const METHOD_NAMES: Record<PaymentMethodType, string> = {
  card: 'Card',
  ach_debit: 'Bank (ACH) debit',
  wallet: 'Wallet',
};

/** What can still be paid on an item: the ERP's balance less what in-flight payments reserve. */
export function payableAmount(item: { openAmount: number; pendingAmount: number }): number {
  return Math.max(0, item.openAmount - item.pendingAmount);
}

/** Orders invoices the way cash application does by default: oldest due date first. */
export function compareOldestFirst(
  a: { dueDate: string; issueDate: string; id: string },
  b: { dueDate: string; issueDate: string; id: string },
): number {
  // Plain code-unit order: localeCompare would depend on the host's locale, and the widget and
  // the server must spread credits identically.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.dueDate, b.dueDate) || cmp(a.issueDate, b.issueDate) || cmp(a.id, b.id);
}

/**
 * The card surcharge for `base` minor units. Only credit cards (and wallets backed by one)
 * are surcharged; the rate is the lowest of the merchant's rate, the network cap and the
 * region's cap, and the amount is rounded down so it never exceeds any cap.
 */
export function surchargeFor(
  method: PaymentMethodType,
  funding: CardFunding | null | undefined,
  base: number,
  rule: SurchargeRule,
  region: string | null,
): QuoteSurcharge {
  const none = (status: QuoteSurcharge['status']): QuoteSurcharge => ({ status, rateBps: 0, amount: 0 });
  if (method === 'ach_debit') return none('not_applicable');
  if (!rule.enabled || rule.rateBps === 0) return none('disabled');
  const country = region?.slice(0, 2);
  const regional = [country ? rule.regions[country] : undefined, region ? rule.regions[region] : undefined];
  if (regional.some((r) => r?.enabled === false)) return none('region_forbids');
  const rateBps = Math.min(
    rule.rateBps,
    rule.maxRateBps,
    ...regional.map((r) => r?.maxRateBps ?? Number.POSITIVE_INFINITY),
  );
  if (funding == null) return { status: 'unknown_funding', rateBps, amount: 0 };
  if (funding !== 'credit' || rateBps === 0) return none('not_applicable');
  let amount = mulDivFloor(base, rateBps, 10_000);
  if (rule.maxAmount != null) amount = Math.min(amount, rule.maxAmount);
  return { status: 'applied', rateBps, amount };
}

function limitProblem(method: PaymentMethodType, total: number, limit: MethodLimit | undefined, currency: Currency) {
  if (limit?.max != null && total > limit.max) {
    return {
      code: 'method_limit_exceeded',
      message: `${METHOD_NAMES[method]} payments are limited to ${formatMoney(limit.max, currency, 'en-US')}`,
      limit: limit.max,
    };
  }
  if (limit?.min != null && total < limit.min) {
    return {
      code: 'method_below_minimum',
      message: `${METHOD_NAMES[method]} payments start at ${formatMoney(limit.min, currency, 'en-US')}`,
      limit: limit.min,
    };
  }
  return null;
}

/**
 * The one pure function that prices a proposal. The widget runs it for instant feedback;
 * the server runs it against the ERP's current balances as the only authority.
 */
export function computeQuote(ctx: QuoteContext, proposal: PaymentProposal, options: QuoteOptions = {}): QuoteResult {
  const issues: FieldIssue[] = [];
  const issue = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  const money = (amount: number) => formatMoney(amount, ctx.currency, 'en-US');
  const { rules } = ctx;

  const invoices = new Map(ctx.invoices.map((i) => [i.id, i]));
  const reasons = new Map(rules.reasonCodes.map((r) => [r.code, r]));
  const lines: QuoteLine[] = [];
  const lineOf = new Map<string, { line: QuoteLine; invoice: Invoice }>();

  for (const [i, alloc] of proposal.allocations.entries()) {
    const at = `allocations.${i}`;
    const invoice = invoices.get(alloc.invoiceId);
    if (!invoice) {
      issue(`${at}.invoiceId`, 'invoice_not_found', `No open invoice ${alloc.invoiceId} for this customer`);
      continue;
    }
    if (lineOf.has(invoice.id)) {
      issue(`${at}.invoiceId`, 'invoice_duplicate', `Invoice ${invoice.number} is listed twice`);
      continue;
    }
    if (invoice.currency !== ctx.currency) {
      issue(
        `${at}.invoiceId`,
        'currency_mismatch',
        `Invoice ${invoice.number} is in ${invoice.currency}, not ${ctx.currency}`,
      );
      continue;
    }
    const payable = payableAmount(invoice);
    if (payable === 0 && invoice.pendingAmount > 0) {
      issue(`${at}.invoiceId`, 'invoice_payment_pending', `Invoice ${invoice.number} already has a payment pending`);
    } else if (alloc.amount > payable) {
      issue(
        `${at}.amount`,
        'amount_exceeds_balance',
        `Invoice ${invoice.number} has ${money(payable)} open; ${money(alloc.amount)} is more than that`,
      );
    }
    const shortAmount = Math.max(0, payable - alloc.amount);
    let reasonCode: string | null = null;
    let note = alloc.note?.trim() || null;
    let deductionAmount = 0;
    if (shortAmount > 0) {
      reasonCode = alloc.reasonCode || null;
      const reason = reasonCode ? reasons.get(reasonCode) : undefined;
      if (reason && !reason.leavesOpen) deductionAmount = shortAmount;
      if (!rules.allowPartialPayment) {
        issue(
          `${at}.amount`,
          'partial_payment_not_allowed',
          `Invoice ${invoice.number} must be paid in full (${money(payable)})`,
        );
      } else if (!reasonCode) {
        issue(
          `${at}.reasonCode`,
          'reason_code_required',
          `Paying less than ${money(payable)} on invoice ${invoice.number} needs a reason`,
        );
      } else if (!reason) {
        issue(`${at}.reasonCode`, 'reason_code_unknown', `"${reasonCode}" is not one of this merchant's reason codes`);
      } else if (reason.requiresNote && !note) {
        issue(`${at}.note`, 'note_required', `The reason "${reason.label}" needs a note`);
      }
    } else {
      note = null;
    }
    const line: QuoteLine = {
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      payableAmount: payable,
      amount: alloc.amount,
      creditApplied: 0,
      cashApplied: 0,
      shortAmount,
      deductionAmount,
      reasonCode,
      note,
    };
    lines.push(line);
    lineOf.set(invoice.id, { line, invoice });
  }

  const credits = applyCredits(ctx, proposal.credits ?? [], lineOf, issue, money);

  for (const line of lines) line.cashApplied = line.amount - line.creditApplied;
  const invoiceTotal = bounded(
    lines.map((l) => l.amount),
    'allocations',
    issue,
  );
  const creditTotal = bounded(
    credits.map((c) => c.amount),
    'credits',
    issue,
  );
  const onAccountAmount = proposal.onAccountAmount ?? 0;
  if (onAccountAmount > 0 && !rules.allowOverpayment) {
    issue(
      'onAccountAmount',
      'overpayment_not_allowed',
      'This merchant does not accept payments beyond the open invoices',
    );
  }
  const subtotal = bounded([invoiceTotal - creditTotal, onAccountAmount], 'onAccountAmount', issue);
  if (subtotal === 0 && issues.length === 0) {
    issue('allocations', 'nothing_to_charge', 'The credits cover everything selected: there is nothing to charge');
  }

  const cardFunding = options.cardFunding ?? null;
  const surcharge = surchargeFor(proposal.method, cardFunding, subtotal, rules.surcharge, ctx.region);
  const total = bounded([subtotal, surcharge.amount], 'allocations', issue);

  const methods = rules.allowedMethods.map((method) => {
    // For the chosen method the real total counts; for the others the worst case (a credit card).
    const fee =
      method === proposal.method ? surcharge : surchargeFor(method, 'credit', subtotal, rules.surcharge, ctx.region);
    const reason = limitProblem(method, subtotal + fee.amount, rules.methodLimits[method], ctx.currency);
    return { method, available: reason === null, reason };
  });
  if (!rules.allowedMethods.includes(proposal.method)) {
    issue('method', 'method_not_allowed', `${METHOD_NAMES[proposal.method]} payments are not accepted here`);
  } else {
    const chosen = methods.find((m) => m.method === proposal.method);
    if (chosen?.reason) issue('method', chosen.reason.code, chosen.reason.message);
  }

  return {
    quote: {
      currency: ctx.currency,
      method: proposal.method,
      cardFunding,
      lines,
      credits,
      invoiceTotal,
      creditTotal,
      onAccountAmount,
      subtotal,
      surcharge,
      total,
      methods,
    },
    issues,
  };
}

/**
 * Sums amounts that come from a proposal, which may be absurd (each below 2^53 but not their
 * sum): past the safe range it reports an issue and saturates instead of losing precision.
 */
function bounded(
  amounts: number[],
  path: string,
  issue: (path: string, code: string, message: string) => void,
): number {
  const total = amounts.reduce((acc, a) => acc + BigInt(a), 0n);
  if (total <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(total);
  issue(path, 'amount_too_large', 'The amounts add up to more than can be paid in one payment');
  return Number.MAX_SAFE_INTEGER;
}

type LineIndex = Map<string, { line: QuoteLine; invoice: Invoice }>;

/**
 * Applies credits before money: pinned applications first, then each unpinned credit
 * spread over the selected invoices oldest-first. A credit is never applied above its
 * remaining amount, nor an invoice credited above what this payment allocates to it.
 */
function applyCredits(
  ctx: QuoteContext,
  inputs: readonly CreditApplicationInput[],
  lineOf: LineIndex,
  issue: (path: string, code: string, message: string) => void,
  money: (amount: number) => string,
): QuoteCredit[] {
  const creditsById = new Map(ctx.credits.map((c) => [c.id, c]));
  const used = new Map<string, number>();
  const result = new Map<string, QuoteCredit>();
  let sorted: QuoteLine[] | undefined;
  const oldestFirst = () => {
    sorted ??= [...lineOf.values()].sort((a, b) => compareOldestFirst(a.invoice, b.invoice)).map((x) => x.line);
    return sorted;
  };

  const record = (creditId: string, creditNumber: string, invoiceId: string, amount: number) => {
    if (amount === 0) return;
    let entry = result.get(creditId);
    if (!entry) {
      entry = { creditId, creditNumber, amount: 0, applications: [] };
      result.set(creditId, entry);
    }
    entry.amount += amount;
    const app = entry.applications.find((a) => a.invoiceId === invoiceId);
    if (app) app.amount += amount;
    else entry.applications.push({ invoiceId, amount });
  };

  const valid: Array<{ input: CreditApplicationInput; index: number; number: string }> = [];
  for (const [index, input] of inputs.entries()) {
    const at = `credits.${index}`;
    const credit = creditsById.get(input.creditId);
    if (!credit) {
      issue(`${at}.creditId`, 'credit_not_found', `No open credit memo ${input.creditId} for this customer`);
      continue;
    }
    if (credit.currency !== ctx.currency) {
      issue(
        `${at}.creditId`,
        'currency_mismatch',
        `Credit memo ${credit.number} is in ${credit.currency}, not ${ctx.currency}`,
      );
      continue;
    }
    const available = payableAmount(credit);
    const total = (used.get(credit.id) ?? 0) + input.amount;
    if (total > available) {
      issue(
        `${at}.amount`,
        'credit_exceeds_balance',
        `Credit memo ${credit.number} has ${money(available)} left to apply`,
      );
      continue;
    }
    if (input.invoiceId !== undefined && !lineOf.has(input.invoiceId)) {
      issue(`${at}.invoiceId`, 'credit_invoice_not_selected', `Invoice ${input.invoiceId} is not part of this payment`);
      continue;
    }
    used.set(credit.id, total);
    valid.push({ input, index, number: credit.number });
  }

  const pinnedFirst = [...valid].sort(
    (a, b) => Number(a.input.invoiceId === undefined) - Number(b.input.invoiceId === undefined),
  );
  for (const { input, index, number } of pinnedFirst) {
    const targets = input.invoiceId !== undefined ? [lineOf.get(input.invoiceId)?.line] : oldestFirst();
    let left = input.amount;
    for (const line of targets) {
      if (left === 0) break;
      if (!line) continue;
      const take = Math.min(left, line.amount - line.creditApplied);
      line.creditApplied += take;
      left -= take;
      record(input.creditId, number, line.invoiceId, take);
    }
    if (left > 0) {
      issue(
        `credits.${index}.amount`,
        'credit_exceeds_invoices',
        `Credit memo ${number}: ${money(left)} more than the selected invoices can take`,
      );
    }
  }
  return [...result.values()];
}
