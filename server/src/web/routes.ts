import { readFile } from 'node:fs/promises';
import { CreateSessionRequestSchema, ErrorCode } from '@settle/schema';
import { type Context, Hono } from 'hono';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { summarizeCustomers } from '../landing.js';
import { DEFAULT_MERCHANT_ID, toMerchant } from '../services/merchants.js';
import { createSession } from '../services/sessions.js';
import { demoPage } from './demo-page.js';
import { mailboxRoutes } from './mail-page.js';
import { payLinkRoutes } from './pay-link.js';
import { payPage } from './pay-page.js';
import { widgetFiles } from './widget-files.js';

/**
 * The policy the demo and the hosted pay page are served with: the strictest a page with the
 * widget can have (DOMAIN.md §5). No inline script or style, no eval, nothing from elsewhere.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The same policy with what Stripe.js needs (docs/going-live.md): its script and frames from
 * js.stripe.com, 3-D Secure frames from hooks.stripe.com, its API calls to api.stripe.com.
 */
export const STRIPE_PAGE_CSP =
  "default-src 'none'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; style-src 'self'; " +
  "connect-src 'self' https://api.stripe.com; frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; " +
  "img-src 'self' data: https://*.stripe.com; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The policy for pages that embed the widget, for the processor this server pays through. */
export const pageCsp = (processor: 'sandbox' | 'stripe') => (processor === 'stripe' ? STRIPE_PAGE_CSP : PAGE_CSP);

const DEMO_CACHE = 'public, max-age=300';
const ASSETS = new URL('./assets/', import.meta.url);
const assetCache = new Map<string, Promise<string>>();
/** A file of ./assets, read once. */
function asset(name: string): Promise<string> {
  let text = assetCache.get(name);
  if (!text) {
    text = readFile(new URL(name, ASSETS), 'utf8');
    assetCache.set(name, text);
  }
  return text;
}

export interface WebOptions {
  /** The widget's dist/ folder (default: packages/widget/dist of this repository). */
  widgetDir?: string;
}

/** settle.js and its pieces, the demo merchant page (test mode only), and the hosted pay page. */
export function webRoutes(deps: Deps, options: WebOptions = {}) {
  const app = new Hono();
  const files = widgetFiles(options.widgetDir);

  app.get('/:file{settle(?:-[a-z0-9-]+)?\\.js(?:\\.map)?}', async (c) => {
    const name = c.req.param('file');
    const file = await files.get(name);
    if (!file) {
      if (name !== 'settle.js') return c.notFound();
      c.header('Cache-Control', 'no-store');
      return c.text('settle.js is not built yet. Run `pnpm --filter @settle/widget build` (pnpm start does).', 503);
    }
    c.header('Content-Type', name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8');
    c.header('Cache-Control', DEMO_CACHE);
    // Merchant pages load settle.js, and settle.js its pieces, with crossorigin="anonymous" for the
    // integrity check: a CORS request. The pieces' `?v=<hash>` query is for caches only.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });

  app.get('/demo.css', async (c) => {
    c.header('Cache-Control', DEMO_CACHE);
    return c.body(await asset('demo.css'), 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/pay.js', async (c) => {
    c.header('Cache-Control', DEMO_CACHE);
    return c.body(await asset('pay.js'), 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  app.get('/pay', async (c) => {
    const script = await files.get('settle.js');
    c.header('Content-Security-Policy', pageCsp(deps.processor.name));
    c.header('Cache-Control', 'no-cache');
    return c.html(payPage(deps.config.merchantName, script?.integrity ?? null));
  });

  app.route('/', payLinkRoutes(deps));
  app.route('/', mailboxRoutes(deps));

  app.get('/demo', async (c) => {
    // Real customers and a session minted without a key: never in live mode.
    if (deps.config.mode !== 'test') return c.notFound();
    const customerId = c.req.query('customer') || 'cus_acme';
    const currency = c.req.query('currency') || null;
    const [script, customers, session] = await Promise.all([
      files.get('settle.js'),
      summarizeCustomers(deps.erp).catch(() => []),
      mintDemoSession(deps, customerId, currency).catch((error: unknown) => {
        if (error instanceof ApiError) return { error: error.message, status: error.status };
        throw error;
      }),
    ]);
    c.header('Content-Security-Policy', pageCsp(deps.processor.name));
    // The page holds a client token.
    c.header('Cache-Control', 'no-store');
    const page = demoPage({
      merchantName: deps.config.merchantName,
      customers,
      selected: { customerId, currency },
      session:
        'error' in session
          ? { error: session.error }
          : { clientToken: session.clientToken, apiUrl: apiUrl(c, deps.config.publicUrl), payUrl: session.url },
      integrity: script?.integrity ?? null,
    });
    return c.html(page, 'error' in session ? session.status : 200);
  });

  return app;
}

/** What the merchant's backend does for its signed-in customer: POST /v1/sessions. */
async function mintDemoSession(deps: Deps, customerId: string, currency: string | null) {
  const request = CreateSessionRequestSchema.safeParse({ customerId, ...(currency ? { currency } : {}) });
  if (!request.success)
    throw new ApiError(400, ErrorCode.validation, `There is no customer ${customerId} in ${currency}`);
  const row = await deps.db
    .selectFrom('merchants')
    .selectAll()
    .where('id', '=', DEFAULT_MERCHANT_ID)
    .executeTakeFirst();
  if (!row) throw new Error('The demo merchant is missing');
  return createSession(deps, toMerchant(row), request.data);
}

/**
 * The API origin for the element: the configured public URL when the page was reached through
 * it, else the origin the browser used, so the widget's calls stay same-origin (connect-src 'self').
 */
function apiUrl(c: Context, publicUrl: string): string {
  const requested = new URL(c.req.url);
  return new URL(publicUrl).host === requested.host ? publicUrl : requested.origin;
}
