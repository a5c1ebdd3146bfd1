import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryErp } from '../../server/src/erp/memory.js';
import { demoErpData } from '../../server/src/erp/seed.js';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { type Chromium, launchChromium, openTab, type Tab } from './support/browser.js';
import {
  achPendingThenSettled,
  declineThenPay,
  type PayTarget,
  payWithCreditAndShortPayment,
  surchargeOn,
  until,
} from './support/flows.js';
import { PayPage } from './support/pay-page.js';
import { requireWidgetBuild } from './support/stage.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/** The customer examples/server-node signs in. */
const CUSTOMER = 'cus_acme';

/**
 * The demo ledger, but with twenty moderate invoices for the customer every example signs in:
 * each example runs every flow on that customer, and the flows take its oldest invoices (the demo's
 * own list has one over the card limit, which would end a card flow early).
 */
function examplesErp(): MemoryErp {
  const data = demoErpData();
  const invoices = Array.from({ length: 20 }, (_, n) => ({
    id: `inv_e2e_${n + 1}`,
    customerId: CUSTOMER,
    number: `INV-${30_001 + n}`,
    issueDate: '2026-10-01',
    dueDate: `2026-11-${String(n + 1).padStart(2, '0')}`,
    currency: 'USD' as const,
    amount: 20_000 + n * 1_337,
    openAmount: 20_000 + n * 1_337,
    documentUrl: null,
    poNumber: null,
  }));
  return new MemoryErp({ ...data, invoices: [...data.invoices.filter((i) => i.customerId !== CUSTOMER), ...invoices] });
}

const erp = examplesErp();
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
  requireWidgetBuild();
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

/** The text of the page's own status line, which the example's event handlers write. */
const statusLine = (tab: Tab) => tab.page.$eval('#payment-status', (p) => p.textContent?.trim() ?? '');

type Example = 'script-tag' | 'vite-app' | 'react-app';
const EXAMPLES_UNDER_TEST: Example[] = ['script-tag', 'vite-app', 'react-app'];
const urlOf = (example: Example) => (example === 'script-tag' ? `${merchant.url}/` : apps[example].url);

async function merchantApi<T>(path: string): Promise<T> {
  const res = await fetch(`${settle.url}${path}`, { headers: { authorization: `Bearer ${settle.secretKey}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The example page as the signed-in customer opens it: a session minted by examples/server-node,
 * the widget ready, and the page's own settle-ready handler run. Every `settle-error` code the page
 * hears is kept in `window.settleErrors`, for the test to read.
 */
function exampleTarget(example: Example): PayTarget {
  return {
    erp,
    customerId: CUSTOMER,
    merchantApi,
    async open() {
      const customer = await erp.getCustomer(CUSTOMER);
      const tab = await openTab(chromium.browser);
      tabs.push(tab);
      await tab.page.evaluateOnNewDocument(() => {
        const codes: string[] = [];
        Object.assign(window, { settleErrors: codes });
        document.addEventListener('settle-error', (event) => codes.push((event as CustomEvent).detail.code));
      });
      await tab.page.goto(urlOf(example));
      const pay = new PayPage(tab.page);
      await pay.ready();
      await until('the status line', async () =>
        (await statusLine(tab)).startsWith(`Signed in as ${customer!.name}.`) ? true : undefined,
      );
      return { tab, pay };
    },
  };
}

/** The payment the page's own settle-success handler wrote into the page, once it says it was received. */
async function expectThanked(tab: Tab, paymentId: string): Promise<void> {
  await until('the thank-you line', async () =>
    (await statusLine(tab)) === `Thank you: payment ${paymentId} received.` ? true : undefined,
  );
  expect(await tab.page.$eval('#payment-status', (p) => (p as HTMLElement).dataset.paymentId)).toBe(paymentId);
}

describe.each(EXAMPLES_UNDER_TEST)(
  'examples/%s in a real browser, against a real Settle server and examples/server-node',
  (example) => {
    const target = exampleTarget(example);

    it('pays two invoices with a credit and a short payment by card, and the ERP balances drop by exactly that', async () => {
      const { tab } = await payWithCreditAndShortPayment(target);
      expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
    });

    it('shows a declined card and the page says so, then pays once with another card', async () => {
      const { tab, paymentId } = await declineThenPay(target);
      await expectThanked(tab, paymentId);
      expect(await tab.page.evaluate(() => (window as unknown as { settleErrors: string[] }).settleErrors)).toEqual([
        'card_declined',
      ]);
      expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
    });

    it('debits a bank account: processing, then settled, and the page hears both', async () => {
      const { tab, paymentId } = await achPendingThenSettled(target);
      await expectThanked(tab, paymentId);
      expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
    });

    it('asks its backend for a new session when the token has expired, and the customer pays in that one', async () => {
      const [oldest] = (await erp.listOpenItems(CUSTOMER)).invoices;
      if (!oldest) throw new Error(`The ERP lacks an open invoice for ${CUSTOMER}`);
      const { tab, pay } = await target.open();
      // This page's session: the one server-node minted last.
      const { db } = settle.settle.deps;
      const newestSession = () =>
        db
          .selectFrom('sessions')
          .select('id')
          .where('customer_id', '=', CUSTOMER)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
      const current = await newestSession();
      await db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', current.id)
        .execute();

      await pay.selectInvoice(oldest.number, oldest.openAmount);
      await pay.fillCard('4242 4242 4242 4242', '12/34', '123');
      const total = oldest.openAmount + surchargeOn(oldest.openAmount);
      await pay.pay(total);
      // The widget said the session had expired; the page's settle-error handler got a new token from
      // POST /session and gave it to the widget, which shows the invoices again.
      await until('the new session', async () => {
        const codes = await tab.page.evaluate(() => (window as unknown as { settleErrors: string[] }).settleErrors);
        return codes.includes('session_expired') ? true : undefined;
      });
      await pay.ready();
      const renewed = await newestSession();
      expect(renewed.id).not.toBe(current.id);

      await pay.selectInvoice(oldest.number, oldest.openAmount);
      await pay.fillCard('4242 4242 4242 4242', '12/34', '123');
      await pay.pay(total);
      const receipt = await pay.receipt();
      expect(receipt.title).toBe('Payment received');
      const paymentId = receipt.facts.Reference!;
      await expectThanked(tab, paymentId);
      await until('the ERP posting', () => (erp.postingCount(paymentId) === 1 ? true : undefined));
      // Nothing was charged in the expired session.
      const { data } = await merchantApi<{ data: Array<{ id: string; sessionId?: string }> }>(
        `/v1/payments?customerId=${CUSTOMER}`,
      );
      expect(data.filter((p) => p.sessionId === current.id)).toEqual([]);
      expect(data.find((p) => p.id === paymentId)?.sessionId).toBe(renewed.id);
      // Chromium logs the refused request (401) itself; nothing else.
      expect(tab.reports.errors).toEqual([]);
      expect(tab.reports.csp).toEqual([]);
    });

    if (example === 'script-tag') {
      it('runs under its own strict CSP, with settle.js pinned by SRI', async () => {
        const { tab } = await target.open();
        const served = new Uint8Array(await (await fetch(`${settle.url}/settle.js`)).arrayBuffer());
        expect(await tab.page.$eval('script[src$="/settle.js"]', (s) => (s as HTMLScriptElement).integrity)).toBe(
          `sha384-${createHash('sha384').update(served).digest('base64')}`,
        );
        const csp = await tab.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) =>
          m.getAttribute('content'),
        );
        expect(csp).toContain(`script-src 'self' ${settle.url};`);
        expect(csp).not.toContain('unsafe');
        expect(tab.reports).toEqual({ console: [], errors: [], csp: [] });
      });
    }
  },
);
