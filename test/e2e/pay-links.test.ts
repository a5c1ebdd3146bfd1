/**
 * Pay links in a real Chromium: the link a merchant mails opens the hosted page with the pinned
 * invoices selected, paying it shows up in the merchant's payer signals, and a tampered or
 * expired link shows a page that says so.
 */
import { describe, expect, it } from 'vitest';
import { createDemoErp } from '../../server/src/erp/seed.js';
import { payLinkToken, payLinkUrl } from '../../server/src/services/pay-links.js';
import { waitFor } from '../../server/test/harness.js';
import type { PageReports, Tab } from './support/browser.js';
import { aria, PayPage, usd } from './support/pay-page.js';
import { useStage } from './support/stage.js';

const MERCHANT = 'Northwind Supply Co.';

const erp = createDemoErp();
const stage = useStage({ erp });
const { merchantApi, newTab } = stage;

const issue = (body: { customerId: string; invoiceIds?: string[] }) =>
  merchantApi<{ id: string; url: string }>('/v1/pay-links', { method: 'POST', body: JSON.stringify(body) });

async function open(url: string): Promise<{ tab: Tab; pay: PayPage; status: number | null }> {
  const tab = await newTab();
  const response = await tab.page.goto(url);
  return { tab, pay: new PayPage(tab.page), status: response?.status() ?? null };
}

/** Nothing on the console but Chromium's own line for a refused page, no uncaught error, no CSP violation. */
function expectQuiet(reports: PageReports): void {
  const refused = /^Failed to load resource: the server responded with a status of (404|410)/;
  expect({ ...reports, console: reports.console.filter((m) => !refused.test(m.text)) }).toEqual({
    console: [],
    errors: [],
    csp: [],
  });
}

/** The refusal page's words, as the payer reads them. */
const noticeText = (tab: Tab) => tab.page.$eval('main', (main) => (main.textContent ?? '').replace(/\s+/g, ' ').trim());

describe('pay links in a real browser', () => {
  it('opens the hosted page with the pinned invoices selected, and paying them shows in the signals', async () => {
    const { invoices } = await erp.listOpenItems('cus_harbor');
    const [, second, third] = invoices;
    if (!second || !third) throw new Error('The demo ERP lacks three invoices for cus_harbor');
    const link = await issue({ customerId: 'cus_harbor', invoiceIds: [second.id, third.id] });
    const total = second.openAmount + third.openAmount;

    const { tab, pay } = await open(link.url);
    // The client token came in the fragment; the link itself is gone from the address bar.
    expect(tab.page.url()).toMatch(new RegExp(`^${stage.server.url}/pay#token=ct_test_`));
    await tab.page.locator(aria(`Pay ${usd(total)}`, 'button')).wait();
    expect(await pay.textOf('selection')).toBe('2 invoices selected');
    expect(await pay.isSelected(second.number, second.openAmount)).toBe(true);
    expect(await pay.isSelected(third.number, third.openAmount)).toBe(true);

    // Harborview is in Connecticut: no card surcharge, the total is what the invoices owe.
    await pay.fillCard('4242 4242 4242 4242', '12/34', '123');
    await pay.pay(total);
    expect((await pay.receipt()).title).toBe('Payment received');
    expectQuiet(tab.reports);

    type Signals = { data: Array<{ kind: string; invoiceId: string | null; payLinkId: string | null }> };
    const signals = await waitFor('the paid signal', async () => {
      const list = await merchantApi<Signals>('/v1/customers/cus_harbor/signals');
      return list.data.some((s) => s.kind === 'paid') ? list : undefined;
    });
    const kinds = signals.data.map((s) => s.kind).reverse();
    expect(kinds[0]).toBe('session_opened');
    expect(kinds.slice(-2)).toEqual(['payment_started', 'paid']);
    expect(new Set(signals.data.filter((s) => s.kind === 'invoice_viewed').map((s) => s.invoiceId))).toEqual(
      new Set([second.id, third.id]),
    );
    for (const s of signals.data) expect(s.payLinkId).toBe(link.id);
    expect(JSON.stringify(signals)).not.toMatch(/4242|visa/i);
  });

  it('shows a page that says a changed link is not valid', async () => {
    const { url } = await issue({ customerId: 'cus_summit' });
    const tampered = `${url.slice(0, -3)}${url.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const { tab, status } = await open(tampered);
    expect(status).toBe(404);
    expect(await noticeText(tab)).toBe(
      `This payment link is not valid Check that you opened the whole link from your email, or ask ${MERCHANT} for a new one.`,
    );
    expect(await tab.page.$('settle-pay')).toBeNull();
    expectQuiet(tab.reports);
  });

  it('shows a page that says an expired link has expired and whom to ask', async () => {
    const token = await payLinkToken(
      stage.server.settle.deps.db,
      'mer_default',
      { l: 'pl_old', c: 'cus_summit', i: [] },
      new Date(Date.now() - 60_000),
    );
    const { tab, status } = await open(payLinkUrl(stage.server.url, token));
    expect(status).toBe(410);
    expect(await noticeText(tab)).toBe(
      `This payment link has expired Payment links work for a limited time. Please ask ${MERCHANT} for a new one.`,
    );
    expect(await tab.page.title()).toBe(`This payment link has expired — ${MERCHANT}`);
    expectQuiet(tab.reports);
  });
});
