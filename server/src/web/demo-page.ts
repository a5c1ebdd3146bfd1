import { formatMoney } from '@settle/schema';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export interface DemoCustomer {
  id: string;
  name: string;
  region: string | null;
  totals: Array<{ currency: string; open: number; count: number }>;
}

export interface DemoPageInput {
  merchantName: string;
  customers: DemoCustomer[];
  selected: { customerId: string; currency: string | null };
  /** The session minted for the selected customer, or why there is none. */
  session: { clientToken: string; apiUrl: string; payUrl: string } | { error: string };
  /** settle.js's integrity value; null while the widget is not built. */
  integrity: string | null;
}

/**
 * A merchant's "pay your invoices" page as a merchant would build it: its own header and
 * customer account, a session minted by its backend, and the two lines the merchant pastes.
 * Scripts and styles are external files only, so the page runs under the strict CSP it is sent with.
 */
export function demoPage(input: DemoPageInput): HtmlEscapedString | Promise<HtmlEscapedString> {
  const { merchantName, customers, selected, session, integrity } = input;
  const current = customers.find((c) => c.id === selected.customerId);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${merchantName} — Pay invoices</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
${integrity ? html`<script src="/settle.js" integrity="${integrity}" crossorigin="anonymous"></script>` : ''}
</head>
<body>
<header class="site">
  <a class="brand" href="/demo">${merchantName}</a>
  <span class="tag">Customer portal · <span class="badge">test mode</span></span>
</header>
<div class="layout">
<nav class="accounts" aria-label="Demo customer accounts">
  <h2>Signed in as</h2>
  <p class="hint">A demo: pick any customer of the demo ERP.</p>
  <ul>${customers.flatMap((c) =>
    c.totals.map((t) => {
      const isCurrent =
        c.id === selected.customerId && (selected.currency ?? current?.totals[0]?.currency) === t.currency;
      const href = c.totals.length > 1 ? `/demo?customer=${c.id}&currency=${t.currency}` : `/demo?customer=${c.id}`;
      return html`<li><a href="${href}" ${isCurrent ? html`aria-current="page"` : ''}>
        <span class="name">${c.name}</span>
        <span class="meta">${[c.region, `${t.count} open`, formatMoney(t.open, t.currency, 'en-US')].filter(Boolean).join(' · ')}</span></a></li>`;
    }),
  )}</ul>
</nav>
<main>
  <h1>Pay invoices</h1>
  <p class="lede">${current ? current.name : selected.customerId}: select what to pay, apply credits, and pay by card or bank.</p>
  ${
    'error' in session
      ? html`<p class="notice" role="alert">${session.error}</p>`
      : integrity
        ? html`<settle-pay client-token="${session.clientToken}" api-url="${session.apiUrl}"></settle-pay>
  <p class="aside">Or send the customer the hosted page: <a href="${session.payUrl}">pay link for this session</a>.</p>`
        : html`<p class="notice" role="alert">settle.js is not built yet: run <code>pnpm --filter @settle/widget build</code> and reload.</p>`
  }
</main>
<aside class="cards" aria-labelledby="test-numbers">
  <h2 id="test-numbers">Sandbox test numbers</h2>
  <dl>
    <dt>Credit card, paid</dt><dd><code>4242 4242 4242 4242</code></dd>
    <dt>Debit card, no surcharge</dt><dd><code>4000 0566 5566 5556</code></dd>
    <dt>Declined</dt><dd><code>4000 0000 0000 0002</code></dd>
    <dt>Insufficient funds</dt><dd><code>4000 0000 0000 9995</code></dd>
    <dt>Bank (ACH) routing</dt><dd><code>110000000</code></dd>
    <dt>Bank account, settles</dt><dd><code>000123456789</code></dd>
    <dt>Bank account, fails (closed)</dt><dd><code>000111111113</code></dd>
    <dt>Bank account, settles then returned</dt><dd><code>000555555559</code></dd>
  </dl>
  <p class="hint">Any future expiry date and any CVC.</p>
  <p class="hint">The confirmation emails a payment sends land in the <a href="/demo/mail">demo mailbox</a>.</p>
</aside>
</div>
<footer class="site">
  <p>The page embeds Settle with two lines and is served with a strict Content-Security-Policy (no inline script or style).</p>
  <pre><code>&lt;script src="/settle.js" integrity="${integrity ?? 'sha384-…'}" crossorigin="anonymous"&gt;&lt;/script&gt;
&lt;settle-pay client-token="ct_…" api-url="…"&gt;&lt;/settle-pay&gt;</code></pre>
</footer>
</body>
</html>`;
}
