import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Deps } from '../deps.js';
import type { CaughtMail } from '../mail/catcher.js';

/**
 * The demo mailbox's pages: PAGE_CSP's strictness, plus frames from this origin for the
 * message's HTML part.
 */
export const MAILBOX_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * One message's HTML part, as a mail client shows it: inline styles allowed (mail needs them),
 * nothing else: no script (the sandbox), no remote images, no forms, framed by this origin only.
 */
export const MAIL_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<header class="site">
  <a class="brand" href="/demo/mail">Demo mailbox</a>
  <span class="tag">What Settle sent · <span class="badge">test mode</span></span>
</header>
<main class="mailbox">
${body}
</main>
</body>
</html>`;
}

function listPage(messages: readonly CaughtMail[], port: number) {
  return page(
    'Demo mailbox',
    html`<h1>Demo mailbox</h1>
<p class="lede">Every email Settle sends in the test-mode demo goes to a local SMTP server (smtp://127.0.0.1:${port}) and shows up here: pay on <a href="/demo">the demo page</a>, then reload. The newest 200 are kept, in memory.</p>
${
  messages.length === 0
    ? html`<p class="notice">No mail yet. A card payment sends one at once; a bank payment sends one when it starts and one when it settles.</p>`
    : html`<table class="mail-list">
<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
<tbody>${messages.map(
        (m) =>
          html`<tr><td>${m.receivedAt.replace('T', ' ').slice(0, 19)} UTC</td><td>${m.to}</td><td><a href="/demo/mail/${m.seq}">${m.subject || '(no subject)'}</a></td></tr>`,
      )}</tbody>
</table>`
}`,
  );
}

function messagePage(m: CaughtMail) {
  return page(
    m.subject || 'Message',
    html`<p><a href="/demo/mail">← All mail</a></p>
<h1>${m.subject || '(no subject)'}</h1>
<dl class="mail-headers">
  <dt>From</dt><dd>${m.from}</dd>
  <dt>To</dt><dd>${m.to}</dd>
  <dt>Received</dt><dd>${m.receivedAt}</dd>
  <dt>Message-ID</dt><dd><code>${m.messageId ?? ''}</code></dd>
</dl>
${
  m.html
    ? html`<h2>HTML part</h2>
<iframe class="mail-html" title="The HTML part of the message" sandbox src="/demo/mail/${m.seq}/html"></iframe>`
    : ''
}
<h2>Text part</h2>
<pre class="mail-text">${m.text}</pre>
<p><a href="/demo/mail/${m.seq}/raw">Source (.eml)</a></p>`,
  );
}

/** /demo/mail: the demo catcher's messages. Test mode with the catcher only; 404 otherwise. */
export function mailboxRoutes(deps: Deps) {
  const app = new Hono();
  const catcher = () => (deps.config.mode === 'test' ? (deps.mail?.catcher ?? null) : null);
  const message = (seq: string) => {
    const n = Number(seq);
    return Number.isSafeInteger(n) ? catcher()?.get(n) : undefined;
  };

  app.get('/demo/mail', (c) => {
    const box = catcher();
    if (!box) return c.notFound();
    c.header('Content-Security-Policy', MAILBOX_CSP);
    c.header('Cache-Control', 'no-store');
    return c.html(listPage(box.list(), box.port));
  });
  app.get('/demo/mail/:seq{[0-9]+}', (c) => {
    const m = message(c.req.param('seq'));
    if (!m) return c.notFound();
    c.header('Content-Security-Policy', MAILBOX_CSP);
    c.header('Cache-Control', 'no-store');
    return c.html(messagePage(m));
  });
  app.get('/demo/mail/:seq{[0-9]+}/html', (c) => {
    const m = message(c.req.param('seq'));
    if (!m?.html) return c.notFound();
    c.header('Content-Security-Policy', MAIL_HTML_CSP);
    c.header('Cache-Control', 'no-store');
    return c.html(m.html);
  });
  app.get('/demo/mail/:seq{[0-9]+}/raw', (c) => {
    const m = message(c.req.param('seq'));
    if (!m) return c.notFound();
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="settle-mail-${m.seq}.eml"`);
    return c.body(m.raw, 200, { 'Content-Type': 'message/rfc822' });
  });
  return app;
}
