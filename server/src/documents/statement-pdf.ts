import { AGING_BUCKETS, AGING_LABELS } from './aging.js';
import { statusLabel } from './method.js';
import {
  contentWidth,
  displayDate,
  ensureRoom,
  heading,
  INK,
  letterhead,
  MUTED,
  money,
  type Pdf,
  renderPdf,
  table,
} from './pdf.js';
import type { Statement, StatementSection } from './statement.js';

/**
 * The statement PDF: per currency the open invoices and credits with their aging, totals and the
 * aging buckets, then Settle's recent payments and a note on those still on their way.
 */
export function statementPdf(statement: Statement): Promise<Buffer> {
  const { customer } = statement;
  return renderPdf(
    { title: `Statement for ${customer.name}, ${displayDate(statement.date)}`, author: statement.merchant.name },
    (doc) => {
      letterhead(doc, statement.merchant.name, 'Statement of account', [
        `Statement date: ${displayDate(statement.date)}`,
      ]);
      doc.font('Helvetica').fontSize(9).fillColor(MUTED).text('Statement for');
      doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(customer.name);
      doc.font('Helvetica').fontSize(9).text(`Customer ID: ${customer.id}`);
      if (customer.email) doc.text(customer.email);

      if (statement.sections.length === 0) {
        heading(doc, 'Open items');
        doc.fontSize(9).text('Nothing is open: thank you.');
      }
      for (const section of statement.sections) renderSection(doc, section, statement.sections.length > 1);
      renderPayments(doc, statement);
    },
  );
}

function renderSection(doc: Pdf, s: StatementSection, named: boolean) {
  const m = (amount: number) => money(amount, s.currency);
  heading(doc, named ? `Open items in ${s.currency}` : 'Open items');
  const columns = [
    { label: 'Document', width: 0.2 },
    { label: 'Issued', width: 0.14 },
    { label: 'Due', width: 0.14 },
    { label: 'Days late', width: 0.12, align: 'right' as const },
    { label: 'Amount', width: 0.2, align: 'right' as const },
    { label: 'Open', width: 0.2, align: 'right' as const },
  ];
  table(doc, columns, [
    ...s.invoices.map((i) => ({
      cells: [
        `Invoice ${i.number}`,
        displayDate(i.issueDate),
        displayDate(i.dueDate),
        i.daysOverdue > 0 ? String(i.daysOverdue) : '–',
        m(i.amount),
        m(i.openAmount),
      ],
      note: i.reference ? `PO: ${i.reference}` : null,
    })),
    ...s.credits.map((c) => ({
      cells: [`Credit ${c.number}`, displayDate(c.issueDate), '', '', m(c.amount), m(c.openAmount)],
      note: c.reference,
    })),
    { cells: ['Open invoices', '', '', '', '', m(s.invoiceTotal)], rule: true },
    { cells: ['Open credits', '', '', '', '', m(s.creditTotal)] },
    { cells: [`Balance due (${s.currency})`, '', '', '', '', m(s.balance)], bold: true, rule: true },
  ]);
  ensureRoom(doc, 60);
  doc.moveDown(0.8);
  const share = 1 / (AGING_BUCKETS.length + 1);
  table(
    doc,
    [
      ...AGING_BUCKETS.map((b) => ({ label: AGING_LABELS[b], width: share, align: 'right' as const })),
      {
        label: 'Total',
        width: share,
        align: 'right' as const,
      },
    ],
    [{ cells: [...AGING_BUCKETS.map((b) => m(s.aging[b])), m(s.balance)], bold: true }],
  );
  if (s.credits.length > 0) {
    doc.font('Helvetica').fontSize(7.5).fillColor(MUTED).text('Days past due; credits are aged from their issue date.');
    doc.fillColor(INK);
  }
}

function renderPayments(doc: Pdf, statement: Statement) {
  heading(doc, `Payments since ${displayDate(statement.paymentsSince)}`);
  if (statement.payments.length === 0) {
    doc.fontSize(9).text('No payments made through this portal in that time.');
  } else {
    table(
      doc,
      [
        { label: 'Date', width: 0.13 },
        { label: 'Reference', width: 0.3 },
        { label: 'Posted as', width: 0.15 },
        { label: 'Method', width: 0.16 },
        { label: 'Amount', width: 0.13, align: 'right' },
        { label: 'Status', width: 0.13, align: 'right' },
      ],
      statement.payments.map((p) => ({
        cells: [
          displayDate(p.date),
          p.id,
          p.erpReference ?? '–',
          p.method,
          money(p.amount, p.currency),
          statusLabel(p.status),
        ],
      })),
    );
  }
  if (statement.inFlight.length > 0) {
    const totals = statement.inFlight.map((t) => money(t.amount, t.currency)).join(' and ');
    const count = statement.inFlight.reduce((n, t) => n + t.count, 0);
    ensureRoom(doc, 40);
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(9).text('Payments on their way', doc.page.margins.left);
    doc
      .font('Helvetica')
      .text(
        `${count === 1 ? 'One payment' : `${count} payments`} (${totals}) ${count === 1 ? 'is' : 'are'} still processing or not yet recorded against your invoices; the open items above do not reflect ${count === 1 ? 'it' : 'them'} yet.`,
        { width: contentWidth(doc) },
      );
  }
}
