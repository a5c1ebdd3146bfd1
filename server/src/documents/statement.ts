import { type Currency, type Payment, type PaymentStatus, sum } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { ErpCustomer, ErpOpenItems } from '../erp/port.js';
import { ApiError } from '../errors.js';
import { callErp } from '../services/erp-calls.js';
import { toPayment } from '../services/payment-view.js';
import { AGING_BUCKETS, type AgingBucket, agingBucket, daysPastDue } from './aging.js';
import { methodSummary } from './method.js';

/** One open item as a statement lists it; credits carry negative amounts. */
export interface StatementItem {
  type: 'invoice' | 'credit';
  id: string;
  number: string;
  issueDate: string;
  /** A credit is due from its issue date: ERPs age unapplied credits by their date. */
  dueDate: string;
  daysOverdue: number;
  bucket: AgingBucket;
  currency: Currency;
  amount: number;
  openAmount: number;
  /** The invoice's PO number or the credit's memo: ERP text, shown as is. */
  reference: string | null;
}

/** One currency's items and totals: amounts in different currencies are never added together. */
export interface StatementSection {
  currency: Currency;
  invoices: StatementItem[];
  credits: StatementItem[];
  invoiceTotal: number;
  /** Negative, or 0. */
  creditTotal: number;
  /** invoiceTotal + creditTotal: what the customer owes in this currency. */
  balance: number;
  /** Open amounts per bucket; they add up to `balance`. */
  aging: Record<AgingBucket, number>;
}

export interface StatementPayment {
  id: string;
  date: string;
  erpReference: string | null;
  method: string;
  currency: Currency;
  amount: number;
  status: PaymentStatus;
  /** Charged or received but not yet in the ERP's open items. */
  inFlight: boolean;
}

export interface Statement {
  merchant: { name: string };
  customer: Pick<ErpCustomer, 'id' | 'name' | 'email'>;
  /** YYYY-MM-DD (UTC): the date items are aged at. */
  date: string;
  sections: StatementSection[];
  /** Payments since `paymentsSince`, newest first. */
  payments: StatementPayment[];
  paymentsSince: string;
  /** Per currency, what in-flight payments add up to. */
  inFlight: Array<{ currency: Currency; count: number; amount: number }>;
}

/** How far back a statement lists Settle's own payments. */
export const RECENT_PAYMENT_DAYS = 90;
const MAX_PAYMENTS = 100;
/** Payments that never moved money (unconfirmed, declined, canceled) are left off: they are attempts, not payments. */
const ATTEMPTS: PaymentStatus[] = ['requires_confirmation', 'requires_action', 'failed', 'canceled'];

/**
 * A customer's statement as of `now`: the ERP's open items right now (never a session's snapshot:
 * a statement that disagreed with the ledger would be worse than none), aged, with Settle's own
 * recent payments beside them. 404 for a customer the ERP does not know.
 */
export async function buildStatement(
  deps: Deps,
  merchant: { id: string; name: string },
  customerId: string,
  now = new Date(),
): Promise<Statement> {
  const customer = await callErp(() => deps.erp.getCustomer(customerId));
  if (!customer) throw new ApiError(404, 'customer_not_found', `The ERP has no customer ${customerId}`);
  const items = await callErp(() => deps.erp.listOpenItems(customerId));
  const date = now.toISOString().slice(0, 10);
  const since = new Date(Date.parse(`${date}T00:00:00Z`) - RECENT_PAYMENT_DAYS * 86_400_000);
  const rows = await deps.db
    .selectFrom('payments')
    .selectAll()
    .where('merchant_id', '=', merchant.id)
    .where('customer_id', '=', customerId)
    .where('status', 'not in', ATTEMPTS)
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(MAX_PAYMENTS)
    .execute();
  const payments = rows.map((row) => statementPayment(toPayment(row, [])));
  return {
    merchant: { name: merchant.name },
    customer: { id: customer.id, name: customer.name, email: customer.email },
    date,
    sections: sections(items, date, customer.currency),
    payments,
    paymentsSince: since.toISOString().slice(0, 10),
    inFlight: inFlightTotals(payments),
  };
}

function statementPayment(p: Payment): StatementPayment {
  return {
    id: p.id,
    date: p.createdAt.slice(0, 10),
    erpReference: p.erpReference,
    method: methodSummary(p),
    currency: p.currency,
    amount: p.amount,
    status: p.status,
    inFlight: p.status === 'processing' || (p.status === 'succeeded' && ['pending', 'parked'].includes(p.erpStatus)),
  };
}

/** The customer's default currency first, then the others in code order. */
function sections(items: ErpOpenItems, date: string, home: Currency): StatementSection[] {
  const currencies = [...new Set([...items.invoices, ...items.credits].map((i) => i.currency))].sort((a, b) =>
    a === home ? -1 : b === home ? 1 : a.localeCompare(b),
  );
  return currencies.map((currency) => {
    const item = (
      type: StatementItem['type'],
      x: { id: string; number: string; issueDate: string; amount: number; openAmount: number },
      dueDate: string,
      reference: string | null,
    ): StatementItem => {
      const days = daysPastDue(dueDate, date);
      const sign = type === 'credit' ? -1 : 1;
      return {
        type,
        id: x.id,
        number: x.number,
        issueDate: x.issueDate,
        dueDate,
        daysOverdue: Math.max(0, days),
        bucket: agingBucket(days),
        currency,
        amount: sign * x.amount,
        openAmount: sign * x.openAmount,
        reference,
      };
    };
    const invoices = items.invoices
      .filter((i) => i.currency === currency && i.openAmount > 0)
      .map((i) => item('invoice', i, i.dueDate, i.poNumber))
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
    const credits = items.credits
      .filter((c) => c.currency === currency && c.openAmount > 0)
      .map((c) => item('credit', c, c.issueDate, c.memo))
      .sort((a, b) => a.issueDate.localeCompare(b.issueDate) || a.number.localeCompare(b.number));
    const aging = Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])) as Record<AgingBucket, number>;
    for (const i of [...invoices, ...credits]) aging[i.bucket] = sum([aging[i.bucket], i.openAmount]);
    const invoiceTotal = sum(invoices.map((i) => i.openAmount));
    const creditTotal = sum(credits.map((c) => c.openAmount));
    return { currency, invoices, credits, invoiceTotal, creditTotal, balance: invoiceTotal + creditTotal, aging };
  });
}

function inFlightTotals(payments: StatementPayment[]): Statement['inFlight'] {
  const by = new Map<Currency, { currency: Currency; count: number; amount: number }>();
  for (const p of payments.filter((x) => x.inFlight)) {
    const t = by.get(p.currency) ?? { currency: p.currency, count: 0, amount: 0 };
    t.count++;
    t.amount = sum([t.amount, p.amount]);
    by.set(p.currency, t);
  }
  return [...by.values()];
}
