import { getConnInfo } from '@hono/node-server/conninfo';
import { IN_FLIGHT_STATUSES, type Payment, routes } from '@settle/schema';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../deps.js';
import { receiptUrl } from '../documents/links.js';
import { notFound, validationError } from '../errors.js';
import { SandboxTokenError } from '../processors/sandbox.js';
import { loadPayment } from '../services/payment-view.js';
import { createPayment, quote, reconcile } from '../services/payments.js';
import { sessionView } from '../services/sessions.js';
import { recordInvoicesViewed, recordSessionOpened } from '../services/signals.js';
import { clientTokenAuth, type Env } from './auth.js';
import { idempotencyKey, idParam, jsonBody } from './validate.js';

/** A payment stream ends once nothing more is expected soon; clients reconnect for later changes. */
function settled(p: Payment): boolean {
  if (IN_FLIGHT_STATUSES.includes(p.status)) return false;
  return !(p.erpStatus === 'pending' || p.erpStatus === 'reversal_pending');
}

const STREAM_POLL_MS = 500;
/** How often a stream asks the processor about a payment waiting on the payer or the bank. */
const STREAM_RECONCILE_MS = 5_000;
const STREAM_MAX_MS = 5 * 60 * 1000;

/** The browser's API, scoped by a session's client token to one customer. */
export function sessionRoutes(deps: Deps) {
  const app = new Hono<Env>();
  app.use('/v1/session', clientTokenAuth(deps));
  app.use('/v1/session/*', clientTokenAuth(deps));
  app.use('/v1/sandbox/*', clientTokenAuth(deps));

  app.get(routes.getSession.path, async (c) => {
    const view = await sessionView(deps, c.get('session'));
    await bestEffort(deps, 'session_opened', () => recordSessionOpened(deps, c.get('session')));
    return c.json(view);
  });

  app.post(routes.quote.path, async (c) => {
    const body = await jsonBody(c, routes.quote.body);
    const priced = await quote(deps, c.get('session'), body);
    await bestEffort(deps, 'invoice_viewed', () =>
      recordInvoicesViewed(
        deps.db,
        c.get('session'),
        priced.lines.map((l) => l.invoiceId),
      ),
    );
    return c.json(priced);
  });

  app.post(routes.createPayment.path, async (c) => {
    const key = idempotencyKey(c);
    const body = await jsonBody(c, routes.createPayment.body);
    // Who accepted an ACH mandate (Stripe records the payer's IP address and browser).
    const payer = { ipAddress: clientIp(c, deps.config.trustProxy), userAgent: c.req.header('user-agent') ?? null };
    const created = await createPayment(deps, c.get('session'), body, key, payer);
    return c.json(await withReceipt(created, c.get('session')), 201);
  });

  const paymentOf = async (id: string, session: Env['Variables']['session']) => {
    const payment = await loadPayment(deps.db, id, { merchantId: session.merchant.id, customerId: session.customerId });
    if (!payment || payment.sessionId !== session.id) throw notFound(`No payment ${id} in this session`);
    return payment;
  };

  // The receipt's signed download link, once the payment has moved money (documents/links.ts).
  const withReceipt = async <P extends Payment>(payment: P, session: Env['Variables']['session']) => ({
    ...payment,
    receiptUrl: await receiptUrl(deps, session, payment),
  });

  const scopeOf = (session: Env['Variables']['session']) => ({
    merchantId: session.merchant.id,
    customerId: session.customerId,
  });

  app.get(routes.getSessionPayment.path, async (c) => {
    const session = c.get('session');
    const payment = await reconcile(deps, await paymentOf(idParam(c), session), scopeOf(session));
    return c.json(await withReceipt(payment, session));
  });

  // Server-sent events: the payment each time it changes. State lives in the database, so any
  // instance can serve the stream; polling it keeps the server free of in-memory subscribers.
  app.get(routes.watchSessionPayment.path, async (c) => {
    const session = c.get('session');
    let payment = await reconcile(deps, await paymentOf(idParam(c), session), scopeOf(session));
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      let last = '';
      const started = Date.now();
      let reconciled = started;
      while (!aborted) {
        const version = `${payment.updatedAt}:${payment.events.length}`;
        if (version !== last) {
          last = version;
          const data = JSON.stringify(await withReceipt(payment, session));
          await stream.writeSSE({ event: 'payment', id: version, data });
        }
        if (settled(payment) || Date.now() - started > STREAM_MAX_MS) break;
        await stream.sleep(STREAM_POLL_MS);
        const stored = await paymentOf(payment.id, session);
        if (Date.now() - reconciled >= STREAM_RECONCILE_MS) {
          reconciled = Date.now();
          payment = await reconcile(deps, stored, scopeOf(session));
        } else {
          // The client secret stays with the stream while the payment still waits on the payer.
          payment = { ...stored, nextAction: stored.status === 'requires_action' ? payment.nextAction : null };
        }
      }
    });
  });

  app.post(routes.createSandboxToken.path, async (c) => {
    const sandbox = deps.sandbox;
    if (!sandbox) throw notFound('Sandbox tokens exist only with the sandbox processor');
    const body = await jsonBody(c, routes.createSandboxToken.body);
    const session = c.get('session');
    try {
      return c.json(await sandbox.createToken(body, { merchantId: session.merchant.id, sessionId: session.id }), 201);
    } catch (err) {
      if (err instanceof SandboxTokenError) throw validationError(err.issues, 'The payment details');
      throw err;
    }
  });

  return app;
}

/** Signals are for collectors: one that cannot be recorded is logged, and never fails the payer's request. */
async function bestEffort(deps: Deps, kind: string, record: () => Promise<void>): Promise<void> {
  try {
    await record();
  } catch (err) {
    deps.log.warn(`payer signal ${kind} not recorded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The payer's address: the socket's peer, or the first X-Forwarded-For hop when a proxy Settle
 * trusts (SETTLE_TRUST_PROXY) sets it. Anyone can send the header, so it is never read otherwise.
 */
function clientIp(c: Parameters<typeof getConnInfo>[0], trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}
