import { type Invoice, payableAmount, type ReasonCode } from '@settle/schema';
import type { LineDraft } from './lines-change.js';

export type LineProblem =
  | { field: 'amount'; code: 'unreadable' | 'zero' | 'over_balance' }
  | { field: 'reasonCode' | 'note'; code: 'missing' };

/**
 * What stops one selected line from being paid as the payer sees it, field by field.
 * `typed` is the amount input's text read as minor units (undefined when it does not parse);
 * the line itself keeps the last amount that did. The server runs the same rules again
 * (computeQuote); these give feedback while typing.
 */
export function lineProblems(
  invoice: Invoice,
  line: LineDraft,
  typed: number | undefined,
  reasonCodes: readonly ReasonCode[],
): LineProblem[] {
  const problems: LineProblem[] = [];
  const payable = payableAmount(invoice);
  if (typed === undefined) problems.push({ field: 'amount', code: 'unreadable' });
  else if (typed === 0 || line.amount === 0) problems.push({ field: 'amount', code: 'zero' });
  else if (line.amount > payable) problems.push({ field: 'amount', code: 'over_balance' });
  if (line.amount < payable) {
    const reason = reasonCodes.find((r) => r.code === line.reasonCode);
    if (!reason) problems.push({ field: 'reasonCode', code: 'missing' });
    else if (reason.requiresNote && !line.note.trim()) problems.push({ field: 'note', code: 'missing' });
  }
  return problems;
}
