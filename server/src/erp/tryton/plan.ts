import type { ErpPosting } from '../port.js';

/*
 * How a posting becomes Tryton documents, and how those documents are found again: the plan is
 * deterministic, so a retried posting numbers its steps the same way and skips those whose
 * tagged move already exists (docs/tryton.md, "Exactly once").
 */

/**
 * One unit of a posting: a run of the account.invoice.pay wizard, the on-account move, or the move
 * booking the card surcharge as revenue.
 */
export type Step =
  | { kind: 'pay'; invoiceId: number; amount: number; method: 'cash' | 'credit' | 'deduction'; label: string }
  | { kind: 'on-account' | 'surcharge'; amount: number; label: string };

/** The tag that marks step `n` of a posting in the move's description; the key of its idempotency. */
export const stepTag = (paymentId: string, n: number) => `[settle:${paymentId}#${n}]`;
export const reversalTag = (paymentId: string, n: number) => `[settle-reversal:${paymentId}#${n}]`;

/** The steps of a posting, in a fixed order so a retry numbers them the same way. */
export function planSteps(posting: ErpPosting): Step[] {
  const steps: Step[] = [];
  const ref = posting.reference;
  for (const c of posting.credits) {
    if (c.amount <= 0) continue;
    steps.push({
      kind: 'pay',
      invoiceId: Number(c.creditId),
      amount: -c.amount,
      method: 'credit',
      label: `${ref}: credit memo applied to invoice ${c.invoiceId}`,
    });
    steps.push({
      kind: 'pay',
      invoiceId: Number(c.invoiceId),
      amount: c.amount,
      method: 'credit',
      label: `${ref}: credit memo ${c.creditId} applied`,
    });
  }
  for (const a of posting.applications) {
    if (a.cash > 0) {
      steps.push({
        kind: 'pay',
        invoiceId: Number(a.invoiceId),
        amount: a.cash,
        method: 'cash',
        label: `${ref} (${posting.method})`,
      });
    }
    const d = a.deduction;
    if (d && d.amount > 0) {
      const code = d.erpReasonCode ? `${d.reasonCode}/${d.erpReasonCode}` : d.reasonCode;
      steps.push({
        kind: 'pay',
        invoiceId: Number(a.invoiceId),
        amount: d.amount,
        method: 'deduction',
        label: `${ref}: short-pay deduction ${code}${d.note ? ` - ${d.note}` : ''}`,
      });
    }
  }
  if (posting.unappliedAmount > 0) {
    steps.push({ kind: 'on-account', amount: posting.unappliedAmount, label: `${ref}: unapplied, on account` });
  }
  // Last, so that the steps before it are numbered as they were before surcharges were booked.
  if (posting.surchargeAmount > 0) {
    steps.push({ kind: 'surcharge', amount: posting.surchargeAmount, label: `${ref}: card surcharge` });
  }
  // Brackets are the tags' own: a payer's note or reference must not be able to write one.
  return steps.map((step) => ({ ...step, label: step.label.replace(/[[\]]/g, (b) => (b === '[' ? '(' : ')')) }));
}
