import { toDecimalString } from '@settle/schema';
import { stringify } from 'csv-stringify/sync';
import type { Statement } from './statement.js';

/** The CSV's columns, in order (docs/statements.md describes each). */
export const STATEMENT_CSV_COLUMNS = [
  'statement_date',
  'customer_id',
  'type',
  'number',
  'issue_date',
  'due_date',
  'days_overdue',
  'aging_bucket',
  'currency',
  'amount',
  'open_amount',
  'status',
  'reference',
] as const;

/** Starts with a tab, CR or LF, or its first non-whitespace character starts a formula. */
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@|\uFF1D\uFF0B\uFF0D\uFF20])/u;

/**
 * A spreadsheet opens a cell that starts with = + - @ (or a tab, carriage return or line feed) as a
 * formula, and ERP text (memos, PO numbers, names) is typed by people: such a cell gets a leading
 * apostrophe (OWASP's CSV injection advice). Spreadsheets also skip leading spaces, and read | (DDE)
 * and the full-width ＝ ＋ － ＠ the same way, so those count too. Amounts are Settle's own and stay
 * plain numbers.
 */
export function inertText(value: string | null): string {
  if (value === null) return '';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The statement as RFC 4180 CSV (CRLF, quoted where needed): one row per open invoice and credit,
 * then one per recent payment. Amounts are decimal strings made from minor units; credits are
 * negative; a payment row has no open amount or bucket. Summing `open_amount` per currency gives
 * the statement's balance.
 */
export function statementCsv(statement: Statement): string {
  const base = { statement_date: statement.date, customer_id: inertText(statement.customer.id) };
  const items = statement.sections.flatMap((s) =>
    [...s.invoices, ...s.credits].map((i) => ({
      ...base,
      type: i.type,
      number: inertText(i.number),
      issue_date: i.issueDate,
      due_date: i.type === 'invoice' ? i.dueDate : '',
      days_overdue: i.type === 'invoice' ? String(i.daysOverdue) : '',
      aging_bucket: i.bucket,
      currency: i.currency,
      amount: toDecimalString(i.amount, i.currency),
      open_amount: toDecimalString(i.openAmount, i.currency),
      status: 'open',
      reference: inertText(i.reference),
    })),
  );
  const payments = statement.payments.map((p) => ({
    ...base,
    type: 'payment',
    number: p.id,
    issue_date: p.date,
    due_date: '',
    days_overdue: '',
    aging_bucket: '',
    currency: p.currency,
    amount: toDecimalString(p.amount, p.currency),
    open_amount: '',
    status: p.status,
    reference: inertText([p.method, p.erpReference].filter(Boolean).join(' / ')),
  }));
  return stringify([...items, ...payments], {
    header: true,
    columns: [...STATEMENT_CSV_COLUMNS],
    record_delimiter: '\r\n',
  });
}
