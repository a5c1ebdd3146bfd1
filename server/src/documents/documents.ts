import type { Context } from 'hono';
import type { Deps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { Merchant } from '../services/merchants.js';
import { loadPayment } from '../services/payment-view.js';
import { fromJson } from '../store/db.js';
import { RECEIPT_STATUSES, receiptPdf } from './receipt-pdf.js';
import { buildStatement } from './statement.js';
import { statementCsv } from './statement-csv.js';
import { statementPdf } from './statement-pdf.js';

/** A rendered document, ready to send. */
export interface Document {
  body: Uint8Array | string;
  contentType: string;
  filename: string;
}

export type StatementFormat = 'pdf' | 'csv';

/** Keeps a file name to characters every browser and OS accept, whatever the ERP's ids hold. */
const safe = (part: string) => part.replace(/[^\w.-]+/g, '_').slice(0, 80);

/** A customer's statement as of now, as a PDF or CSV. */
export async function statementDocument(
  deps: Deps,
  merchant: Pick<Merchant, 'id' | 'name'>,
  customerId: string,
  format: StatementFormat,
): Promise<Document> {
  const statement = await buildStatement(deps, merchant, customerId);
  const filename = `statement-${safe(customerId)}-${statement.date}.${format}`;
  return format === 'pdf'
    ? { body: await statementPdf(statement), contentType: 'application/pdf', filename }
    : // The UTF-8 BOM makes Excel read the file as UTF-8 (names like "Müller" stay intact).
      { body: `\ufeff${statementCsv(statement)}`, contentType: 'text/csv; charset=utf-8; header=present', filename };
}

/**
 * A payment's receipt PDF. `sessionId` narrows it to one session's payments (the widget's links).
 * 404 for a payment the merchant (or session) does not have, 409 for one that moved no money.
 */
export async function receiptDocument(
  deps: Deps,
  merchant: Merchant,
  paymentId: string,
  sessionId?: string,
): Promise<Document> {
  const payment = await loadPayment(deps.db, paymentId, { merchantId: merchant.id });
  if (!payment || (sessionId !== undefined && payment.sessionId !== sessionId)) {
    throw notFound(`No payment ${paymentId}`);
  }
  if (!RECEIPT_STATUSES.includes(payment.status)) {
    throw new ApiError(
      409,
      'no_receipt',
      `Payment ${paymentId} is ${payment.status}: a receipt exists only for a payment that is processing or went through`,
    );
  }
  const customer = await customerOf(deps, payment.customerId, payment.sessionId);
  const body = await receiptPdf({ merchant, customer, payment, reasons: merchant.rules.reasonCodes });
  return { body, contentType: 'application/pdf', filename: `receipt-${safe(payment.id)}.pdf` };
}

/** The customer's name from the ERP, or from the session's snapshot while the ERP is down. */
async function customerOf(deps: Deps, customerId: string, sessionId: string) {
  try {
    const customer = await deps.erp.getCustomer(customerId);
    if (customer) return { id: customer.id, name: customer.name };
  } catch {}
  const row = await deps.db.selectFrom('sessions').select('snapshot').where('id', '=', sessionId).executeTakeFirst();
  const snapshot = row ? fromJson<{ customer?: { name?: string } }>(row.snapshot) : null;
  return { id: customerId, name: snapshot?.customer?.name ?? customerId };
}

/**
 * Sends a document as a download: never cached (it holds a customer's balances, and it changes
 * with every payment), never sniffed as something else.
 */
export function sendDocument(c: Context, doc: Document): Response {
  return c.body(typeof doc.body === 'string' ? doc.body : new Uint8Array(doc.body), 200, {
    'Content-Type': doc.contentType,
    'Content-Disposition': `attachment; filename="${doc.filename}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}
