import { ErrorCode } from '@settle/schema';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.js';
import { ApiError, errorHandler } from './errors.js';
import { landingPage, summarizeCustomers } from './landing.js';
import { StripeProcessor } from './processors/stripe.js';
import { documentRoutes } from './routes/documents.js';
import { merchantRoutes } from './routes/merchant.js';
import { sessionRoutes } from './routes/session.js';
import { stripeWebhookRoutes } from './routes/stripe-webhook.js';
import { webRoutes } from './web/routes.js';

/** Large enough for 10,000 allocations; anything bigger is refused before it is read. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function createApp(deps: Deps) {
  const app = new Hono();
  const allowed = new Set([new URL(deps.config.publicUrl).origin, ...deps.config.allowedOrigins]);

  app.use('*', secureHeaders({ crossOriginResourcePolicy: false }));
  // gzip for clients that ask (a 10,000-invoice session is 2.2 MB of JSON, about a tenth of it
  // compressed). Event streams are left alone: hono's filter skips text/event-stream, and a
  // compressor would hold each event back until its buffer filled.
  app.use('*', compress());
  // Only the browser-facing routes answer cross-origin requests, and only from configured origins.
  const browserCors = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  });
  app.use('/v1/session', browserCors);
  app.use('/v1/session/*', browserCors);
  app.use('/v1/sandbox/*', browserCors);
  // After CORS, so a refused body still carries the headers the browser needs to read the error.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        // The unread rest of the body makes Node close the socket after answering; saying so
        // up front stops keep-alive clients from sending their next request into it.
        c.header('Connection', 'close');
        throw new ApiError(
          413,
          ErrorCode.payloadTooLarge,
          `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`,
        );
      },
    }),
  );

  app.get('/health', (c) =>
    c.json({ ok: true, mode: deps.config.mode, erp: deps.erp.name, processor: deps.processor.name }),
  );
  app.get('/', async (c) => {
    // Customer names and balances are the merchant's business: shown only for the test-mode demo.
    const customers = deps.config.mode === 'test' ? await summarizeCustomers(deps.erp).catch(() => null) : null;
    return c.html(landingPage(deps.config, customers));
  });
  // Before the API routes: the merchant API's key check covers every path that reaches it.
  app.route('/', webRoutes(deps));
  app.route('/', sessionRoutes(deps));
  // Signed download links for the widget: their token is in the path, not a secret key.
  app.route('/', documentRoutes(deps));
  // Signed by Stripe, not by a Settle key: its own route, before the merchant API's key check.
  if (deps.processor instanceof StripeProcessor) app.route('/', stripeWebhookRoutes(deps, deps.processor));
  app.route('/', merchantRoutes(deps));

  app.notFound((c) => c.json({ code: ErrorCode.notFound, message: `No route ${c.req.method} ${c.req.path}` }, 404));
  app.onError(errorHandler(deps.log));
  return app;
}
