import { html } from 'hono/html';
import type { Config } from './config.js';

/** The page at `/`: what this server is and how to try it. */
export function landingPage(config: Config) {
  const api = config.publicUrl;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Settle reference server</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { max-width: 46rem; margin: 3rem auto; padding: 0 1.25rem; }
  code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
  pre { background: color-mix(in srgb, currentColor 8%, transparent); padding: 1rem; border-radius: 8px; overflow-x: auto; }
  .badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; background: #fde68a; color: #713f12; font-size: 0.8rem; }
</style>
</head>
<body>
<h1>Settle <span class="badge">${config.mode} mode</span></h1>
<p>The reference backend for Settle: payment sessions for a customer's open invoices, the sandbox processor,
and write-back to the ERP through a durable outbox. Merchant: <strong>${config.merchantName}</strong>.</p>
<h2>Try it</h2>
<pre>SETTLE_API_URL=${api} SETTLE_SECRET_KEY=sk_test_... bash examples/curl/pay.sh</pre>
<ul>
  <li><a href="/health">/health</a>: liveness and configuration</li>
  <li><code>GET /v1/customers</code>, <code>POST /v1/sessions</code>, <code>GET /v1/payments</code>: merchant API (secret key)</li>
  <li><code>GET /v1/session</code>, <code>POST /v1/session/quote</code>, <code>POST /v1/session/payments</code>: browser API (client token)</li>
</ul>
</body>
</html>`;
}
