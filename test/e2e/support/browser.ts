import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';

/** The system's Chromium: the tests never download a browser. */
const CHROMIUM = process.env.SETTLE_E2E_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  // The test containers run as root without user namespaces, where Chromium's sandbox cannot start.
  '--no-sandbox',
  '--disable-gpu',
  // /dev/shm is 64 MB in most containers; Chromium crashes tabs that outgrow it.
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/** A headless Chromium with a throwaway profile, removed again by `close()`. */
export async function launchChromium(): Promise<Chromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'settle-e2e-chromium-'));
  try {
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir, args: ARGS });
    return {
      browser,
      async close() {
        await browser.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`Could not start ${CHROMIUM} (set SETTLE_E2E_CHROMIUM to another Chromium)`, { cause: error });
  }
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
}

/** Everything a page said that a customer's page should never say, collected as it happens. */
export interface PageReports {
  console: Array<{ type: string; text: string }>;
  /** Uncaught exceptions and unhandled rejections. */
  errors: string[];
  csp: CspViolation[];
}

export interface Tab {
  page: Page;
  reports: PageReports;
  /** Every URL the page requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A page in its own browser context (no cookies or storage shared with other tests), desktop
 * sized, with its console, uncaught errors and Content-Security-Policy violations recorded.
 */
export async function openTab(browser: Browser): Promise<Tab> {
  const context: BrowserContext = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const reports: PageReports = { console: [], errors: [], csp: [] };
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => reports.console.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => reports.errors.push(error instanceof Error ? error.message : String(error)));
  // A binding, so violations reach the test even from a page that has since navigated away.
  await page.exposeFunction('__settleE2eCsp', (violation: CspViolation) => {
    reports.csp.push(violation);
  });
  await page.evaluateOnNewDocument(() => {
    const report = (window as unknown as { __settleE2eCsp(v: unknown): void }).__settleE2eCsp;
    window.addEventListener(
      'securitypolicyviolation',
      (e) => report({ directive: e.effectiveDirective, blockedURI: e.blockedURI, sample: e.sample }),
      true,
    );
  });
  return { page, reports, requests, close: () => context.close() };
}

/** How many of `tab`'s requests were for this path (any query). */
export function requestsFor(tab: Tab, pathname: string): number {
  return tab.requests.filter((url) => new URL(url).pathname === pathname).length;
}

/**
 * Changes what the browser receives for these paths: the server's real answer (same status) with
 * its body passed through `rewrite`, which may also change the headers it is given. Call before
 * the page loads. The browser sees an ordinary response, so it applies its own checks (CSP,
 * Subresource Integrity) to what it gets.
 */
export async function rewriteResponses(
  tab: Tab,
  rewrites: Record<string, (body: string, headers: Record<string, string>) => string>,
): Promise<void> {
  await tab.page.setRequestInterception(true);
  tab.page.on('request', (request) => {
    const rewrite = rewrites[new URL(request.url()).pathname];
    if (!rewrite) {
      void request.continue();
      return;
    }
    void (async () => {
      const res = await fetch(request.url(), { method: request.method(), headers: request.headers() });
      const headers = Object.fromEntries(
        [...res.headers].filter(([name]) => name !== 'content-length' && name !== 'content-encoding'),
      );
      const body = rewrite(await res.text(), headers);
      await request.respond({ status: res.status, headers, body });
      // No answer from the server: the page sees a failed request (unless the tab is already closed).
    })().catch(() => request.abort('failed').catch(() => {}));
  });
}
