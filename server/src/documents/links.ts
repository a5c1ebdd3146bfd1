import type { Payment } from '@settle/schema';
import type { Deps } from '../deps.js';
import type { SessionContext } from '../services/sessions.js';
import { signToken } from '../services/signing.js';
import type { Db } from '../store/db.js';

/**
 * Signed download links for the widget. A browser follows a plain link without an Authorization
 * header, so the link itself carries the proof: a token signed for the session (and, for a receipt,
 * the payment) that expires with the session. The claims hold ids only.
 */
export const STATEMENT_PURPOSE = 'statement';
export const RECEIPT_PURPOSE = 'receipt';

export interface StatementClaims extends Record<string, unknown> {
  /** Session id. */
  s: string;
}

export interface ReceiptClaims extends StatementClaims {
  /** Payment id. */
  pay: string;
}

/** The statuses the widget offers a receipt for (the merchant API also serves later ones). */
const RECEIPT_LINK_STATUSES: readonly Payment['status'][] = ['processing', 'succeeded'];

/** The session's statement links, PDF and CSV, one token for both. */
export async function statementLinks(deps: Deps, session: SessionContext) {
  const token = await signToken<StatementClaims>(
    deps.db,
    session.merchant.id,
    STATEMENT_PURPOSE,
    { s: session.id },
    session.expiresAt,
  );
  const base = `${deps.config.publicUrl}/v1/documents/${token}`;
  return { statementPdf: `${base}/statement.pdf`, statementCsv: `${base}/statement.csv` };
}

/** The receipt link of a session's payment, or null while it has moved no money. */
export async function receiptUrl(
  deps: { db: Db; config: { publicUrl: string } },
  session: Pick<SessionContext, 'id' | 'expiresAt' | 'merchant'>,
  payment: Pick<Payment, 'id' | 'status'>,
): Promise<string | null> {
  if (!RECEIPT_LINK_STATUSES.includes(payment.status)) return null;
  const token = await signToken<ReceiptClaims>(
    deps.db,
    session.merchant.id,
    RECEIPT_PURPOSE,
    { s: session.id, pay: payment.id },
    session.expiresAt,
  );
  return `${deps.config.publicUrl}/v1/documents/${token}/receipt.pdf`;
}
