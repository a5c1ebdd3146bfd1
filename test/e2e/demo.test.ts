import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErpOpenItems } from '../../server/src/erp/port.js';
import { createDemoErp } from '../../server/src/erp/seed.js';
import { type PageReports, requestsFor, rewriteResponses, type Tab } from './support/browser.js';
import {
  achPendingThenSettled,
  declineThenPay,
  expectSummary,
  MERCHANT,
  type PayTarget,
  payWithCreditAndShortPayment,
  surchargeOn,
  until,
} from './support/flows.js';
import { aria, PayPage, part, usd } from './support/pay-page.js';
import { useStage } from './support/stage.js';

const erp = createDemoErp();
const stage = useStage({ erp });
const { merchantApi, newTab } = stage;

/**
 * A new tab on the demo merchant page, signed in as `customerId`, with the widget ready;
 * `rewrite` changes what the browser receives for some paths (rewriteResponses).
 */
async function openDemo(
  customerId: string,
  rewrite?: Parameters<typeof rewriteResponses>[1],
): Promise<{ tab: Tab; pay: PayPage }> {
  const tab = await newTab();
  if (rewrite) await rewriteResponses(tab, rewrite);
  await tab.page.goto(`${stage.server.url}/demo?customer=${customerId}`);
  const pay = new PayPage(tab.page);
  await pay.ready();
  return { tab, pay };
}

/** Nothing on the page's console, no uncaught error, no Content-Security-Policy violation. */
function expectQuietPage(reports: PageReports): void {
  expect(reports).toEqual({ console: [], errors: [], csp: [] });
}

async function openItems(customerId: string): Promise<ErpOpenItems> {
  return erp.listOpenItems(customerId);
}

/** The demo page signed in as `customerId`, for the flows the examples run too. */
function demoTarget(customerId: string): PayTarget {
  return { erp, customerId, open: () => openDemo(customerId), merchantApi };
}

describe('the demo merchant page in a real browser', () => {
  it('pays two invoices with a credit and a short payment by card, and the ERP balances drop by exactly that', async () => {
    const { tab } = await payWithCreditAndShortPayment(demoTarget('cus_acme'));
    expectQuietPage(tab.reports);
  });

  it('shows a declined card, keeps the selection and changes nothing, then pays once with another card', async () => {
    const { tab } = await declineThenPay(demoTarget('cus_pinnacle'));
    expectQuietPage(tab.reports);
  });

  it('takes the surcharge off for a debit card and says debit cards carry none', async () => {
    const [oldest] = (await openItems('cus_bluewater')).invoices;
    if (!oldest) throw new Error('The demo ERP lacks an invoice for cus_bluewater');
    const invoice: [string, string] = [`Invoice ${oldest.number}`, usd(oldest.openAmount)];

    const { tab, pay } = await openDemo('cus_bluewater');
    await pay.selectInvoice(oldest.number, oldest.openAmount);
    expect(await pay.textOf('methods')).toContain(
      'A 3% surcharge applies to credit cards; debit cards and bank transfers have none.',
    );
    await pay.useTestNumber('4242 4242 4242 4242 (credit card)');
    const fee = surchargeOn(oldest.openAmount);
    await expectSummary(pay, [
      invoice,
      ['Subtotal', usd(oldest.openAmount)],
      ['Credit card surcharge (3%)', usd(fee)],
      ['Total', usd(oldest.openAmount + fee)],
    ]);

    await pay.useTestNumber('4000 0566 5566 5556 (debit card)');
    await expectSummary(pay, [invoice, ['No surcharge on debit cards', usd(0)], ['Total', usd(oldest.openAmount)]]);
    await tab.page.locator(aria(`Pay ${usd(oldest.openAmount)}`, 'button')).wait();
    expectQuietPage(tab.reports);
  });

  it('debits a bank account under the authorization naming the merchant, shown as processing until it settles', async () => {
    const { tab } = await achPendingThenSettled(demoTarget('cus_summit'));
    expectQuietPage(tab.reports);
  });

  it('works when settle.js and its pieces are loaded twice, with a console warning and nothing worse', async () => {
    const [oldest] = (await openItems('cus_harbor')).invoices;
    if (!oldest) throw new Error('The demo ERP lacks an invoice for cus_harbor');
    const { tab, pay } = await openDemo('cus_harbor');
    await tab.page.addScriptTag({ url: `${stage.server.url}/settle.js` });
    await until('the warning', () => (tab.reports.console.length >= 2 ? true : undefined), 5_000);
    await pay.selectInvoice(oldest.number, oldest.openAmount);
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    await tab.page.addScriptTag({ url: `${stage.server.url}/settle-checkout.js` });
    await tab.page.addScriptTag({ url: `${stage.server.url}/settle-sandbox.js` });

    await expectSummary(pay, [
      [`Invoice ${oldest.number}`, usd(oldest.openAmount)],
      ['Total', usd(oldest.openAmount)],
    ]);
    await pay.useTestNumber('4242 4242 4242 4242 (credit card)');
    const card = await pay.find(aria('Card number', 'textbox'));
    expect(await card.evaluate((input) => (input as HTMLInputElement).value)).toBe('4242 4242 4242 4242');
    expect(tab.reports).toEqual({
      console: [
        { type: 'warn', text: expect.stringContaining('SETTLE_ALREADY_DEFINED: <settle-pay>') },
        { type: 'warn', text: expect.stringContaining('SETTLE_ALREADY_DEFINED: <settle-invoice-list>') },
      ],
      errors: [],
      csp: [],
    });
  });
});

describe("settle.js's lazily loaded pieces in a real browser", () => {
  /** `text` with `from` replaced; throws when `from` is not there, so a changed page cannot pass unchanged. */
  const replaceOnce = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`No ${from} to replace`);
    return text.replace(from, to);
  };
  const sri = (body: ArrayBuffer) => `sha384-${createHash('sha384').update(new Uint8Array(body)).digest('base64')}`;
  const FIELDS_FAILED =
    'Payment not completed The payment fields could not be loaded. Check your connection and reload the page.';

  /** The integrity and crossorigin of the `<script>` settle.js inserted for `file`. */
  const pinned = (tab: Tab, file: string) =>
    tab.page.$eval(`script[src*="/${file}"]`, (s) => ({
      integrity: (s as HTMLScriptElement).integrity,
      crossOrigin: (s as HTMLScriptElement).crossOrigin,
    }));
  const servedSri = async (file: string) => sri(await (await fetch(`${stage.server.url}/${file}`)).arrayBuffer());

  it('fetches no payment code for a visitor who only looks at the invoices', async () => {
    const { tab, pay } = await openDemo('cus_harbor');
    await pay.invoiceRows();
    expect(await pay.textOf('selection')).toBe('Select the invoices you want to pay.');
    // Sort and scroll as a visitor would; nothing of the payment step is asked for meanwhile.
    await tab.page.locator(aria('Open balance', 'button')).click();
    await tab.page.waitForNetworkIdle({ idleTime: 500 });
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(0);
    expect(requestsFor(tab, '/settle-sandbox.js')).toBe(0);
    expect(requestsFor(tab, '/settle-stripe.js')).toBe(0);
    expect(tab.requests.filter((url) => new URL(url).hostname === 'js.stripe.com')).toEqual([]);
    expect(await tab.page.$(part('checkout'))).toBeNull();
    expect(await tab.page.$('settle-pay > [slot="payment-fields"]')).toBeNull();
    expectQuietPage(tab.reports);
  });

  it('fetches settle-checkout.js on the first selection, then settle-sandbox.js, each once and pinned', async () => {
    const { tab, pay } = await openDemo('cus_harbor');
    await pay.selectFirstInvoice();
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    expect(await pay.textOf('selection')).toBe('1 invoice selected');
    await pay.chooseMethod('Bank (ACH) debit');
    await tab.page.locator(aria('Routing number', 'textbox')).wait();
    await pay.chooseMethod('Card');
    await tab.page.locator(aria('Card number', 'textbox')).wait();

    const paths = tab.requests.map((url) => new URL(url).pathname);
    // settle.js renders and reads the session; the panel's code comes with the selection, the fields' after it.
    expect(paths.indexOf('/settle.js')).toBeLessThan(paths.indexOf('/v1/session'));
    expect(paths.indexOf('/v1/session')).toBeLessThan(paths.indexOf('/settle-checkout.js'));
    expect(paths.indexOf('/settle-checkout.js')).toBeLessThan(paths.indexOf('/settle-sandbox.js'));
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(1);
    expect(requestsFor(tab, '/settle-sandbox.js')).toBe(1);
    expect(requestsFor(tab, '/settle-de.js')).toBe(0);
    // The sandbox session pays through the sandbox: nothing of Stripe's provider or Stripe.js is asked for.
    expect(requestsFor(tab, '/settle-stripe.js')).toBe(0);
    expect(tab.requests.filter((url) => /(^|\.)stripe\.com$/.test(new URL(url).hostname))).toEqual([]);
    for (const file of ['settle-checkout.js', 'settle-sandbox.js']) {
      expect(await pinned(tab, file), file).toEqual({ integrity: await servedSri(file), crossOrigin: 'anonymous' });
    }
    // What settle.js lends the checkout piece cannot be changed by the page.
    const frozen = await tab.page.evaluate(() => {
      const lent = (globalThis as Record<symbol, Record<string, object>>)[Symbol.for('settle.shared')];
      return lent ? [lent, ...Object.values(lent)].every((o) => Object.isFrozen(o)) : null;
    });
    expect(frozen).toBe(true);
    expectQuietPage(tab.reports);
  });

  it('shows a skeleton in the payment panel while settle-checkout.js loads, and keeps focus on the invoice', async () => {
    const tab = await newTab();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await tab.page.setRequestInterception(true);
    tab.page.on('request', (request) => {
      const hold = new URL(request.url()).pathname === '/settle-checkout.js' ? held : Promise.resolve();
      void hold.then(() => request.continue());
    });
    await tab.page.goto(`${stage.server.url}/demo?customer=cus_harbor`);
    const pay = new PayPage(tab.page);
    await pay.ready();
    await pay.selectFirstInvoice();
    const skeleton = await pay.find(`${part('checkout')} [aria-busy="true"]`);
    expect(await skeleton.evaluate((el) => el.textContent?.trim())).toBe('Loading the payment options…');
    release();
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    expect(await tab.page.$(`${part('checkout')} [aria-busy="true"]`)).toBeNull();
    const focused = await tab.page.evaluate(() => {
      const active = document.querySelector('settle-pay')?.shadowRoot?.activeElement;
      return active?.shadowRoot?.activeElement?.getAttribute('aria-label') ?? null;
    });
    expect(focused).toMatch(/^Pay invoice /);
    expectQuietPage(tab.reports);
  });

  it('says when settle-checkout.js could not be loaded, and Retry loads it', async () => {
    const tab = await newTab();
    let refused = 0;
    await tab.page.setRequestInterception(true);
    tab.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/settle-checkout.js' && refused++ === 0) {
        void request.abort('internetdisconnected');
      } else {
        void request.continue();
      }
    });
    await tab.page.goto(`${stage.server.url}/demo?customer=cus_harbor`);
    const pay = new PayPage(tab.page);
    await pay.ready();
    await pay.selectFirstInvoice();
    expect(await pay.textOf('error')).toBe(
      'Payment options unavailable The payment options could not be loaded. Check your connection and try again. Try again',
    );
    await tab.page.locator(aria('Try again', 'button')).click();
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    expect(await tab.page.$(part('error'))).toBeNull();
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(2);
    // The selection's line above the panel takes the focus that Retry had.
    const focused = await tab.page.evaluate(
      () => document.querySelector('settle-pay')?.shadowRoot?.activeElement?.getAttribute('part') ?? null,
    );
    expect(focused).toBe('selection');
    expect(tab.reports).toEqual({
      console: [{ type: 'error', text: expect.stringContaining('Failed to load resource') }],
      errors: [],
      csp: [],
    });
  });

  it('gives up on a settle-checkout.js that does not arrive in time, ignores it when it does, and Try again loads it', async () => {
    const tab = await newTab();
    // The loader waits 20 s for a piece; this page's clock runs that one wait in 300 ms.
    await tab.page.evaluateOnNewDocument(() => {
      const setTimeout = window.setTimeout;
      window.setTimeout = ((handler: TimerHandler, ms?: number, ...rest: unknown[]) =>
        setTimeout(handler, ms === 20_000 ? 300 : ms, ...rest)) as typeof window.setTimeout;
    });
    let release = () => {};
    const late = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = 0;
    await tab.page.setRequestInterception(true);
    tab.page.on('request', (request) => {
      const stalls = new URL(request.url()).pathname === '/settle-checkout.js' && asked++ === 0;
      void (stalls ? late : Promise.resolve()).then(() => request.continue());
    });
    await tab.page.goto(`${stage.server.url}/demo?customer=cus_harbor`);
    const pay = new PayPage(tab.page);
    await pay.ready();
    await pay.selectFirstInvoice();
    expect(await pay.textOf('error')).toBe(
      'Payment options unavailable The payment options could not be loaded. Check your connection and try again. Try again',
    );
    expect(await tab.page.$('script[src*="/settle-checkout.js"]'), 'the stalled script is removed').toBeNull();

    // The stalled file arrives after all: nothing changes, nothing breaks.
    release();
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    expect(await pay.textOf('error')).toContain('Payment options unavailable');

    // Try again inserts the piece anew (the browser may answer from its cache what arrived late).
    await tab.page.locator(aria('Try again', 'button')).click();
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    expect(await tab.page.$(part('error'))).toBeNull();
    expect(await tab.page.$$eval('script[src*="/settle-checkout.js"]', (s) => s.length)).toBe(1);
    expectQuietPage(tab.reports);
  });

  it('speaks German on a page whose lang is German, with settle-de.js fetched once', async () => {
    const tab = await newTab();
    await rewriteResponses(tab, {
      '/demo': (page) => replaceOnce(page, '<html lang="en">', '<html lang="de">'),
    });
    await tab.page.goto(`${stage.server.url}/demo?customer=cus_harbor`);
    const pay = new PayPage(tab.page);
    await pay.find(aria('Rechnungen bezahlen', 'heading'));
    await pay.selectFirstInvoice();
    await tab.page.locator(aria('Kartennummer', 'textbox')).wait();
    expect(requestsFor(tab, '/settle-de.js')).toBe(1);
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(1);
    expect(requestsFor(tab, '/settle-sandbox.js')).toBe(1);
    expectQuietPage(tab.reports);
  });

  it('loads the pieces on a page whose CSP allows scripts by nonce only', async () => {
    const nonce = 'e2e-nonce-4f9a';
    const { tab, pay } = await openDemo('cus_harbor', {
      '/demo': (page, headers) => {
        const csp = headers['content-security-policy'] ?? '';
        headers['content-security-policy'] = replaceOnce(csp, "script-src 'self'", `script-src 'nonce-${nonce}'`);
        return replaceOnce(page, '<script src="/settle.js"', `<script nonce="${nonce}" src="/settle.js"`);
      },
    });
    await pay.selectFirstInvoice();
    await pay.find(aria('Card number', 'textbox'));
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(1);
    expect(requestsFor(tab, '/settle-sandbox.js')).toBe(1);
    expectQuietPage(tab.reports);
  });

  it('refuses a settle-sandbox.js whose bytes were changed, and says the payment fields could not be loaded', async () => {
    const { tab, pay } = await openDemo('cus_harbor', {
      '/settle-sandbox.js': (script) => `window.__settleSkimmer = 'installed';\n${script}`,
    });
    await pay.selectFirstInvoice();
    expect(await pay.textOf('error')).toBe(FIELDS_FAILED);
    expect(await tab.page.$(aria('Card number', 'textbox'))).toBeNull();
    expect(await tab.page.evaluate(() => '__settleSkimmer' in window)).toBe(false);
    // Choosing another method mounts the fields again: settle.js tries once more, and is refused again.
    await pay.chooseMethod('Bank (ACH) debit');
    await until('the second refusal', () => (tab.reports.console.length === 2 ? true : undefined));
    expect(await pay.textOf('error')).toBe(FIELDS_FAILED);
    expect(await tab.page.$(aria('Routing number', 'textbox'))).toBeNull();
    expect(tab.reports).toEqual({
      console: [
        { type: 'error', text: expect.stringContaining("Failed to find a valid digest in the 'integrity' attribute") },
        { type: 'error', text: expect.stringContaining("Failed to find a valid digest in the 'integrity' attribute") },
      ],
      errors: [],
      csp: [],
    });
  });
});

describe('the hosted pay page in a real browser', () => {
  async function openLink(url: string): Promise<{ tab: Tab; pay: PayPage }> {
    const tab = await newTab();
    await tab.page.goto(url);
    return { tab, pay: new PayPage(tab.page) };
  }
  /** As quiet as the demo page, but for Chromium's own log line when the API refuses the link's token. */
  function expectQuietLink(reports: PageReports): void {
    const refused = /^Failed to load resource: the server responded with a status of 401/;
    expect({ ...reports, console: reports.console.filter((m) => !refused.test(m.text)) }).toEqual({
      console: [],
      errors: [],
      csp: [],
    });
  }
  const mint = (customerId: string) =>
    merchantApi<{ id: string; clientToken: string; url: string }>('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ customerId }),
    });

  it("shows the session's customer and invoices from the link's token", async () => {
    const { invoices } = await openItems('cus_harbor');
    const [oldest] = invoices;
    if (!oldest) throw new Error('The demo ERP lacks an invoice for cus_harbor');
    const session = await mint('cus_harbor');
    expect(session.url).toBe(`${stage.server.url}/pay#token=${encodeURIComponent(session.clientToken)}`);
    const { tab, pay } = await openLink(session.url);
    await pay.ready();
    expect(await pay.textOf('header')).toBe(`Pay your invoices Harborview Medical Supply, invoices from ${MERCHANT}`);
    // The list draws only the rows in view: those are the customer's oldest, in due-date order.
    const rows = await pay.invoiceRows();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows).toEqual(
      invoices.slice(0, rows.length).map((i) => `Pay invoice ${i.number}, ${usd(i.openAmount)} open`),
    );
    await pay.selectInvoice(oldest.number, oldest.openAmount);
    await tab.page.locator(aria(`Pay ${usd(oldest.openAmount)}`, 'button')).wait();
    expectQuietLink(tab.reports);
  });

  it('opens the payment panel at once for a link with preselected invoices', async () => {
    const [oldest, next] = (await openItems('cus_harbor')).invoices;
    if (!oldest || !next) throw new Error('The demo ERP lacks two invoices for cus_harbor');
    const session = await merchantApi<{ url: string }>('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ customerId: 'cus_harbor', invoiceIds: [oldest.id, next.id] }),
    });
    const { tab, pay } = await openLink(session.url);
    await tab.page.locator(aria(`Pay ${usd(oldest.openAmount + next.openAmount)}`, 'button')).wait();
    await tab.page.locator(aria('Card number', 'textbox')).wait();
    expect(await pay.textOf('selection')).toBe('2 invoices selected');
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(1);
    expectQuietLink(tab.reports);
  });

  it('says a link with an unknown token is not valid', async () => {
    const { tab, pay } = await openLink(`${stage.server.url}/pay#token=ct_test_not-a-real-token`);
    expect(await pay.textOf('error')).toBe(
      'This payment link is not valid Check that you opened the whole link, or ask for a new one.',
    );
    // settle.js ran, but no payment screen showed: neither the panel's nor the fields' code was fetched.
    expect(requestsFor(tab, '/settle.js')).toBe(1);
    expect(requestsFor(tab, '/settle-checkout.js')).toBe(0);
    expect(requestsFor(tab, '/settle-sandbox.js')).toBe(0);
    expectQuietLink(tab.reports);
  });

  it('says an expired link has expired', async () => {
    const session = await mint('cus_harbor');
    await stage.server.settle.deps.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', session.id)
      .execute();
    const { tab, pay } = await openLink(session.url);
    expect(await pay.textOf('expired')).toContain('This payment link has expired');
    expectQuietLink(tab.reports);
  });
});
