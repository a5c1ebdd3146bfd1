import { Hono } from 'hono';
import type { Deps } from '../deps.js';
import { receiptDocument, sendDocument, statementDocument } from '../documents/documents.js';
import { RECEIPT_PURPOSE, type ReceiptClaims, STATEMENT_PURPOSE, type StatementClaims } from '../documents/links.js';
import { ApiError, notFound } from '../errors.js';
import { toMerchant } from '../services/merchants.js';
import { verifyToken } from '../services/signing.js';

const FILES = {
  'statement.pdf': STATEMENT_PURPOSE,
  'statement.csv': STATEMENT_PURPOSE,
  'receipt.pdf': RECEIPT_PURPOSE,
} as const;

/**
 * The widget's document downloads: plain links with a signed token in the path instead of a bearer
 * header (documents/links.ts). Mounted before the merchant API, whose key check never sees them.
 */
export function documentRoutes(deps: Deps) {
  const app = new Hono();

  app.get('/v1/documents/:token/:file', async (c) => {
    const file = c.req.param('file');
    const purpose = FILES[file as keyof typeof FILES];
    if (!purpose) throw notFound(`No document ${file}: use statement.pdf, statement.csv or receipt.pdf`);
    const verified = await verifyToken<ReceiptClaims>(deps.db, c.req.param('token'), purpose);
    if (!verified.ok) {
      if (verified.reason === 'expired') {
        throw new ApiError(
          410,
          'link_expired',
          'This download link has expired. Open the payment page again for a new one.',
        );
      }
      throw new ApiError(
        403,
        'link_invalid',
        'This download link is not valid. Open the payment page again for a new one.',
      );
    }
    const claims: StatementClaims = verified.claims;
    const row = await deps.db
      .selectFrom('sessions')
      .innerJoin('merchants', 'merchants.id', 'sessions.merchant_id')
      .select([
        'sessions.customer_id',
        'merchants.id',
        'merchants.name',
        'merchants.mode',
        'merchants.rules',
        'merchants.return_url',
      ])
      .where('sessions.id', '=', String(claims.s))
      .where('sessions.merchant_id', '=', verified.merchantId)
      .executeTakeFirst();
    if (!row)
      throw new ApiError(
        403,
        'link_invalid',
        'This download link is not valid. Open the payment page again for a new one.',
      );
    const merchant = toMerchant(row);
    if (purpose === RECEIPT_PURPOSE) {
      return sendDocument(c, await receiptDocument(deps, merchant, String(verified.claims.pay), String(claims.s)));
    }
    return sendDocument(
      c,
      await statementDocument(deps, merchant, row.customer_id, file === 'statement.csv' ? 'csv' : 'pdf'),
    );
  });

  return app;
}
