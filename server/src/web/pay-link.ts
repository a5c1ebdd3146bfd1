import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { openPayLink } from '../services/pay-links.js';
import { hostedPage } from './pay-page.js';

/** The hosted pages' policy (routes.ts PAGE_CSP) without scripts or connections: these pages have none. */
const NOTICE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Notice {
  status: 200 | 400 | 404 | 410 | 503;
  title: string;
  text: string;
}

/**
 * `GET /l/<token>`: a pay link from an email. A good link mints a session and sends the browser on
 * to the hosted page with the session's client token in the URL fragment (303 to `/pay#token=…`),
 * which browsers never send to a server, so the token reaches no log. A bad one gets a page that
 * says what happened and what to do. Nothing here may be cached or leak the link as a referrer.
 */
export function payLinkRoutes(deps: Deps) {
  const app = new Hono();
  app.get('/l/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Content-Security-Policy', NOTICE_CSP);
    let notice: Notice;
    let who = deps.config.merchantName;
    try {
      const opened = await openPayLink(deps, c.req.param('token'));
      if (opened.kind === 'session') return c.redirect(opened.url, 303);
      who = opened.merchantName ?? who;
      notice = NOTICES[opened.kind](who);
    } catch (err) {
      // The ERP is down, or the link's customer is gone from it: say so on a page, never a 500.
      if (!(err instanceof ApiError)) throw err;
      deps.log.warn(`pay link refused: ${err.message}`);
      notice = err.status === 404 ? NOTICES.invalid(who) : NOTICES.unavailable();
    }
    return c.html(noticePage(who, notice), notice.status);
  });
  return app;
}

const NOTICES = {
  invalid: (merchant: string): Notice => ({
    status: 404,
    title: 'This payment link is not valid',
    text: `Check that you opened the whole link from your email, or ask ${merchant} for a new one.`,
  }),
  expired: (merchant: string): Notice => ({
    status: 410,
    title: 'This payment link has expired',
    text: `Payment links work for a limited time. Please ask ${merchant} for a new one.`,
  }),
  revoked: (merchant: string): Notice => ({
    status: 410,
    title: 'This payment link was withdrawn',
    text: `${merchant} no longer accepts payments through this link. Please ask ${merchant} for a new one.`,
  }),
  nothing_left: (merchant: string): Notice => ({
    status: 200,
    title: 'Nothing is left to pay',
    text: `The invoices this link was sent for are paid. Thank you! Questions about your account? Contact ${merchant}.`,
  }),
  unavailable: (): Notice => ({
    status: 503,
    title: 'The payment page is not available right now',
    text: 'Please try the link again in a few minutes.',
  }),
};

/** The hosted page's look, without the widget: no script at all. */
function noticePage(merchantName: string, notice: Notice) {
  return hostedPage({
    merchantName,
    title: `${notice.title} — ${merchantName}`,
    main: html`<main id="pay">
  <div class="notice" role="${notice.status === 200 ? 'status' : 'alert'}">
    <h1>${notice.title}</h1>
    <p>${notice.text}</p>
  </div>
</main>`,
  });
}
