import { formatBps, formatMoney, type Payment } from '@settle/schema';
import { methodSummary } from '../documents/method.js';

/** Which mail: a payment that succeeded, an ACH debit under way, failed, or returned by the bank. */
export type MailKind = 'succeeded' | 'pending' | 'failed' | 'returned';
/** Who reads it: the payer, or the merchant's accounts-receivable team. */
export type Audience = 'payer' | 'ar';

export interface ReceiptInput {
  kind: MailKind;
  audience: Audience;
  merchantName: string;
  customer: { id: string; name: string };
  payment: Payment;
  /** When it happened (the event's time), ISO 8601. */
  at: string;
  /** Reason-code labels of the merchant's rules, by code. */
  reasonLabels: ReadonlyMap<string, string>;
}

export interface ReceiptLine {
  label: string;
  /** A second line under the label: a short payment's reason and note. */
  detail: string | null;
  amount: string;
}

/** What a mail says, before it is laid out as text or HTML. */
export interface Receipt {
  /** The merchant's name, above the heading. */
  brand: string;
  subject: string;
  heading: string;
  intro: string;
  lines: ReceiptLine[];
  totals: Array<{ label: string; amount: string; strong: boolean }>;
  facts: Array<{ label: string; value: string }>;
  footer: string;
  /** A person's own words, quoted under the intro as they wrote them (a collector's reminder). */
  note?: { from: string; text: string };
  /** The one thing to do, as a button (and a bare URL in the text part), with a line under it. */
  action?: { label: string; url: string; detail: string };
}

const HEADINGS: Record<MailKind, string> = {
  succeeded: 'Payment received',
  pending: 'Bank payment pending',
  failed: 'Bank payment failed',
  returned: 'Bank payment returned',
};

function intro(input: ReceiptInput, total: string, method: string): string {
  const { kind, audience, merchantName, customer, payment } = input;
  const reason = payment.failure?.message ? ` ${payment.failure.message}` : '';
  const who = `${customer.name} (${customer.id})`;
  if (audience === 'payer') {
    switch (kind) {
      case 'succeeded':
        return `Thank you. ${merchantName} received your payment of ${total} (${method}).`;
      case 'pending':
        return `Your bank payment of ${total} to ${merchantName} is on its way. Bank payments take a few business days to clear; we will email you again when it has. The invoices below are reserved for it meanwhile.`;
      case 'failed':
        return `Your bank payment of ${total} to ${merchantName} did not go through.${reason} The invoices below are still open: please pay them again.`;
      case 'returned':
        return `Your bank returned your payment of ${total} to ${merchantName}.${reason} The invoices below are open again: please pay them again or contact ${merchantName}.`;
    }
  }
  switch (kind) {
    case 'succeeded':
      return `${who} paid ${total} by ${method}. Settle applies it in the ERP as shown below.`;
    case 'pending':
      return `${who} started a bank payment of ${total}. It is pending until the bank settles it; the invoices below are reserved meanwhile.`;
    case 'failed':
      return `The bank payment of ${total} from ${who} failed.${reason} Its invoices are open again.`;
    case 'returned':
      return `The bank returned the payment of ${total} from ${who}.${reason} Settle reverses its posting in the ERP; the invoices below are open again.`;
  }
}

/** The content of one confirmation mail: the same facts for the text and the HTML part. */
export function buildReceipt(input: ReceiptInput): Receipt {
  const { payment, kind, audience, merchantName, customer } = input;
  const money = (amount: number) => formatMoney(amount, payment.currency, 'en-US');
  const total = money(payment.amount);
  const method = methodSummary(payment);
  const lines: ReceiptLine[] = payment.lines.map((line) => {
    const reason = line.reasonCode ? (input.reasonLabels.get(line.reasonCode) ?? line.reasonCode) : null;
    const short =
      line.shortAmount > 0
        ? `Short-paid ${money(line.shortAmount)}${reason ? `: ${reason}` : ''}${line.note ? ` (“${line.note}”)` : ''}`
        : null;
    return { label: `Invoice ${line.invoiceNumber}`, detail: short, amount: money(line.amount) };
  });
  for (const credit of payment.credits) {
    lines.push({
      label: `Credit memo ${credit.creditNumber} applied`,
      detail: null,
      amount: `−${money(credit.amount)}`,
    });
  }
  if (payment.onAccountAmount > 0) {
    lines.push({ label: 'Paid on account', detail: null, amount: money(payment.onAccountAmount) });
  }
  const totals: Receipt['totals'] = [];
  if (payment.surcharge.amount > 0) {
    totals.push({ label: 'Subtotal', amount: money(payment.subtotal), strong: false });
    const rate = formatBps(payment.surcharge.rateBps);
    totals.push({ label: `Credit card surcharge (${rate})`, amount: money(payment.surcharge.amount), strong: false });
  }
  totals.push({ label: kind === 'succeeded' ? 'Total paid' : 'Total', amount: total, strong: true });
  const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(
    new Date(input.at),
  );
  const facts = [
    { label: 'Paid to', value: merchantName },
    ...(audience === 'ar' ? [{ label: 'Customer', value: `${customer.name} (${customer.id})` }] : []),
    { label: 'Method', value: method },
    { label: 'Reference', value: payment.id },
    { label: 'Date', value: `${date} UTC` },
  ];
  const heading = HEADINGS[kind];
  const subject =
    audience === 'payer'
      ? `${heading}: ${total} to ${merchantName}`
      : `${heading}: ${total} from ${customer.name} (${payment.id})`;
  return {
    brand: merchantName,
    subject,
    heading,
    intro: intro(input, total, method),
    lines,
    totals,
    facts,
    footer:
      audience === 'payer'
        ? `Questions about this payment? Reply to this email and quote the reference ${payment.id}.`
        : `Sent by Settle for ${merchantName}. The payment's full history is in the merchant API: GET /v1/payments/${payment.id}.`,
  };
}
