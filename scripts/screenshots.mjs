#!/usr/bin/env node
// Screenshots of the demo for the docs: the widget's main states, light and dark, phone and desktop.
// Usage: start the demo (`pnpm start`), then `node scripts/screenshots.mjs [http://localhost:8787]`.
// Writes docs/images/widget-*.png. Drives the system Chromium; downloads nothing.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const base = (process.argv[2] ?? 'http://localhost:8787').replace(/\/$/, '');
const out = new URL('../docs/images/', import.meta.url).pathname;
await mkdir(out, { recursive: true });

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

const viewports = {
  desktop: { width: 1280, height: 1500 },
  phone: { width: 390, height: 1700, deviceScaleFactor: 1, isMobile: true },
};

/** Waits until the widget shows invoice rows (or another settled state). */
async function ready(page) {
  await page.waitForFunction(
    () => {
      const pay = document.querySelector('settle-pay');
      const list = pay?.shadowRoot?.querySelector('settle-invoice-list');
      return list?.shadowRoot?.querySelector('[part~="row"]');
    },
    { timeout: 20_000 },
  );
  await new Promise((r) => setTimeout(r, 300));
}

/** Ticks the first n invoice checkboxes inside the list's shadow root. */
async function selectInvoices(page, n) {
  await page.evaluate((count) => {
    const list = document.querySelector('settle-pay').shadowRoot.querySelector('settle-invoice-list');
    const boxes = [...list.shadowRoot.querySelectorAll('[part~="row"] input[type="checkbox"]')];
    for (const box of boxes.slice(0, count)) box.click();
  }, n);
  await new Promise((r) => setTimeout(r, 300));
}

async function shoot(name, { scheme, viewport, customer = 'cus_acme', select = 0 }) {
  const page = await browser.newPage();
  await page.setViewport(viewports[viewport]);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  await page.goto(`${base}/demo?customer=${customer}`, { waitUntil: 'networkidle0' });
  await ready(page);
  if (select) await selectInvoices(page, select);
  const file = join(out, `widget-${name}-${scheme}-${viewport}.png`);
  await page.screenshot({ path: file });
  console.log(file);
  await page.close();
}

for (const scheme of ['light', 'dark']) {
  await shoot('ready', { scheme, viewport: 'desktop', select: 2 });
  await shoot('ready', { scheme, viewport: 'phone', select: 2 });
}
await browser.close();
