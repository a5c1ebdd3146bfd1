import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createMerchantClient, isSettleHttpError } from '@settle/client';
import { createMerchantApp } from './app.js';
import { settleAllowsOrigin } from './settle-check.js';

const settleUrl = (process.env.SETTLE_API_URL || 'http://localhost:8787').replace(/\/+$/, '');
const secretKey = process.env.SETTLE_SECRET_KEY;
if (!secretKey) {
  console.error('Set SETTLE_SECRET_KEY to the sk_test_… key that the Settle server printed when it started.');
  process.exit(1);
}
const port = Number(process.env.PORT || 3000);
/** The origins whose pages embed the widget: this server's, and the single-page apps' in development. */
const origins = (process.env.MERCHANT_ORIGINS || `http://localhost:${port},http://localhost:5173,http://localhost:5174`)
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);

/**
 * settle.js's integrity value: the one of the version you reviewed and deploy (SETTLE_JS_INTEGRITY),
 * or else the one this repository's widget build wrote (`pnpm --filter @settle/widget build`).
 */
function integrity(): string {
  if (process.env.SETTLE_JS_INTEGRITY) return process.env.SETTLE_JS_INTEGRITY;
  const file = new URL('../../../packages/widget/dist/settle.js.sri', import.meta.url);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    console.error('No settle.js integrity: run `pnpm --filter @settle/widget build`, or set SETTLE_JS_INTEGRITY.');
    process.exit(1);
  }
}

const settle = createMerchantClient({ apiUrl: settleUrl, secretKey });
const app = createMerchantApp({
  settle,
  settleUrl,
  integrity: integrity(),
  customerId: () => 'cus_acme',
});
const server = createServer((req, res) => void app(req, res));
server.listen(port, () => {
  console.log(`Merchant backend on http://localhost:${port}/ (the script-tag page), POST /session for the apps.`);
  console.log(`Settle: ${settleUrl}`);
});

// Settle's browser API answers only the origins it was told (SETTLE_ALLOWED_ORIGINS): say so now,
// rather than leave a newcomer with a page whose widget cannot load.
const refused: string[] = [];
let reachable = true;
for (const origin of origins) {
  const allowed = await settleAllowsOrigin(settleUrl, origin).catch(() => null);
  if (allowed === null) {
    reachable = false;
    console.warn(`Settle is not reachable at ${settleUrl}: start it (pnpm start at the repository root).`);
    break;
  }
  if (!allowed) refused.push(origin);
}
// A mistyped or stale secret key would otherwise show only at the first page view, as a 502.
if (reachable) {
  await settle.listCustomers().catch((error: unknown) => {
    if (isSettleHttpError(error) && error.status === 401) {
      console.warn(
        `Settle refused SETTLE_SECRET_KEY (${error.message}). Copy the "Secret key: sk_test_…" that Settle printed when it started.`,
      );
    } else {
      console.warn('Could not check SETTLE_SECRET_KEY with Settle:', error);
    }
  });
}
if (refused.length > 0) {
  console.warn(
    `Settle does not answer pages from ${refused.join(', ')}. Restart it with\n` +
      `  SETTLE_ALLOWED_ORIGINS=${origins.join(',')} pnpm start`,
  );
} else if (reachable) {
  console.log(`Settle answers pages from ${origins.join(', ')}.`);
}
