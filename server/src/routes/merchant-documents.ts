import { routes } from '@settle/schema';
import type { Hono } from 'hono';
import type { Deps } from '../deps.js';
import { receiptDocument, sendDocument, statementDocument } from '../documents/documents.js';
import type { Env } from './auth.js';
import { idParam } from './validate.js';

/** The merchant API's downloads: a payment's receipt, a customer's statement as PDF or CSV. */
export function addDocumentRoutes(app: Hono<Env>, deps: Deps) {
  app.get(routes.getReceiptPdf.path, async (c) =>
    sendDocument(c, await receiptDocument(deps, c.get('merchant'), idParam(c))),
  );
  app.get(routes.getStatementPdf.path, async (c) =>
    sendDocument(c, await statementDocument(deps, c.get('merchant'), idParam(c), 'pdf')),
  );
  app.get(routes.getStatementCsv.path, async (c) =>
    sendDocument(c, await statementDocument(deps, c.get('merchant'), idParam(c), 'csv')),
  );
}
