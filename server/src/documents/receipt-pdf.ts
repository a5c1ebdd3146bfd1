import { formatBps, type Payment, type ReasonCode } from '@settle/schema';
import { methodSummary, statusLabel } from './method.js';
import { displayDate, facts, heading, INK, letterhead, MUTED, money, renderPdf, table } from './pdf.js';

export interface ReceiptInput {
  merchant: { name: string };
  customer: { id: string; name: string };
  payment: Payment;
  /** The merchant's reason codes, to name a short payment's reason. */
  reasons: readonly ReasonCode[];
}

/** Statuses a receipt can be issued for: money moved or is moving. */
export const RECEIPT_STATUSES: readonly Payment['status'][] = [
  'processing',
  'succeeded',
  'reversed',
  'refunded',
  'disputed',
];

/**
 * The receipt PDF, with what the widget's receipt shows: each invoice paid (and what a short payment
 * left and why), the credits used, the surcharge, the total, the method, the reference, the status.
 * A processing payment says so at the top instead of calling itself paid.
 */
export function receiptPdf({ merchant, customer, payment, reasons }: ReceiptInput): Promise<Buffer> {
  const m = (amount: number) => money(amount, payment.currency);
  const reason = (code: string | null) => reasons.find((r) => r.code === code)?.label ?? code ?? 'no reason given';
  const pending = payment.status === 'processing';
  return renderPdf({ title: `Receipt ${payment.id}`, author: merchant.name }, (doc) => {
    letterhead(doc, merchant.name, pending ? 'Payment confirmation' : 'Payment receipt', [
      `Date: ${displayDate(payment.createdAt)}`,
      `Reference: ${payment.id}`,
    ]);
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text('Received from');
    doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(customer.name);
    doc.font('Helvetica').fontSize(9).text(`Customer ID: ${customer.id}`);
    doc.moveDown(0.8).fontSize(10);
    doc.text(
      pending
        ? `Your payment of ${m(payment.amount)} is processing. Bank payments take a few business days to clear; this confirmation is not yet a receipt of funds.`
        : payment.status === 'succeeded'
          ? `Thank you: we received your payment of ${m(payment.amount)}.`
          : `This payment of ${m(payment.amount)} is now ${statusLabel(payment.status).toLowerCase()}.`,
    );

    heading(doc, 'What this payment covers');
    const columns = [
      { label: 'Item', width: 0.5 },
      { label: 'Balance', width: 0.25, align: 'right' as const },
      { label: 'Amount', width: 0.25, align: 'right' as const },
    ];
    table(doc, columns, [
      ...payment.lines.map((line) => ({
        cells: [`Invoice ${line.invoiceNumber}`, m(line.payableAmount), m(line.amount)],
        note:
          line.shortAmount > 0
            ? `Short-paid ${m(line.shortAmount)}: ${reason(line.reasonCode)}${line.note ? ` (${line.note})` : ''}`
            : null,
      })),
      ...(payment.onAccountAmount > 0 ? [{ cells: ['Left on account', '', m(payment.onAccountAmount)] }] : []),
      ...payment.credits.map((credit) => ({ cells: [`Credit ${credit.creditNumber} applied`, '', m(-credit.amount)] })),
      { cells: ['Subtotal', '', m(payment.subtotal)], rule: true },
      ...(payment.surcharge.amount > 0
        ? [
            {
              cells: [
                `Credit card surcharge (${formatBps(payment.surcharge.rateBps)})`,
                '',
                m(payment.surcharge.amount),
              ],
            },
          ]
        : []),
      { cells: [pending ? 'Total' : 'Total paid', '', m(payment.amount)], bold: true, rule: true },
    ]);

    heading(doc, 'Payment details');
    facts(doc, [
      ['Paid with', methodSummary(payment)],
      ['Reference', payment.id],
      ...(payment.erpReference ? [['Merchant reference', payment.erpReference] as [string, string]] : []),
      ['Status', statusLabel(payment.status)],
      ['Date', displayDate(payment.createdAt)],
      ['Merchant', merchant.name],
    ]);
  });
}
