import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoErp } from '../../server/src/erp/seed.js';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { type Chromium, launchChromium, openTab, type Tab } from './support/browser.js';
import { PayPage, usd } from './support/pay-page.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const SETTLE_JS = fileURLToPath(new URL('../../packages/widget/dist/settle.js', import.meta.url));
/** The customer examples/server-node signs in. */
const CUSTOMER = 'cus_acme';
/** The demo merchant's credit-card surcharge (server/src/config.ts), in basis points. */
const SURCHARGE_BPS = 300;
const surchargeOn = (subtotal: number) => Math.floor((subtotal * SURCHARGE_BPS) / 10_000);

const erp = createDemoErp();
let settle: TestServer;
let merchant: { url: string; process: ChildProcess; output: () => string };
const apps: Record<'vite-app' | 'react-app', { url: string; server: PreviewServer; outDir: string }> = {} as never;
let chromium: Chromium;
const tabs: Tab[] = [];

/** A port nothing listens on now, for a server whose origin Settle must know before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/**
 * examples/server-node as its README starts it (`pnpm start`, i.e. tsx), against the test's Settle;
 * ready once it says that Settle answers pages from every origin of the examples.
 */
async function startMerchant(port: number, origins: string[]): Promise<typeof merchant> {
  const dir = join(EXAMPLES, 'server-node');
  const child = spawn(join(dir, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      SETTLE_API_URL: settle.url,
      SETTLE_SECRET_KEY: settle.secretKey,
      MERCHANT_ORIGINS: origins.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Settle answers pages from')) resolve();
      if (/does not answer|not reachable/.test(output)) reject(new Error(`server-node: ${output}`));
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`server-node exited (${code}): ${output}`)));
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => output };
}

/** Builds an example app with Vite and serves its dist with `vite preview` (which forwards /session). */
async function buildAndPreview(name: 'vite-app' | 'react-app', port: number) {
  const root = join(EXAMPLES, name);
  const outDir = await mkdtemp(join(tmpdir(), `settle-e2e-${name}-`));
  const config = { root, logLevel: 'warn' as const, build: { outDir, emptyOutDir: true } };
  await build(config);
  const server = await preview({
    ...config,
    preview: { host: '127.0.0.1', port, strictPort: true, proxy: { '/session': merchant.url } },
  });
  return { url: `http://127.0.0.1:${port}/`, server, outDir };
}

beforeAll(async () => {
  if (!existsSync(SETTLE_JS)) {
    throw new Error(`${SETTLE_JS} is missing: run pnpm build first (the root \`pnpm test\` does).`);
  }
  const [merchantPort, vitePort, reactPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const origins = [merchantPort, vitePort, reactPort].map((port) => `http://127.0.0.1:${port}`);
  // Settle answers the browser API only from the merchant's origins (SETTLE_ALLOWED_ORIGINS).
  [settle, chromium] = await Promise.all([
    startTestServer({ erp, config: { allowedOrigins: origins } }),
    launchChromium(),
  ]);
  merchant = await startMerchant(merchantPort, origins);
  // As `pnpm build` builds: vitest's NODE_ENV=test would make Vite pick Lit's and React's dev builds.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    [apps['vite-app'], apps['react-app']] = await Promise.all([
      buildAndPreview('vite-app', vitePort),
      buildAndPreview('react-app', reactPort),
    ]);
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
});
afterEach(async () => {
  await Promise.all(tabs.splice(0).map((tab) => tab.close()));
});
afterAll(async () => {
  await Promise.all(
    Object.values(apps).map(async (app) => {
      await app.server.close();
      await rm(app.outDir, { recursive: true, force: true });
    }),
  );
  if (merchant && merchant.process.exitCode === null) {
    const exited = new Promise((resolve) => merchant.process.once('exit', resolve));
    merchant.process.kill('SIGTERM');
    await exited;
  }
  await chromium?.close();
  await settle?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The text of the page's own status line, which the example's event handlers write. */
const statusLine = (tab: Tab) => tab.page.$eval('#payment-status', (p) => p.textContent?.trim() ?? '');

/**
 * On the example page at `url`: the customer's oldest open invoice, paid by the sandbox credit card
 * with its surcharge; returns the receipt's reference once the ERP has the payment.
 */
async function payOldestInvoice(url: string): Promise<{ tab: Tab; paymentId: string }> {
  const customer = await erp.getCustomer(CUSTOMER);
  const [oldest] = (await erp.listOpenItems(CUSTOMER)).invoices;
  if (!customer || !oldest) throw new Error(`The demo ERP lacks ${CUSTOMER} or an open invoice of theirs`);
  const tab = await openTab(chromium.browser);
  tabs.push(tab);
  await tab.page.goto(url);
  const pay = new PayPage(tab.page);
  await pay.ready();
  // The page's settle-ready handler ran.
  await until('the status line', async () =>
    (await statusLine(tab)).startsWith(`Signed in as ${customer.name}.`) ? true : undefined,
  );

  await pay.selectInvoice(oldest.number, oldest.openAmount);
  await pay.fillCard('4242 4242 4242 4242', '12/34', '123');
  const fee = surchargeOn(oldest.openAmount);
  const summary: Array<[string, string]> = [
    [`Invoice ${oldest.number}`, usd(oldest.openAmount)],
    ['Subtotal', usd(oldest.openAmount)],
    ['Credit card surcharge (3%)', usd(fee)],
    ['Total', usd(oldest.openAmount + fee)],
  ];
  expect(await pay.summarySettled(summary)).toEqual(summary);
  await pay.pay(oldest.openAmount + fee);

  const receipt = await pay.receipt();
  expect(receipt.title).toBe('Payment received');
  expect(receipt.facts).toEqual({
    'Paid with': 'Visa •4242',
    Reference: expect.stringMatching(/^pay_/),
    Status: 'Paid',
  });
  const paymentId = receipt.facts.Reference!;
  // The page's own settle-success handler wrote the payment into the page.
  expect(await statusLine(tab)).toBe(`Thank you: payment ${paymentId} received.`);
  expect(await tab.page.$eval('#payment-status', (p) => (p as HTMLElement).dataset.paymentId)).toBe(paymentId);
  // Posted to the ERP, so the next example starts from the next invoice.
  await until('the ERP posting', () => (erp.postingCount(paymentId) === 1 ? true : undefined));
  return { tab, paymentId };
}

describe('the examples in a real browser, against a real Settle server and examples/server-node', () => {
  it('script-tag: pays an invoice on the plain HTML page under its own strict CSP, with settle.js pinned by SRI', async () => {
    const { tab } = await payOldestInvoice(`${merchant.url}/`);
    const served = new Uint8Array(await (await fetch(`${settle.url}/settle.js`)).arrayBuffer());
    expect(await tab.page.$eval('script[src$="/settle.js"]', (s) => (s as HTMLScriptElement).integrity)).toBe(
      `sha384-${createHash('sha384').update(served).digest('base64')}`,
    );
    const csp = await tab.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    expect(csp).toContain(`script-src 'self' ${settle.url};`);
    expect(csp).not.toContain('unsafe');
    expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
  });

  it('vite-app: pays an invoice with <settle-pay> imported from npm and a session from POST /session', async () => {
    const { tab } = await payOldestInvoice(apps['vite-app'].url);
    expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
  });

  it('react-app: pays an invoice through the @lit/react wrapper, whose onSettleSuccess prop updates React state', async () => {
    const { tab } = await payOldestInvoice(apps['react-app'].url);
    expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
  });
});
