#!/usr/bin/env node
// Screenshots of the demo for the docs: the widget's main states, light and dark, phone and desktop.
// Usage: start the demo (`pnpm start`), then `node scripts/screenshots.mjs [http://localhost:8787]`.
// Writes docs/images/widget-<state>-<light|dark>-<desktop|phone>.png. Drives the system Chromium;
// downloads nothing. Each state is reached once, on its own demo customer (so one state's payment
// never shows in another), then shot in both schemes at both widths on the same page.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const base = (process.argv[2] ?? 'http://localhost:8787').replace(/\/$/, '');
const out = new URL('../docs/images/', import.meta.url).pathname;
await mkdir(out, { recursive: true });

// The selectors of test/e2e/support/pay-page.ts (TypeScript, so not importable from here on Node 20).
/** Puppeteer's ARIA query: the element with exactly this accessible name and role, through every shadow root. */
const aria = (name, role) => `::-p-aria([name=${JSON.stringify(name)}][role=${JSON.stringify(role)}])`;
/** A `[part]` of <settle-pay> (its documented styling API), through its shadow root. */
const part = (name) => `settle-pay >>> [part~="${name}"]`;

const TIMEOUT = 15_000;
/** The demo merchant's card limit, in dollars (server/src/config.ts). */
const CARD_LIMIT = 25_000;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir: await mkdtemp(join(tmpdir(), 'settle-shots-')),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
  ],
});

// Both without `isMobile`: switching it makes Puppeteer reload the page, which would lose the state.
// The pages declare `width=device-width`, so a 390-wide window lays out as a phone does.
const viewports = {
  desktop: { width: 1280, height: 1500, deviceScaleFactor: 1 },
  phone: { width: 390, height: 1700, deviceScaleFactor: 1 },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `step`, turning a timeout into an error that says which state and what it waited for. */
async function step(state, what, run) {
  try {
    return await run();
  } catch (error) {
    throw new Error(`[${state}] ${what}: ${error.message}`, { cause: error });
  }
}

/** Waits until the element is visible (which makes Puppeteer poll, seeing changes inside shadow roots). */
async function find(page, selector, timeout = TIMEOUT) {
  const element = await page.waitForSelector(selector, { visible: true, timeout });
  if (!element) throw new Error(`${selector} is not on the page`);
  return element;
}

/** Waits until the widget shows invoice rows. */
async function ready(page) {
  await page.locator(aria('Pay your invoices', 'heading')).setTimeout(TIMEOUT).wait();
  await find(page, 'settle-pay >>> settle-invoice-list >>> [part~="row"]');
  await sleep(300);
}

/**
 * Ticks the first n invoice checkboxes inside the list's shadow root, skipping invoices over `max`
 * dollars open (each box is labelled "Pay invoice INV-1, $5.00 open"), so a re-run on the same data,
 * where the oldest invoices are paid, still pays under the card limit.
 */
async function selectInvoices(page, n, max = Number.POSITIVE_INFINITY) {
  const picked = await page.evaluate(
    (count, limit) => {
      const list = document.querySelector('settle-pay').shadowRoot.querySelector('settle-invoice-list');
      const boxes = [...list.shadowRoot.querySelectorAll('[part~="row"] input[type="checkbox"]')].filter((box) => {
        const open = /\$([\d,.]+) open/.exec(box.getAttribute('aria-label') ?? '')?.[1];
        return open !== undefined && Number(open.replaceAll(',', '')) <= limit;
      });
      for (const box of boxes.slice(0, count)) box.click();
      return Math.min(count, boxes.length);
    },
    n,
    max,
  );
  if (picked < n) throw new Error(`only ${picked} of ${n} invoices to select (at most $${max} open)`);
  // The first selection brings the payment panel (settle-checkout.js), then the provider's fields.
  await find(page, part('pay-button'));
  await find(page, 'settle-pay > [slot="payment-fields"] input');
  await sleep(300);
}

/** One of the sandbox's "fill in a test number" buttons (light DOM, slotted into the widget). */
async function useTestNumber(page, text) {
  await page.locator(aria(text, 'button')).setTimeout(TIMEOUT).click();
}

/** The summary shows a row whose term starts with `term`. */
async function summaryRow(page, term) {
  await page.waitForFunction(
    (wanted) => {
      const summary = document.querySelector('settle-pay')?.shadowRoot?.querySelector('[part~="summary"]');
      return [...(summary?.querySelectorAll('dt') ?? [])].some((dt) => dt.textContent.trim().startsWith(wanted));
    },
    { timeout: TIMEOUT, polling: 100 },
    term,
  );
}

/** Presses Pay once it is enabled; if it stays disabled, says why (the hint under the summary). */
async function pay(page, state) {
  try {
    await page.locator(part('pay-button')).setTimeout(TIMEOUT).click();
  } catch (error) {
    const hint = await page.$eval(part('summary'), () => {
      const root = document.querySelector('settle-pay')?.shadowRoot;
      return root?.querySelector('#pay-hint')?.textContent?.trim() ?? '(no hint shown)';
    });
    throw new Error(`[${state}] Pay never became clickable: ${hint} (${error.message})`, { cause: error });
  }
}

async function open(path) {
  const page = await browser.newPage();
  await page.setViewport(viewports.desktop);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle0', timeout: TIMEOUT });
  return page;
}

/**
 * Shoots the page as it is now in both schemes at both widths. On a phone the widget stacks below the
 * demo's customer list, so `focus` (a part that tells the state) is scrolled to the middle of the shot.
 */
async function shootAll(page, state, { focus, again } = {}) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    // A new scheme restyles the payment fields by mounting them afresh, which empties them.
    if (scheme !== 'light' && again) {
      await sleep(200);
      await again();
    }
    for (const viewport of ['desktop', 'phone']) {
      await page.setViewport(viewports[viewport]);
      await page.evaluate(() => window.scrollTo(0, 0));
      if (focus && viewport === 'phone') {
        const element = await find(page, part(focus), 2_000);
        await element.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      }
      await sleep(150); // a frame or two for the resize and the scheme to paint
      const file = join(out, `widget-${state}-${scheme}-${viewport}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    }
  }
}

const states = {
  /** The first view: the invoices, nothing selected, no payment panel yet. */
  async invoices(page) {
    await ready(page);
    return { focus: 'selection' };
  },
  /** Two invoices selected, no payment details yet. */
  async ready(page) {
    await ready(page);
    await selectInvoices(page, 2);
  },
  /** A credit card entered: the summary adds the 3% surcharge. */
  async surcharge(page, state) {
    await ready(page);
    await selectInvoices(page, 2);
    const enterCard = async () => {
      await useTestNumber(page, '4242 4242 4242 4242 (credit card)');
      await step(state, 'the surcharge row', () => summaryRow(page, 'Credit card surcharge'));
      await sleep(200);
    };
    await enterCard();
    return { focus: 'summary', again: enterCard };
  },
  /** Paid by credit card: the receipt. */
  async receipt(page, state) {
    await ready(page);
    await selectInvoices(page, 1, CARD_LIMIT);
    await useTestNumber(page, '4242 4242 4242 4242 (credit card)');
    await step(state, 'the surcharge row', () => summaryRow(page, 'Credit card surcharge'));
    await pay(page, state);
    await step(state, 'the receipt', () => find(page, part('receipt')));
    await sleep(200);
  },
  /** A declined card: the banner, the selection kept. */
  async declined(page, state) {
    await ready(page);
    await selectInvoices(page, 1, CARD_LIMIT);
    await useTestNumber(page, '4000 0000 0000 0002 (declined card)');
    await sleep(300); // the sandbox reads the card; Pay waits for it to be enabled
    await pay(page, state);
    await step(state, 'the decline banner', () => find(page, part('error')));
    await sleep(200);
    return { focus: 'error' };
  },
  /** A bank debit, authorized and sent: processing until the sandbox settles it (5 s by default). */
  async 'ach-pending'(page, state) {
    await ready(page);
    await selectInvoices(page, 1, CARD_LIMIT);
    await page.locator(aria('Bank (ACH) debit', 'radio')).setTimeout(TIMEOUT).click();
    await useTestNumber(page, '110000000 / 000123456789 (succeeds)');
    // The authorization names the merchant; found by where it lives rather than by its words.
    const authorize = await step(state, 'the authorization checkbox', () =>
      find(page, 'settle-pay > [slot="payment-fields"] input[type="checkbox"]'),
    );
    await authorize.click();
    await pay(page, state);
    await step(state, 'the processing screen', () => find(page, part('pending')));
  },
  /** A link whose token the server refuses. */
  async 'invalid-link'(page, state) {
    await step(state, 'the error', () => find(page, part('error')));
    await sleep(200);
  },
};

// One customer per state, so a payment in one state never shows in another. Each paying state pays
// one invoice: cards are limited to $25,000, and two of a customer's invoices can exceed it.
const plan = [
  ['invoices', '/demo?customer=cus_acme'],
  ['ready', '/demo?customer=cus_acme'],
  ['surcharge', '/demo?customer=cus_pinnacle'],
  ['receipt', '/demo?customer=cus_bluewater'], // Texas: the full 3% surcharge (Colorado caps it at 2%)
  ['declined', '/demo?customer=cus_harbor'],
  ['ach-pending', '/demo?customer=cus_summit'],
  ['invalid-link', '/pay#token=ct_test_invalid'],
];

const started = Date.now();
try {
  for (const [state, path] of plan) {
    const page = await step(state, `opening ${path}`, () => open(path));
    const focus = await states[state](page, state);
    await shootAll(page, state, focus);
    await page.close();
  }
} catch (error) {
  console.error(`screenshots: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
if (!process.exitCode) console.log(`${plan.length * 4} screenshots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
