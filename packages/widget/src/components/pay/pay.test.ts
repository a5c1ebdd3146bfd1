/**
 * <settle-pay> in real Chromium against the real Settle server that web-test-runner starts
 * (scripts/wtr-settle-server.mjs): every state of issue 3, each with an axe check. Tests that
 * pay use a private copy of the customer (`fresh`), so they change nothing the others see.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { createSessionClient, type SessionClient, SettleHttpError, SettleNetworkError } from '@settle/client';
import { emulateMedia } from '@web/test-runner-commands';
import { css } from 'lit';
import type { SettleChangeEvent } from '../../events/change.js';
import { define } from '../../internal/define.js';
import { erpOpenItems, type MintOptions, mintSession } from '../../internal/test-session.js';
import { importPiece, replacePieceLoader } from '../../pieces/load-piece.js';
import type { PieceName } from '../../pieces/pieces.js';
import { SettleInvoiceList } from '../invoice-list/invoice-list.js';
import { SettlePay } from './pay.js';

define('settle-invoice-list', SettleInvoiceList);
define('settle-pay', SettlePay);

const CARDS = { credit: '4242424242424242', debit: '4000056655665556', declined: '4000000000000002' };
const expiry = `12${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

const shadow = (el: Element) => el.shadowRoot as ShadowRoot;
const part = (el: SettlePay, name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const payButton = (el: SettlePay) => part(el, 'pay-button') as HTMLButtonElement;
const list = (el: SettlePay) => shadow(el).querySelector('settle-invoice-list') as SettleInvoiceList;

async function settled(el: SettlePay, what: () => boolean, message: string): Promise<void> {
  await waitUntil(what, message, { timeout: 8000 });
  await el.updateComplete;
}

/** A session for `customer` on the real server, rendered; with a preselection, ready to pay (fields mounted). */
async function mount(customer = 'cus_acme', mint: MintOptions = {}, locale = 'en') {
  const session = await mintSession(customer, mint);
  const el = await fixture<SettlePay>(
    html`<settle-pay client-token=${session.clientToken} api-url=${session.apiUrl} locale=${locale}></settle-pay>`,
  );
  await ready(el);
  return { el, session };
}

/** The element with an injected client (a real one, wrapped to watch or bend what it does). */
async function mountWith(client: SessionClient) {
  const el = await fixture<SettlePay>(html`<settle-pay .client=${client} locale="en"></settle-pay>`);
  await ready(el);
  return el;
}

/**
 * A real client whose createPayment records each idempotency key and holds either the request
 * (before the server sees it) or the server's answer until `release()`.
 */
function gatedPayments(real: SessionClient, hold: 'request' | 'answer') {
  const keys: string[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const client: SessionClient = {
    ...real,
    async createPayment(request, options) {
      keys.push(options?.idempotencyKey ?? '');
      if (hold === 'request') await gate;
      const created = await real.createPayment(request, options);
      if (hold === 'answer') await gate;
      return created;
    },
  };
  return { client, keys, release: () => release() };
}

async function ready(el: SettlePay): Promise<void> {
  await settled(el, () => part(el, 'header') !== null || part(el, 'empty') !== null, 'the session loads');
  // The payment panel opens on the first selection, or at once for a preselection (a pay link).
  if (part(el, 'checkout')) await panelReady(el);
}

/** The payment panel is open: the checkout piece arrived, the Pay button and the provider's fields are there. */
async function panelReady(el: SettlePay): Promise<void> {
  await settled(el, () => part(el, 'pay-button') !== null && fieldsReady(el), 'the payment panel and its fields');
}

function fieldsReady(el: SettlePay): boolean {
  return el.querySelector('[slot="payment-fields"] input') !== null;
}

/** Ticks an invoice in the list by its number, as a payer would, and waits for the panel if it opens. */
async function select(el: SettlePay, number: string): Promise<void> {
  await tick(el, number);
  if (part(el, 'checkout')) await panelReady(el);
}

/** Ticks an invoice in the list by its number, without waiting for the payment panel. */
async function tick(el: SettlePay, number: string): Promise<void> {
  rowOf(el, number).querySelector<HTMLInputElement>('input[type="checkbox"]')?.click();
  await list(el).updateComplete;
  await el.updateComplete;
}

/** Ticks "Select all" in the list's header. */
async function selectAll(el: SettlePay): Promise<void> {
  shadow(list(el)).querySelector<HTMLInputElement>('[role="columnheader"] input[type="checkbox"]')?.click();
  await list(el).updateComplete;
  await el.updateComplete;
  await panelReady(el);
}

function rowOf(el: SettlePay, number: string): HTMLElement {
  const rows = [...shadow(list(el)).querySelectorAll<HTMLElement>('[role="row"][data-id]')];
  const row = rows.find((r) => text(r.querySelector('.number')) === number);
  if (!row) throw new Error(`No row for ${number}`);
  return row;
}

function type(input: HTMLInputElement | null | undefined, value: string): void {
  if (!input) throw new Error('No such input');
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

/** The provider's field labelled `label` (light DOM, slotted into the element). */
function field(el: SettlePay, label: string): HTMLInputElement {
  const found = [...el.querySelectorAll('label')].find((l) => l.textContent?.startsWith(label));
  if (!found?.control) throw new Error(`No field labelled ${label}`);
  return found.control as HTMLInputElement;
}

async function enterCard(el: SettlePay, number: string): Promise<void> {
  type(field(el, 'Card number'), number);
  type(field(el, 'Expiry date'), expiry);
  type(field(el, 'Security code'), '123');
  field(el, 'Security code').blur();
  await el.updateComplete;
}

/** The sandbox's bank fields, filled and authorized as a payer would (Acme's routing test number). */
async function enterBank(el: SettlePay, account: string): Promise<void> {
  type(field(el, 'Account holder name'), 'Acme Industrial Supply');
  type(field(el, 'Routing number'), '110000000');
  type(field(el, 'Account number'), account);
  type(field(el, 'Confirm account number'), account);
  field(el, 'I authorize').click();
  await el.updateComplete;
}

async function chooseMethod(el: SettlePay, method: 'card' | 'ach_debit' | 'wallet'): Promise<void> {
  shadow(el).querySelector<HTMLInputElement>(`#method-${method}`)?.click();
  await el.updateComplete;
  await settled(el, () => fieldsReady(el), 'the fields for the method mount');
}

const creditBox = (el: SettlePay) =>
  shadow(el).querySelector<HTMLInputElement>('input[type="checkbox"][id^="credit-cm_2048"]');
const creditAmount = (el: SettlePay) =>
  shadow(el).querySelector<HTMLInputElement>('input[id^="credit-cm_2048"][id$="-amount"]');

/** Applies credit memo CM-2048 with `amount` of it. */
async function applyCredit(el: SettlePay, amount: string): Promise<void> {
  creditBox(el)?.click();
  await el.updateComplete;
  type(creditAmount(el), amount);
  await el.updateComplete;
}

const summaryRows = (el: SettlePay) =>
  [...(part(el, 'summary')?.querySelectorAll('.row') ?? [])].map((r) => [
    text(r.querySelector('dt')),
    text(r.querySelector('dd')),
  ]);

describe('<settle-pay>', () => {
  it('shows a skeleton while the session loads', async () => {
    const { apiUrl, clientToken } = await mintSession();
    const real = createSessionClient({ apiUrl, clientToken });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const client = { ...real, getSession: () => gate.then(() => real.getSession()) };
    const el = await fixture<SettlePay>(html`<settle-pay .client=${client} locale="en"></settle-pay>`);
    const loading = part(el, 'loading');
    expect(loading).to.exist;
    expect(loading?.getAttribute('aria-busy')).to.equal('true');
    expect(text(loading)).to.contain('Loading your invoices');
    await expect(el).to.be.accessible();
    release();
    await settled(el, () => part(el, 'header') !== null, 'the session loads');
  });

  it('lists the open invoices first, with no payment panel until one is selected', async () => {
    const session = await mintSession('cus_acme');
    const el = await fixture<SettlePay>(
      html`<settle-pay client-token=${session.clientToken} api-url=${session.apiUrl} locale="en"></settle-pay>`,
    );
    const ready = await oneEvent(el, 'settle-ready');
    expect(ready.detail.session.customer.id).to.equal('cus_acme');
    await settled(el, () => part(el, 'header') !== null, 'the session loads');
    expect(text(part(el, 'header'))).to.contain('Acme Industrial Supply');
    expect(shadow(list(el)).querySelectorAll('[role="row"][data-id]').length).to.equal(
      ready.detail.session.invoices.length,
    );
    expect(text(part(el, 'selection'))).to.equal('Select the invoices you want to pay.');
    expect(part(el, 'checkout'), 'no payment panel').to.equal(null);
    expect(part(el, 'pay-button')).to.equal(null);
    expect(el.querySelector('[slot="payment-fields"]'), 'no payment fields').to.equal(null);
    await expect(el).to.be.accessible();

    // Deselecting everything folds the panel away again; selecting brings it back as it was.
    await select(el, 'INV-10233');
    expect(text(part(el, 'selection'))).to.equal('1 invoice selected');
    await applyCredit(el, '100.00');
    await enterCard(el, CARDS.debit);
    await select(el, 'INV-10233');
    expect(text(part(el, 'selection'))).to.equal('Select the invoices you want to pay.');
    expect(part(el, 'checkout')).to.equal(null);
    await expect(el).to.be.accessible();
    await select(el, 'INV-10233');
    expect(field(el, 'Card number').value.replace(/\s/g, ''), 'the typed card').to.equal(CARDS.debit);
    expect(creditBox(el)?.checked, 'the credit stays applied').to.equal(true);
    expect(creditAmount(el)?.value).to.equal('100.00');
    expect(summaryRows(el)).to.deep.include.members([
      ['Credit CM-2048', '-$100.00'],
      ['Total', '$356.35'],
    ]);
    expect(payButton(el).disabled, 'ready to pay as it was').to.equal(false);
  });

  it('shows the credits, the allowed methods and the surcharge disclosure once an invoice is selected', async () => {
    const { el } = await mount('cus_acme');
    const changed = oneEvent(el, 'settle-change');
    await select(el, 'INV-10233');
    expect((await changed).detail.quote.total, 'the selection is reported once the panel prices it').to.equal(45_635);
    expect(text(part(el, 'selection'))).to.equal('1 invoice selected');
    expect(text(part(el, 'credits')))
      .to.contain('CM-2048')
      .and.contain('$350.00 available');
    const methods = [...shadow(el).querySelectorAll<HTMLInputElement>('input[name="method"]')].map((i) => i.value);
    expect(methods).to.deep.equal(['card', 'ach_debit', 'wallet']);
    expect(text(part(el, 'methods'))).to.contain(
      'A 3% surcharge applies to credit cards; debit cards and bank transfers have none.',
    );
    expect(payButton(el).disabled, 'no card entered yet').to.equal(true);
    expect(text(part(el, 'summary'))).to.contain('Invoice INV-10233');
    await expect(el).to.be.accessible();
  });

  it('starts with the invoices the merchant preselected, the payment panel open', async () => {
    const { el } = await mount('cus_acme', { invoiceIds: ['inv_10233', 'inv_10239'] });
    expect(text(part(el, 'selection'))).to.equal('2 invoices selected');
    expect(summaryRows(el)).to.deep.include.members([
      ['Invoice INV-10233', '$456.35'],
      ['Invoice INV-10239', '$286.92'],
      ['Total', '$743.27'],
    ]);
    expect(text(payButton(el))).to.equal('Pay $743.27');
  });

  it('says there is nothing to pay when the customer has no open invoice', async () => {
    const { el } = await mount(undefined, { invoices: 0 });
    expect(text(part(el, 'empty')))
      .to.contain('Nothing to pay')
      .and.contain('has no open invoices');
    await expect(el).to.be.accessible();
  });

  it('folds a long selection into one summary line', async () => {
    const { el } = await mount(undefined, { invoices: 40 });
    await selectAll(el);
    const summary = part(el, 'summary');
    expect(summary?.querySelectorAll('.row:not(.total)')).to.have.length(8);
    expect(text(summary)).to.contain('33 more invoices');
    await expect(el).to.be.accessible();
  });

  it('totals two invoices, a partly applied credit and a short payment with its reason, exactly', async () => {
    const { el } = await mount('cus_acme', { fresh: true });
    const changes: number[] = [];
    el.addEventListener('settle-change', (e) => changes.push(e.detail.quote.total));
    await select(el, 'INV-10233');
    await select(el, 'INV-10239');
    const amount = rowOf(el, 'INV-10239').querySelector<HTMLInputElement>('input.amount');
    type(amount, '258.23');
    amount?.blur();
    await list(el).updateComplete;
    const reason = rowOf(el, 'INV-10239').querySelector<HTMLSelectElement>('select');
    expect(reason, 'a short payment asks for a reason on its line').to.exist;
    reason!.value = 'damaged_goods';
    reason!.dispatchEvent(new Event('change', { bubbles: true }));
    await el.updateComplete;

    const credit = shadow(el).querySelector<HTMLInputElement>('input[type="checkbox"][id^="credit-cm_2048"]');
    credit?.click();
    await el.updateComplete;
    const creditAmount = shadow(el).querySelector<HTMLInputElement>('input[id^="credit-cm_2048"][id$="-amount"]');
    expect(creditAmount?.value, 'applying a credit fills in what it can take').to.equal('350.00');
    type(creditAmount, '120.50');
    await el.updateComplete;

    expect(summaryRows(el)).to.deep.equal([
      ['Invoice INV-10233', '$456.35'],
      ['Invoice INV-10239', '$258.23'],
      ['Credit CM-2048', '-$120.50'],
      ['Subtotal', '$594.08'],
      ['Total', '$594.08'],
    ]);
    expect(text(payButton(el))).to.equal('Pay $594.08');
    expect(changes.at(-1)).to.equal(59_408);
    await expect(el).to.be.accessible();
  });

  it('shows a method over its limit as unavailable, with the reason', async () => {
    const { el } = await mount('cus_acme');
    await selectAll(el);
    const card = shadow(el).querySelector<HTMLInputElement>('#method-card');
    expect(card?.disabled).to.equal(true);
    expect(text(card?.closest('li'))).to.contain('Card payments are limited to $25,000.00');
    expect(shadow(el).querySelector<HTMLInputElement>('#method-ach_debit')?.disabled).to.equal(false);
    expect(payButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('adds the surcharge for a credit card and drops it for a debit card', async () => {
    const { el } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    await settled(el, () => text(part(el, 'summary')).includes('surcharge'), 'the surcharge line appears');
    expect(summaryRows(el)).to.deep.include.members([
      ['Credit card surcharge (3%)', '$13.69'],
      ['Total', '$470.04'],
    ]);
    expect(text(payButton(el))).to.equal('Pay $470.04');
    await expect(el).to.be.accessible();

    await enterCard(el, CARDS.debit);
    await settled(el, () => !text(part(el, 'summary')).includes('Credit card surcharge'), 'the surcharge goes');
    expect(summaryRows(el)).to.deep.include.members([
      ['No surcharge on debit cards', '$0.00'],
      ['Total', '$456.35'],
    ]);
    expect(text(payButton(el))).to.equal('Pay $456.35');
  });

  it('shows the ACH authorization with the bank fields', async () => {
    const { el } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await chooseMethod(el, 'ach_debit');
    const fields = el.querySelector('[slot="payment-fields"]');
    expect(text(fields)).to.contain('you authorize Northwind Supply Co. to debit the bank account');
    expect(field(el, 'I authorize').type).to.equal('checkbox');
    expect(text(part(el, 'methods'))).to.contain('bank transfers have none');
    await expect(el).to.be.accessible();
  });
  it('links the account statement as PDF and CSV under the payment panel, in German too', async () => {
    const { el } = await mount('cus_acme');
    expect(part(el, 'statement'), 'not before the panel opens').to.equal(null);
    await select(el, 'INV-10233');
    const statement = part(el, 'statement');
    expect(text(statement)).to.equal('Account statement: PDF · CSV');
    const [pdf, csv] = [...(statement?.querySelectorAll('a') ?? [])];
    expect(pdf?.href).to.match(/\/v1\/documents\/[\w-]+\.[\w-]+\/statement\.pdf$/);
    expect(csv?.href).to.match(/\/v1\/documents\/[\w-]+\.[\w-]+\/statement\.csv$/);
    await expect(el).to.be.accessible();
    el.locale = 'de';
    await settled(el, () => text(part(el, 'statement')) === 'Kontoauszug: PDF · CSV', 'the statement line in German');
  });

  it('pays by sandbox card and shows the receipt', async () => {
    const { el, session } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const submitted = oneEvent(el, 'settle-submit');
    const succeeded = oneEvent(el, 'settle-success');
    payButton(el).click();
    expect((await submitted).detail.quote.total).to.equal(47_004);
    const { payment } = (await succeeded).detail;
    expect(payment.status).to.equal('succeeded');
    expect(payment.amount).to.equal(47_004);
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    const receipt = part(el, 'receipt');
    expect(text(receipt)).to.contain('Payment received').and.contain('Visa •4242').and.contain(payment.id);
    const rows = [...(receipt?.querySelectorAll('.rows .row') ?? [])].map(
      (r) => `${text(r.querySelector('dt'))} ${text(r.querySelector('dd'))}`,
    );
    expect(rows).to.deep.equal([
      'Invoice INV-10233 $456.35',
      'Subtotal $456.35',
      'Credit card surcharge (3%) $13.69',
      'Total paid $470.04',
    ]);
    const download = part(el, 'receipt-download') as HTMLAnchorElement;
    expect(text(download)).to.equal('Download receipt (PDF)');
    expect(download.href, 'a signed link that needs no token').to.match(
      /\/v1\/documents\/[\w-]+\.[\w-]+\/receipt\.pdf$/,
    );
    expect(shadow(el).activeElement, 'focus moves to the receipt').to.equal(receipt?.querySelector('h2'));
    expect(el.querySelector('[slot="payment-fields"] input'), 'the card fields are gone').to.equal(null);
    await expect(el).to.be.accessible();
    await waitUntil(
      async () => !(await erpOpenItems(session.customerId)).invoices.some((i) => i.number === 'INV-10233'),
      'the ERP has the invoice paid',
      { timeout: 5000 },
    );
  });

  it('shows a decline, keeps the selection, and pays with another card', async () => {
    const { el } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.declined);
    const failed = oneEvent(el, 'settle-error');
    payButton(el).click();
    const { detail } = await failed;
    expect(detail.code).to.equal('card_declined');
    expect(detail.payment?.status).to.equal('failed');
    await settled(el, () => part(el, 'error') !== null, 'the decline shows');
    expect(text(part(el, 'error')))
      .to.contain('Payment declined')
      .and.contain('Your card was declined. Try another');
    expect(shadow(el).activeElement).to.equal(part(el, 'error')?.querySelector('h3'));
    expect(rowOf(el, 'INV-10233').querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked).to.equal(true);
    expect(summaryRows(el)).to.deep.include(['Invoice INV-10233', '$456.35']);
    await settled(el, () => fieldsReady(el) && field(el, 'Card number').value === '', 'fresh card fields');
    await expect(el).to.be.accessible();

    await enterCard(el, CARDS.credit);
    payButton(el).click();
    await settled(el, () => part(el, 'receipt') !== null, 'the second card pays');
    expect(text(part(el, 'receipt'))).to.contain('$470.04');
  });

  it('shows a bank payment as pending, then the receipt once it settles', async function () {
    this.timeout(20_000);
    const { el } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await chooseMethod(el, 'ach_debit');
    await enterBank(el, '000123456789');
    expect(text(payButton(el))).to.equal('Pay $456.35');
    const accepted = oneEvent(el, 'settle-success');
    payButton(el).click();
    expect((await accepted).detail.payment.status).to.equal('processing');
    await settled(el, () => part(el, 'pending') !== null, 'the pending state shows');
    expect(text(part(el, 'pending'))).to.contain(
      "Your bank payment is processing. It usually takes up to 4 business days; we'll email you.",
    );
    expect(text(part(el, 'pending'))).to.contain('STRIPE TEST BANK •6789');
    await expect(el).to.be.accessible();
    const settledEvent = oneEvent(el, 'settle-success');
    expect((await settledEvent).detail.payment.status).to.equal('succeeded');
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt replaces the pending state');
    expect(text(part(el, 'receipt')))
      .to.contain('Payment received')
      .and.contain('Paid');
  });

  it('shows a bank debit that fails while processing as a decline, keeping the selection', async function () {
    this.timeout(20_000);
    const { el } = await mount('cus_acme', { fresh: true });
    await select(el, 'INV-10233');
    await chooseMethod(el, 'ach_debit');
    await enterBank(el, '000222222227');
    payButton(el).click();
    await settled(el, () => part(el, 'pending') !== null, 'the pending state shows');
    const failed = await oneEvent(el, 'settle-error');
    expect(failed.detail.code).to.equal('R01');
    await settled(el, () => part(el, 'error') !== null, 'the failure shows');
    expect(text(part(el, 'error'))).to.contain('Your bank returned the debit for insufficient funds');
    expect(summaryRows(el)).to.deep.include(['Invoice INV-10233', '$456.35']);
    await settled(el, () => fieldsReady(el), 'the bank fields are back for another try');
    expect(shadow(el).activeElement).to.equal(part(el, 'error')?.querySelector('h3'));
    await expect(el).to.be.accessible();
  });

  it('says an unknown link is not valid and an expired one has expired, with the way back', async () => {
    const { apiUrl } = await mintSession();
    const back = 'https://merchant.example.com/account';
    const unknown = await fixture<SettlePay>(
      html`<settle-pay client-token="ct_test_not_a_real_token" api-url=${apiUrl} return-url=${back} locale="en"></settle-pay>`,
    );
    const error = await oneEvent(unknown, 'settle-error');
    expect(error.detail.code).to.equal('unauthorized');
    await settled(unknown, () => part(unknown, 'error') !== null, 'the invalid link state');
    expect(text(part(unknown, 'error'))).to.contain('This payment link is not valid');
    await expect(unknown).to.be.accessible();

    const expiredClient = {
      getSession: () =>
        Promise.reject(new SettleHttpError(401, { code: 'session_expired', message: 'The session has expired' })),
    } as unknown as SessionClient;
    const expired = await fixture<SettlePay>(
      html`<settle-pay .client=${expiredClient} return-url=${back} locale="en"></settle-pay>`,
    );
    await settled(expired, () => part(expired, 'expired') !== null, 'the expired state');
    expect(text(part(expired, 'expired'))).to.contain('This payment link has expired');
    const link = part(expired, 'expired')?.querySelector('a');
    expect(link?.getAttribute('href')).to.equal(back);
    expect(text(link)).to.equal('Back to merchant.example.com');
    await expect(expired).to.be.accessible();
  });

  it('says when the server cannot be reached, and Retry loads the session', async () => {
    const closed = await fixture<SettlePay>(
      html`<settle-pay client-token="ct_test_x" api-url="http://127.0.0.1:9" locale="en"></settle-pay>`,
    );
    await settled(closed, () => part(closed, 'error') !== null, 'the network error state');
    expect(text(part(closed, 'error'))).to.contain('We could not reach the payment service');
    await expect(closed).to.be.accessible();

    const { apiUrl, clientToken } = await mintSession();
    let down = true;
    const flaky: typeof fetch = (input, init) =>
      down ? Promise.reject(new TypeError('Failed to fetch')) : fetch(input, init);
    const client = createSessionClient({ apiUrl, clientToken, fetch: flaky, retry: 0 });
    const el = await fixture<SettlePay>(html`<settle-pay .client=${client} locale="en"></settle-pay>`);
    await settled(el, () => part(el, 'error') !== null, 'the network error state');
    down = false;
    const retry = [...(part(el, 'error')?.querySelectorAll('button') ?? [])].find((b) => text(b) === 'Try again');
    retry?.click();
    await settled(el, () => part(el, 'header') !== null, 'the session loads on retry');
    expect(shadow(el).activeElement, 'focus moves to the title').to.equal(part(el, 'header')?.querySelector('h2'));
  });

  it('loads and pays through an injected validating client instead of making its own', async () => {
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const sent: string[] = [];
    const watched: typeof fetch = (input, init) => {
      sent.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const el = await mountWith(createSessionClient({ apiUrl, clientToken, fetch: watched }));
    expect(el.clientToken, 'no token: every request goes through the injected client').to.equal('');
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const succeeded = oneEvent(el, 'settle-success');
    payButton(el).click();
    expect((await succeeded).detail.payment.status).to.equal('succeeded');
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(sent).to.include.members([
      'GET /v1/session',
      'POST /v1/sandbox/tokens',
      'POST /v1/session/quote',
      'POST /v1/session/payments',
    ]);
    await expect(el).to.be.accessible();
  });

  it('charges once when Pay is pressed twice', async () => {
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const real = createSessionClient({ apiUrl, clientToken });
    const keys: string[] = [];
    const client: SessionClient = {
      ...real,
      createPayment: (request, options) => {
        keys.push(options?.idempotencyKey ?? '');
        return real.createPayment(request, options);
      },
    };
    const el = await mountWith(client);
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    let submits = 0;
    el.addEventListener('settle-submit', () => submits++);
    payButton(el).click();
    payButton(el).click();
    await el.updateComplete;
    expect(payButton(el).disabled).to.equal(true);
    expect(payButton(el).getAttribute('aria-busy')).to.equal('true');
    payButton(el).dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(submits).to.equal(1);
    expect(keys).to.have.length(1);
  });

  it('keeps the selection and the typed card when the page moves the element', async () => {
    const { el } = await mount('cus_acme');
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    let loads = 0;
    el.addEventListener('settle-ready', () => loads++);
    const elsewhere = document.createElement('section');
    document.body.append(elsewhere);
    elsewhere.append(el);
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loads, 'no reload').to.equal(0);
    expect(field(el, 'Card number').value.replace(/\s/g, '')).to.equal(CARDS.credit);
    expect(payButton(el).disabled).to.equal(false);
    await expect(el).to.be.accessible();
    elsewhere.remove();
  });

  it('finishes a payment while the element is away, and shows its receipt when it returns', async () => {
    const { apiUrl, clientToken, customerId } = await mintSession('cus_acme', { fresh: true });
    const { client, keys, release } = gatedPayments(createSessionClient({ apiUrl, clientToken }), 'answer');
    const el = await mountWith(client);
    const parent = el.parentElement as HTMLElement;
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const succeeded = oneEvent(el, 'settle-success');
    payButton(el).click();
    await waitUntil(() => keys.length === 1, 'the payment is sent');
    el.remove();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const { payment } = (await succeeded).detail;
    expect(payment.status).to.equal('succeeded');
    parent.append(el);
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows after the element returns');
    expect(text(part(el, 'receipt'))).to.contain(payment.id);
    // A reload asked for after the payment sees the invoice paid, once.
    await el.reload();
    await settled(el, () => part(el, 'header') !== null, 'the session loads again');
    expect(keys).to.have.length(1);
    const open = await erpOpenItems(customerId);
    expect(open.invoices.some((i) => i.number === 'INV-10233')).to.equal(false);
  });

  it('lets a payment in flight finish, under its key, before reload() reads the session again', async () => {
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const { client, keys, release } = gatedPayments(createSessionClient({ apiUrl, clientToken }), 'request');
    const el = await mountWith(client);
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const order: string[] = [];
    el.addEventListener('settle-success', () => order.push('success'));
    el.addEventListener('settle-ready', () => order.push('ready'));
    payButton(el).click();
    await waitUntil(() => keys.length === 1, 'the payment is sent');
    const reloaded = el.reload();
    release();
    await reloaded;
    expect(order).to.deep.equal(['success', 'ready']);
    expect(keys).to.have.length(1);
  });

  it('retries a payment whose answer was lost under the same key, and gets the same payment', async () => {
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const real = createSessionClient({ apiUrl, clientToken });
    const calls: { key: string; id: string }[] = [];
    const client: SessionClient = {
      ...real,
      async createPayment(request, options) {
        const created = await real.createPayment(request, options);
        calls.push({ key: created.idempotencyKey, id: created.payment.id });
        if (calls.length === 1) throw new SettleNetworkError('The connection broke during the answer');
        return created;
      },
    };
    const el = await mountWith(client);
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    payButton(el).click();
    await settled(el, () => part(el, 'error') !== null, 'the network error shows');
    expect(text(part(el, 'error'))).to.contain('We could not reach the payment service');
    const retry = [...(part(el, 'error')?.querySelectorAll('button') ?? [])].find((b) => text(b) === 'Try again');
    retry?.click();
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(calls).to.have.length(2);
    expect(calls[1]?.key).to.equal(calls[0]?.key);
    expect(calls[1]?.id).to.equal(calls[0]?.id);
  });

  it('asks again before charging a total the server priced differently', async () => {
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const real = createSessionClient({ apiUrl, clientToken });
    const expected: (number | undefined)[] = [];
    let quotes = 0;
    const client: SessionClient = {
      ...real,
      // The first answer prices the card as credit, as a processor that knows more than the fields would.
      async quote(request, options) {
        const q = await real.quote(request, options);
        if (++quotes > 1) return q;
        return { ...q, surcharge: { status: 'applied', rateBps: 300, amount: 1369 }, total: q.total + 1369 };
      },
      createPayment(request, options) {
        expected.push(request.expectedTotal);
        return real.createPayment(request, options);
      },
    };
    const el = await mountWith(client);
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.debit);
    expect(text(payButton(el))).to.equal('Pay $456.35');
    payButton(el).click();
    await settled(el, () => text(payButton(el)) === 'Pay $470.04', 'the new total is shown');
    expect(expected, 'nothing is charged before the payer accepts').to.deep.equal([]);
    expect(text(shadow(el).querySelector('[data-confirm]'))).to.contain('The total for this payment is $470.04');
    expect(summaryRows(el)).to.deep.include(['Credit card surcharge (3%)', '$13.69']);
    await expect(el).to.be.accessible();
    payButton(el).click();
    // The server's own total differs from the one accepted (409): it is shown again, not charged.
    await settled(el, () => text(payButton(el)) === 'Pay $456.35' && !payButton(el).disabled, 'the server total');
    payButton(el).click();
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(expected).to.deep.equal([47_004, 45_635]);
    expect(text(part(el, 'receipt'))).to.contain('Total paid $456.35');
  });

  it('stops when a settle-submit listener prevents it', async () => {
    const calls: unknown[] = [];
    const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true });
    const real = createSessionClient({ apiUrl, clientToken });
    const client: SessionClient = {
      ...real,
      createPaymentMethodToken: (input, options) => {
        calls.push(input);
        return real.createPaymentMethodToken(input, options);
      },
    };
    const el = await mountWith(client);
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    el.addEventListener('settle-submit', (e) => e.preventDefault());
    payButton(el).click();
    await el.updateComplete;
    expect(calls).to.deep.equal([]);
    expect(payButton(el).disabled).to.equal(false);
  });

  it('marks the line the server refused: another payment already reserved it', async () => {
    const { el, session } = await mount('cus_acme', { fresh: true });
    // A second session of the same customer pays the invoice first, by a bank debit that stays processing.
    const other = await mintSessionFor(session.customerId);
    const otherClient = createSessionClient(other);
    const view = await otherClient.getSession();
    const invoice = view.invoices.find((i) => i.number === 'INV-10233')!;
    const bank = await otherClient.createPaymentMethodToken({
      type: 'us_bank_account',
      routingNumber: '110000000',
      accountNumber: '000000000009',
      accountHolderName: 'Acme',
      accountHolderType: 'company',
    });
    await otherClient.createPayment({
      method: 'ach_debit',
      allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      paymentMethodToken: bank.id,
    });
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    payButton(el).click();
    await settled(el, () => part(el, 'error') !== null, 'the refusal shows');
    expect(text(part(el, 'error'))).to.contain('Some details need your attention');
    await list(el).updateComplete;
    expect(text(rowOf(el, 'INV-10233'))).to.contain('A payment for this invoice is already on its way');
    await expect(el).to.be.accessible();
  });

  it('speaks German with German amounts', async () => {
    const { el } = await mount('cus_rheinwerk', {}, 'de-DE');
    expect(text(part(el, 'header'))).to.contain('Rechnungen bezahlen');
    expect(text(part(el, 'selection'))).to.equal('Wählen Sie die Rechnungen, die Sie bezahlen möchten.');
    await expect(el).to.be.accessible();
    await select(el, 'INV-10248');
    expect(text(part(el, 'selection'))).to.equal('1 Rechnung ausgewählt');
    expect(text(part(el, 'credits'))).to.contain('1.415,01 € verfügbar');
    expect(text(payButton(el))).to.equal('170,65 € bezahlen');
    expect(text(part(el, 'methods'))).to.contain('Zahlungsart');
    await expect(el).to.be.accessible();
  });

  it('says a decline in German, by its decline code, not in the English of the server', async () => {
    const { el } = await mount('cus_rheinwerk', { fresh: true }, 'de-DE');
    await select(el, 'INV-10248');
    await settled(el, () => fieldsReady(el), 'the fields mount');
    type(field(el, 'Kartennummer'), '4000000000009995');
    type(field(el, 'Ablaufdatum'), expiry);
    type(field(el, 'Prüfnummer'), '123');
    field(el, 'Prüfnummer').blur();
    await el.updateComplete;
    const failed = oneEvent(el, 'settle-error');
    payButton(el).click();
    const { detail } = await failed;
    expect(detail.payment?.failure?.declineCode).to.equal('insufficient_funds');
    await settled(el, () => part(el, 'error') !== null, 'the decline shows');
    expect(text(part(el, 'error')))
      .to.contain('Zahlung abgelehnt')
      .and.contain('Auf dem Konto ist nicht genug Deckung')
      .and.not.contain('insufficient');
    expect(detail.message).to.contain('nicht genug Deckung');
    await expect(el).to.be.accessible();
  });

  it('warns once, with a code, when the client token is missing', async () => {
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => warnings.push(String(args[0]));
    try {
      const el = await fixture<SettlePay>(html`<settle-pay locale="en"></settle-pay>`);
      await fixture<SettlePay>(html`<settle-pay locale="en"></settle-pay>`);
      await el.updateComplete;
      expect(text(part(el, 'error'))).to.contain('Payment cannot start');
      await expect(el).to.be.accessible();
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => w.includes('SETTLE_MISSING_TOKEN'))).to.have.length(1);
  });

  it('themes: reflects theme and keeps the width token', async () => {
    const { el } = await mount('cus_harbor', {}, 'en');
    await selectAll(el);
    el.theme = 'dark';
    await el.updateComplete;
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(text(part(el, 'methods')), 'no surcharge where the state forbids it').not.to.contain('surcharge');
    el.style.setProperty('--settle-pay-max-width', '400px');
    expect(part(el, 'base')?.getBoundingClientRect().width).to.be.at.most(400);
    await expect(el).to.be.accessible();
  });
});

describe('<settle-pay> while the payment panel loads', () => {
  /** The checkout piece's loads, held until released or failed; the other pieces load as usual. */
  function holdCheckout() {
    const waiting: { release(): void; fail(): void }[] = [];
    const held = {
      loads: 0,
      release: () => {
        for (const w of waiting.splice(0)) w.release();
      },
      fail: () => {
        for (const w of waiting.splice(0)) w.fail();
      },
    };
    const loader = (name: PieceName) => {
      if (name !== 'checkout') return importPiece(name);
      held.loads++;
      return new Promise((resolve, reject) => {
        waiting.push({
          release: () => resolve(importPiece(name)),
          fail: () => reject(new Error('settle-checkout.js: the request failed')),
        });
      });
    };
    replacePieceLoader(loader as Parameters<typeof replacePieceLoader>[0]);
    return held;
  }
  afterEach(() => replacePieceLoader(null));

  const skeleton = (el: SettlePay) => part(el, 'checkout')?.querySelector('[aria-busy="true"]');
  const retryButton = (el: SettlePay) =>
    [...(part(el, 'error')?.querySelectorAll('button') ?? [])].find((b) => text(b) === 'Try again');
  /** Try again is there and not busy. */
  const failedAgain = (el: SettlePay) => {
    const retry = retryButton(el);
    return retry !== undefined && retry.getAttribute('aria-disabled') !== 'true';
  };
  /** What has focus in the element, as `tag: text` (a short message when it is not what was expected). */
  const focused = (el: SettlePay) => {
    const active = shadow(el).activeElement;
    return active ? `${active.localName}: ${text(active)}` : '(nothing in the element)';
  };
  const announced = (el: SettlePay) => text(shadow(el).querySelector('[role="status"]'));
  const changes = (el: SettlePay) => {
    const seen: SettleChangeEvent['detail'][] = [];
    el.addEventListener('settle-change', (e) => seen.push(e.detail));
    return seen;
  };

  it('shows a skeleton in the panel while its code loads, and takes selections made meanwhile', async () => {
    const held = holdCheckout();
    const { el } = await mount('cus_acme');
    const changed = changes(el);
    await tick(el, 'INV-10233');
    expect(text(skeleton(el))).to.equal('Loading the payment options…');
    await expect(el).to.be.accessible();

    await tick(el, 'INV-10239');
    expect(text(part(el, 'selection'))).to.equal('2 invoices selected');
    expect(skeleton(el), 'still loading').to.exist;
    expect(held.loads, 'one load for both selections').to.equal(1);
    held.release();
    await panelReady(el);
    expect(summaryRows(el)).to.deep.include.members([
      ['Invoice INV-10233', '$456.35'],
      ['Invoice INV-10239', '$286.92'],
    ]);
    expect(
      changed.map((c) => c.quote.total),
      'one settle-change, for the selection as it is',
    ).to.deep.equal([74_327]);
  });

  it('says when the panel could not be loaded, and keeps focus on Try again while it loads again', async () => {
    const held = holdCheckout();
    const { el } = await mount('cus_acme');
    await tick(el, 'INV-10233');
    held.fail();
    await settled(el, () => part(el, 'error') !== null, 'the load error');
    expect(text(part(el, 'error'))).to.equal(
      'Payment options unavailable The payment options could not be loaded. Check your connection and try again. Try again',
    );
    await expect(el).to.be.accessible();

    retryButton(el)?.focus();
    retryButton(el)?.click();
    await el.updateComplete;
    const retry = retryButton(el);
    expect(held.loads).to.equal(2);
    expect(retry?.getAttribute('aria-disabled'), 'disabled while it loads again').to.equal('true');
    expect(focused(el), 'focus stays on Try again').to.equal('button: Try again');
    await expect(el).to.be.accessible();
    retry?.click();
    expect(held.loads, 'a press while it loads starts nothing').to.equal(2);

    held.fail();
    await settled(el, () => failedAgain(el), 'the second failure');
    expect(retryButton(el)?.getAttribute('aria-disabled')).to.equal('false');
    expect(focused(el), 'focus is still on Try again').to.equal('button: Try again');
    await waitUntil(() => announced(el).includes('could not be loaded'), 'the failure is announced');

    retryButton(el)?.click();
    held.release();
    await panelReady(el);
    expect(part(el, 'error')).to.equal(null);
    expect(focused(el), 'the selection line takes focus from Try again').to.equal('p: 1 invoice selected');
  });

  it('starts the panel for the session reload() read during the load, as quietly as a pay link', async () => {
    const held = holdCheckout();
    const plain = createSessionClient(await mintSession('cus_acme'));
    const preselected = createSessionClient(await mintSession('cus_acme', { invoiceIds: ['inv_10233', 'inv_10239'] }));
    let current = plain;
    const client = new Proxy({} as SessionClient, { get: (_, key: keyof SessionClient) => current[key] });
    const el = await mountWith(client);
    const changed = changes(el);
    await tick(el, 'INV-10233');
    expect(skeleton(el)).to.exist;
    current = preselected;
    await el.reload();
    held.release();
    await panelReady(el);
    expect(text(part(el, 'selection'))).to.equal('2 invoices selected');
    expect(text(payButton(el))).to.equal('Pay $743.27');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(changed, 'a preselection sends no settle-change').to.deep.equal([]);
    expect(held.loads).to.equal(1);
  });

  it('forgets a failed load when reload() reads the session again', async () => {
    const held = holdCheckout();
    const { el } = await mount('cus_acme');
    await tick(el, 'INV-10233');
    held.fail();
    await settled(el, () => retryButton(el) !== undefined, 'the load error');
    retryButton(el)?.click();
    held.fail();
    await settled(el, () => failedAgain(el), 'the second failure');

    await el.reload();
    await el.updateComplete;
    expect(focused(el), 'the title takes focus, as after any reload the payer caused').to.equal(
      'h2: Pay your invoices',
    );
    await waitUntil(() => announced(el) === 'Pay your invoices', `announces the title, not "${announced(el)}"`);
    await tick(el, 'INV-10233');
    expect(text(skeleton(el)), 'a new selection loads the panel again').to.equal('Loading the payment options…');
    expect(part(el, 'error')).to.equal(null);
    held.release();
    await panelReady(el);
  });

  it("keeps a subclass's own styles when the panel's styles arrive", async () => {
    class StyledPay extends SettlePay {
      static override styles = [...SettlePay.styles, css`:host { outline: 3px solid rgb(1, 2, 3); }`];
    }
    define('settle-pay-styled', StyledPay);
    const { apiUrl, clientToken } = await mintSession('cus_acme');
    const el = await fixture<SettlePay>(
      html`<settle-pay-styled client-token=${clientToken} api-url=${apiUrl} locale="en"></settle-pay-styled>`,
    );
    await ready(el);
    await select(el, 'INV-10233');
    expect(getComputedStyle(el).outlineColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(payButton(el)).cursor, "the panel's styles apply too").to.equal('not-allowed');
  });
});

describe('<settle-pay> restyling its payment fields', () => {
  afterEach(() => emulateMedia({ colorScheme: 'light' }));
  const fieldsColour = (el: SettlePay) =>
    el.querySelector<HTMLElement>('[slot="payment-fields"] .settle-sbx')?.style.getPropertyValue('--settle-sbx-bg');

  it('keeps the typed card when the theme changes while the panel is open', async () => {
    const { el } = await mount('cus_acme');
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const light = fieldsColour(el);
    const changed: unknown[] = [];
    el.addEventListener('settle-change', (e) => changed.push(e.detail));
    el.theme = 'dark';
    await settled(el, () => fieldsColour(el) !== light, 'the fields take the dark colours');
    expect(field(el, 'Card number').value.replace(/\s/g, '')).to.equal(CARDS.credit);
    expect(text(payButton(el))).to.equal('Pay $470.04');
    expect(changed).to.deep.equal([]);
  });

  it('changes nothing the page hears while the panel is folded, and keeps the typed card', async () => {
    const { el } = await mount('cus_acme');
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    const light = fieldsColour(el);
    await select(el, 'INV-10233');
    expect(part(el, 'checkout'), 'folded').to.equal(null);
    const changed: SettleChangeEvent['detail'][] = [];
    el.addEventListener('settle-change', (e) => changed.push(e.detail));

    await emulateMedia({ colorScheme: 'dark' });
    await settled(el, () => fieldsColour(el) !== light, 'the fields follow the colour scheme');
    el.theme = 'light';
    await settled(el, () => fieldsColour(el) === light, 'the fields take the light theme');
    el.locale = 'de';
    await settled(el, () => text(part(el, 'selection')).startsWith('Wählen'), 'German');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(changed, 'no settle-change while nothing is selected').to.deep.equal([]);

    // The fields come back in German, mounted anew for the new language.
    await select(el, 'INV-10233');
    await settled(
      el,
      () => el.querySelector('[slot="payment-fields"] label')?.textContent?.startsWith('Kartennummer') ?? false,
      'German fields',
    );
    expect(
      changed.map((c) => c.quote.total),
      'one settle-change, for the selection',
    ).to.deep.equal([45_635]);
  });

  it('keeps the typed card across a fold when only the colours changed', async () => {
    const { el } = await mount('cus_acme');
    await select(el, 'INV-10233');
    await enterCard(el, CARDS.credit);
    await select(el, 'INV-10233');
    el.theme = 'dark';
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await select(el, 'INV-10233');
    expect(field(el, 'Card number').value.replace(/\s/g, '')).to.equal(CARDS.credit);
    expect(text(payButton(el))).to.equal('Pay $470.04');
  });
});

/** Another session of the same customer (a second tab, or a colleague), as the API client sees it. */
async function mintSessionFor(customerId: string): Promise<{ apiUrl: string; clientToken: string }> {
  const { apiUrl, clientToken } = await mintSession(customerId);
  return { apiUrl, clientToken };
}
