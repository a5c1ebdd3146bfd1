import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSettleHttpError, type MerchantClient } from '@settle/client';
import { readStatic, renderScriptTagPage, STATIC_FILES } from './page.js';

export interface MerchantAppOptions {
  settle: MerchantClient;
  /** Settle's base URL as the browser reaches it. */
  settleUrl: string;
  /** settle.js's Subresource Integrity value. */
  integrity: string;
  /** Who is signed in. A real backend reads this from its own login session. */
  customerId: () => string;
}

/**
 * The merchant's backend: `GET /` is the script-tag page with a fresh session's client token in
 * it, `POST /session` gives the single-page apps `{ clientToken, apiUrl }`. The secret key stays here.
 */
export function createMerchantApp(options: MerchantAppOptions) {
  const { settle, settleUrl, integrity } = options;
  // One session per page view: a client token sees this one customer's items and expires in an hour.
  const mintSession = () => settle.createSession({ customerId: options.customerId() });

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (req.method === 'GET' && path === '/') {
        const { clientToken } = await mintSession();
        const page = await renderScriptTagPage({ settleUrl, integrity, clientToken });
        // The page holds a client token: never cached.
        return send(res, 200, 'text/html; charset=utf-8', page, { 'Cache-Control': 'no-store' });
      }
      if (req.method === 'POST' && path === '/session') {
        const { clientToken } = await mintSession();
        const body = JSON.stringify({ clientToken, apiUrl: settleUrl });
        return send(res, 200, 'application/json', body, { 'Cache-Control': 'no-store' });
      }
      const type = STATIC_FILES[path];
      if (req.method === 'GET' && type) return send(res, 200, type, await readStatic(path));
      return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    } catch (error) {
      // Settle's error message is for the merchant's developers (a wrong key, an unknown customer).
      console.error(isSettleHttpError(error) ? `Settle answered ${error.status}: ${error.message}` : error);
      return send(res, 502, 'text/plain; charset=utf-8', 'Could not start a payment session. See the server log.');
    }
  };
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}
