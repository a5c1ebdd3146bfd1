import { formatMoney } from '@settle/schema';
import { html } from 'hono/html';
import type { Config } from './config.js';
import type { ErpAdapter } from './erp/port.js';

interface CustomerSummary {
  id: string;
  name: string;
  region: string | null;
  totals: Array<{ currency: string; open: number; overdue: number; count: number }>;
}

/** Each customer's open balance per currency, as the ERP reports it now. */
export async function summarizeCustomers(
  erp: ErpAdapter,
  today = new Date().toISOString().slice(0, 10),
): Promise<CustomerSummary[]> {
  const customers = await erp.listCustomers();
  return Promise.all(
    customers.map(async (c) => {
      const { invoices } = await erp.listOpenItems(c.id);
      const totals = new Map<string, { currency: string; open: number; overdue: number; count: number }>();
      for (const i of invoices) {
        const t = totals.get(i.currency) ?? { currency: i.currency, open: 0, overdue: 0, count: 0 };
        t.open += i.openAmount;
        t.count += 1;
        if (i.dueDate < today) t.overdue += i.openAmount;
        totals.set(i.currency, t);
      }
      return { id: c.id, name: c.name, region: c.region, totals: [...totals.values()] };
    }),
  );
}

/** The page at `/`: what this server is, the demo ERP's customers, and how to try it. */
export function landingPage(config: Config, customers: CustomerSummary[] | null) {
  const api = config.publicUrl;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Settle reference server</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; --muted: color-mix(in srgb, currentColor 60%, transparent); }
  body { max-width: 52rem; margin: 2.5rem auto; padding: 0 1.25rem; }
  h1 { margin-bottom: 0.25rem; }
  .lede { color: var(--muted); margin-top: 0; }
  code, pre { font-family: ui-monospace, monospace; font-size: 0.88em; }
  pre { background: color-mix(in srgb, currentColor 7%, transparent); padding: 1rem; border-radius: 8px; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent); }
  td.num, th.num { text-align: right; }
  .overdue { color: #b91c1c; }
  @media (prefers-color-scheme: dark) { .overdue { color: #f87171; } }
  .badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; background: #fde68a; color: #713f12; font-size: 0.8rem; vertical-align: middle; }
</style>
</head>
<body>
<h1>Settle <span class="badge">${config.mode} mode</span></h1>
<p class="lede">Reference server for <strong>${config.merchantName}</strong>: payment sessions over the ERP's open invoices,
the sandbox processor, and write-back to the ERP through a durable outbox.</p>
${config.mode === 'test' ? html`<p><a href="/demo"><strong>Open the demo</strong></a>: a merchant's customer portal with <code>&lt;settle-pay&gt;</code>.</p>` : ''}
<h2>Customers in the demo ERP</h2>
${
  customers
    ? html`<table>
  <thead><tr><th>Customer</th><th>Id</th><th>Region</th><th>Currency</th><th class="num">Open invoices</th><th class="num">Open balance</th><th class="num">Overdue</th></tr></thead>
  <tbody>${customers.flatMap((c) =>
    c.totals.map(
      (
        t,
      ) => html`<tr><td>${c.name}</td><td><code>${c.id}</code></td><td>${c.region ?? ''}</td><td>${t.currency}</td><td class="num">${t.count}</td>
      <td class="num">${formatMoney(t.open, t.currency, 'en-US')}</td>
      <td class="num ${t.overdue ? 'overdue' : ''}">${formatMoney(t.overdue, t.currency, 'en-US')}</td></tr>`,
    ),
  )}</tbody>
</table>`
    : html`<p>${config.mode === 'test' ? 'The ERP is not reachable right now.' : 'Customer data is not shown in live mode.'}</p>`
}
<h2>Pay two invoices from a shell</h2>
<pre>SETTLE_API_URL=${api} SETTLE_SECRET_KEY=&lt;the key the server printed&gt; bash examples/curl/pay.sh</pre>
<h2>Endpoints</h2>
<ul>
  <li><a href="/health">/health</a>: liveness and configuration</li>
  <li>Merchant API (secret key): <code>POST /v1/sessions</code>, <code>GET /v1/customers</code>, <code>GET /v1/customers/:id/open-items</code>, <code>GET /v1/payments</code>, <code>GET /v1/payments/:id</code></li>
  <li>Browser API (client token): <code>GET /v1/session</code>, <code>POST /v1/session/quote</code>, <code>POST /v1/session/payments</code>, <code>GET /v1/session/payments/:id</code>, <code>GET /v1/session/payments/:id/events</code>, <code>POST /v1/sandbox/tokens</code></li>
</ul>
</body>
</html>`;
}
