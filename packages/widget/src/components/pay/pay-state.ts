import { payableAmount, type SessionView } from '@settle/schema';
import type { LineDraft } from '../invoice-list/lines-change.js';

/** The element's screens; each is rendered with its own `part`. */
export type Phase =
  | 'loading'
  | 'network-error'
  | 'expired'
  | 'unauthorized'
  | 'misconfigured'
  | 'empty'
  | 'ready'
  | 'pending'
  | 'receipt';

export type { LineDraft };

/** The invoices to start with: the session's preselection, each for its full payable balance. */
export function initialLines(session: SessionView): Map<string, LineDraft> {
  const lines = new Map<string, LineDraft>();
  for (const id of session.preselectedInvoiceIds) {
    const invoice = session.invoices.find((i) => i.id === id);
    if (invoice && payableAmount(invoice) > 0) {
      lines.set(id, { amount: payableAmount(invoice), reasonCode: null, note: '' });
    }
  }
  return lines;
}

/** Nothing left to pay: no invoice with a balance that a payment in flight has not reserved. */
export function isEmpty(session: SessionView): boolean {
  return !session.invoices.some((i) => payableAmount(i) > 0);
}
