import {
  type CardFunding,
  computeQuote,
  type FieldIssue,
  type PaymentMethodType,
  type PaymentProposal,
  type Quote,
  type SessionView,
} from '@settle/schema';
import { parseAmount } from '../invoice-list/amount-text.js';
import type { LineDraft } from '../invoice-list/lines-change.js';

/*
 * The checkout piece's model of the payment panel: what the payer entered, priced with the
 * server's own function, and where each problem is shown.
 */

/** A decline or a failed attempt, shown above the Pay button. */
export interface Notice {
  kind: 'decline' | 'error';
  message: string;
  /** Offer "Try again": the same attempt, under the same idempotency key. */
  retry: boolean;
}

/** A credit memo in the credits panel: whether it is applied and the amount as typed. */
export interface CreditDraft {
  applied: boolean;
  text: string;
}

export interface Draft {
  lines: ReadonlyMap<string, LineDraft>;
  credits: ReadonlyMap<string, CreditDraft>;
  method: PaymentMethodType;
  funding: CardFunding | null;
}

export interface Priced {
  proposal: PaymentProposal;
  quote: Quote;
  /** Local problems (computeQuote's, plus amounts that do not parse), paths as in the proposal. */
  issues: FieldIssue[];
}

/** Where a problem is shown: invoice rows keyed `allocations.<invoiceId>.<field>`, credits by id. */
export interface ViewIssues {
  lines: Record<string, string>;
  credits: Record<string, string>;
  method: string | null;
  general: string | null;
}

export const NO_ISSUES: ViewIssues = { lines: {}, credits: {}, method: null, general: null };

function positive(amount: number | undefined): number | undefined {
  return amount !== undefined && Number.isSafeInteger(amount) && amount > 0 ? amount : undefined;
}

/**
 * Turns what the payer entered into a proposal and prices it with the same pure function the
 * server uses. Credit amounts are read exactly in the locale's notation ("1.234,50" in German);
 * amounts that do not parse become issues on their field and are left out.
 */
export function price(session: SessionView, draft: Draft, locale: string): Priced {
  const { currency } = session;
  const issues: FieldIssue[] = [];
  const proposal: PaymentProposal = { method: draft.method, allocations: [], credits: [] };
  // Session order, so allocation indexes (and the server's issue paths) are stable.
  for (const invoice of session.invoices) {
    const line = draft.lines.get(invoice.id);
    if (!line) continue;
    const amount = positive(line.amount);
    if (amount === undefined) {
      issues.push({ path: `allocations.${invoice.id}.amount`, code: 'amount_invalid', message: '' });
      continue;
    }
    proposal.allocations.push({
      invoiceId: invoice.id,
      amount,
      ...(line.reasonCode ? { reasonCode: line.reasonCode } : {}),
      ...(line.note.trim() ? { note: line.note.trim() } : {}),
    });
  }
  for (const credit of session.credits) {
    const entry = draft.credits.get(credit.id);
    if (!entry?.applied) continue;
    const amount = positive(parseAmount(entry.text, currency, locale));
    if (amount === undefined) {
      issues.push({ path: `credits.${credit.id}.amount`, code: 'amount_invalid', message: '' });
      continue;
    }
    proposal.credits?.push({ creditId: credit.id, amount });
  }
  const ctx = { ...session, region: session.customer.region };
  const result = computeQuote(ctx, proposal, { cardFunding: draft.method === 'ach_debit' ? null : draft.funding });
  const local = proposal.allocations.length === 0 ? [] : result.issues;
  return { proposal, quote: result.quote, issues: [...issues, ...local] };
}

/**
 * Places issues (local, or a 422's `details`) where the payer sees them. Index paths
 * (`allocations.1.reasonCode`) become id paths (`allocations.inv_10239.reasonCode`).
 */
export function placeIssues(
  issues: readonly FieldIssue[],
  proposal: PaymentProposal,
  message: (issue: FieldIssue, id: string | null) => string,
): ViewIssues {
  const view: ViewIssues = { lines: {}, credits: {}, method: null, general: null };
  for (const issue of issues) {
    const [head, index, field] = issue.path.split('.');
    const numeric = index !== undefined && /^\d+$/.test(index);
    if (head === 'allocations' && index !== undefined) {
      const id = numeric ? proposal.allocations[Number(index)]?.invoiceId : index;
      if (id) {
        view.lines[`allocations.${id}.${field ?? 'amount'}`] ??= message(issue, id);
        continue;
      }
    } else if (head === 'credits' && index !== undefined) {
      const id = numeric ? proposal.credits?.[Number(index)]?.creditId : index;
      if (id) {
        view.credits[id] ??= message(issue, id);
        continue;
      }
    } else if (head === 'method') {
      view.method ??= message(issue, null);
      continue;
    }
    view.general ??= message(issue, null);
  }
  return view;
}

/** A stable fingerprint of what is being paid, to tell a retry of the same attempt from a new one. */
export function fingerprint(proposal: PaymentProposal): string {
  return JSON.stringify(proposal);
}
