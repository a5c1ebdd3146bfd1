import { type Currency, formatMoney } from '@settle/schema';
import PDFDocument from 'pdfkit';

/**
 * The drawing kit every Settle PDF shares: pdfkit with its built-in Helvetica (a PDF standard font:
 * no font file to ship, nothing read from the system, and every viewer has it), one page size,
 * one money and date format, and a table that breaks across pages with its header repeated.
 * Standard fonts cover Western European text (WinAnsi); other scripts would need an embedded font.
 */
export type Pdf = PDFKit.PDFDocument;

export const INK = '#1f2328';
export const MUTED = '#59636e';
export const RULE = '#d1d9e0';
const MARGIN = 50;

/** Renders a document and resolves to its bytes. */
export function renderPdf(meta: { title: string; author: string }, draw: (doc: Pdf) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: meta.title, Author: meta.author, Creator: 'Settle' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica').fillColor(INK);
  draw(doc);
  footer(doc, meta.title);
  doc.end();
  return done;
}

/** "Page 1 of 2" on every page, drawn once all pages exist. */
function footer(doc: Pdf, title: string) {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN + 16;
    // Writing below the bottom margin would make pdfkit add a page: lift the margin for the footer.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(8).fillColor(MUTED);
    doc.text(title, MARGIN, y, { width: contentWidth(doc) / 2, lineBreak: false });
    doc.text(`Page ${i - start + 1} of ${count}`, MARGIN + contentWidth(doc) / 2, y, {
      width: contentWidth(doc) / 2,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor(INK);
}

export const contentWidth = (doc: Pdf) => doc.page.width - doc.page.margins.left - doc.page.margins.right;

/** Money for a document: en-US, exact from minor units ("$4,825.50", "-€350.00"). */
export const money = (amount: number, currency: Currency) => formatMoney(amount, currency, 'en-US');

/** "Nov 22, 2026" from a date (YYYY-MM-DD) or an instant; calendar dates stay on their day. */
export function displayDate(value: string): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(instant));
}

/** The letterhead both documents open with: the merchant on the left, what this is on the right. */
export function letterhead(doc: Pdf, merchant: string, title: string, lines: string[]) {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const top = doc.y;
  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .text(merchant, left, top, { width: width * 0.6 });
  const below = doc.y;
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(title, left + width * 0.6, top + 3, { width: width * 0.4, align: 'right' });
  doc.font('Helvetica').fontSize(9).fillColor(MUTED);
  for (const l of lines) doc.text(l, left + width * 0.6, doc.y + 1, { width: width * 0.4, align: 'right' });
  doc.fillColor(INK);
  doc.y = Math.max(below, doc.y) + 14;
  doc.x = left;
}

export function heading(doc: Pdf, text: string, size = 12) {
  ensureRoom(doc, size * 4);
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(size).fillColor(INK).text(text, doc.page.margins.left);
  doc.moveDown(0.3).font('Helvetica');
}

/** Starts a new page when fewer than `height` points are left on this one. */
export function ensureRoom(doc: Pdf, height: number) {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

export interface Column {
  label: string;
  /** A share of the content width; the shares of a table add up to 1. */
  width: number;
  align?: 'left' | 'right';
}

export interface Row {
  cells: string[];
  bold?: boolean;
  /** A line above the row (totals). */
  rule?: boolean;
  /** A smaller muted second line under the first cell (a short-pay reason, a memo). */
  note?: string | null;
}

const ROW_GAP = 4;

/** A table of single-line cells; long text is cut with an ellipsis rather than wrapped into its neighbour. */
export function table(doc: Pdf, columns: Column[], rows: Row[]) {
  const left = doc.page.margins.left;
  const total = contentWidth(doc);
  const xs = columns.map((_, i) => left + total * columns.slice(0, i).reduce((a, c) => a + c.width, 0));
  const cell = (text: string, i: number, y: number, width = total * (columns[i] as Column).width - 4) => {
    doc.text(fit(doc, text, width), (xs[i] as number) + (i === 0 ? 0 : 4), y, {
      width,
      align: (columns[i] as Column).align ?? 'left',
      lineBreak: false,
    });
  };
  const header = () => {
    doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
    const y = doc.y;
    columns.forEach((c, i) => {
      cell(c.label.toUpperCase(), i, y);
    });
    doc.y = y + 12;
    line(doc, doc.y - 2);
    doc.fillColor(INK);
  };
  header();
  for (const row of rows) {
    const height = 12 + (row.note ? 10 : 0) + ROW_GAP;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      header();
    }
    if (row.rule) line(doc, doc.y - 1);
    const y = doc.y + 2;
    doc
      .font(row.bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor(INK);
    row.cells.forEach((text, i) => {
      cell(text, i, y);
    });
    if (row.note) {
      doc.font('Helvetica').fontSize(7.5).fillColor(MUTED);
      // The line under the row is the note's alone: it may run on under the next columns.
      cell(row.note, 0, y + 11, total * 0.6);
      doc.fillColor(INK);
    }
    doc.y = y + height - 2;
  }
  doc.x = left;
}

/** `text` cut to fit `width` at the current font, ending in "…" when cut: a cell never wraps into the next row. */
function fit(doc: Pdf, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let end = text.length;
  while (end > 0 && doc.widthOfString(`${text.slice(0, end)}…`) > width) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}

function line(doc: Pdf, y: number) {
  doc
    .moveTo(doc.page.margins.left, y)
    .lineTo(doc.page.width - doc.page.margins.right, y)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();
}

/** Label and value pairs in two columns, e.g. the receipt's method, reference and status. */
export function facts(doc: Pdf, pairs: Array<[string, string]>) {
  const left = doc.page.margins.left;
  for (const [label, value] of pairs) {
    ensureRoom(doc, 14);
    const y = doc.y;
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(label, left, y, { width: 110, lineBreak: false });
    doc.fillColor(INK).text(value, left + 110, y, { width: contentWidth(doc) - 110 });
    doc.y = Math.max(doc.y, y + 13);
  }
  doc.x = left;
}
