/**
 * <settle-pay> paying through the Stripe provider, against a real Settle server with
 * SETTLE_PROCESSOR=stripe on the server's offline Stripe double (scripts/wtr-settle-server.mjs).
 * Stripe.js is the typed double of internal/test-stripe.ts; its ConfirmationTokens are made by the
 * server's Stripe double for Stripe's test cards, so the server reads the card's funding from them
 * as it would from Stripe, and the payer's 3-D Secure moves the double's PaymentIntent on.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { define } from '../../internal/define.js';
import { completeStripeAction, mintSession, stripeConfirmationToken } from '../../internal/test-session.js';
import { type FakeStripe, installFakeStripe } from '../../internal/test-stripe.js';
import { importPiece, replacePieceLoader } from '../../pieces/load-piece.js';
import { SettleInvoiceList } from '../invoice-list/invoice-list.js';
import { SettlePay } from './pay.js';

define('settle-invoice-list', SettleInvoiceList);
define('settle-pay', SettlePay);

const shadow = (el: Element) => el.shadowRoot as ShadowRoot;
const part = (el: SettlePay, name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const payButton = (el: SettlePay) => part(el, 'pay-button') as HTMLButtonElement;

async function settled(el: SettlePay, what: () => boolean, message: string): Promise<void> {
  await waitUntil(what, message, { timeout: 8000 });
  await el.updateComplete;
}

/** A Stripe session for a private copy of cus_acme, rendered, INV-10233 ($456.35) selected. */
async function open(fake: FakeStripe): Promise<SettlePay> {
  const { apiUrl, clientToken } = await mintSession('cus_acme', { fresh: true, processor: 'stripe' });
  const el = await fixture<SettlePay>(
    html`<settle-pay client-token=${clientToken} api-url=${apiUrl} locale="en"></settle-pay>`,
  );
  await settled(el, () => part(el, 'header') !== null, 'the session loads');
  const list = shadow(el).querySelector('settle-invoice-list') as SettleInvoiceList;
  const rows = [...shadow(list).querySelectorAll('[role="row"][data-id]')];
  rows
    .find((r) => text(r.querySelector('.number')) === 'INV-10233')
    ?.querySelector('input')
    ?.click();
  await settled(el, () => part(el, 'pay-button') !== null && fake.frame !== null, 'the Payment Element mounts');
  return el;
}

/** The payer filled in the Payment Element with Stripe's test card `paymentMethod`. */
async function fill(el: SettlePay, fake: FakeStripe, paymentMethod: string): Promise<void> {
  fake.tokens = () => stripeConfirmationToken(paymentMethod);
  fake.complete();
  await settled(el, () => !payButton(el).disabled, 'Pay is enabled');
}

describe('<settle-pay> with Stripe', () => {
  let fake: FakeStripe;
  beforeEach(() => {
    fake = installFakeStripe();
  });

  it('mounts the Payment Element in its light DOM for the total on screen, themed', async () => {
    const el = await open(fake);
    expect(fake.publishableKeys).to.deep.equal(['pk_test_settle_widget']);
    expect(fake.frame?.closest('[slot="payment-fields"]')?.parentElement).to.equal(el);
    expect(fake.elementsOptions.at(-1)).to.deep.include({
      mode: 'payment',
      amount: 45_635,
      currency: 'usd',
      paymentMethodCreation: 'manual',
    });
    expect(fake.elementsOptions.at(-1)?.appearance?.variables?.colorPrimary).to.be.a('string').and.not.equal('');
    expect(payButton(el).disabled, 'Pay waits for complete fields').to.equal(true);
    expect(text(payButton(el))).to.equal('Pay $456.35');
    await expect(el).to.be.accessible();
  });

  it('restyles the Payment Element for a new theme and follows the total, without mounting it again', async () => {
    const el = await open(fake);
    fake.complete();
    const before = fake.elementsOptions.at(-1)?.appearance?.variables?.colorBackground;
    el.setAttribute('theme', 'dark');
    await settled(el, () => fake.updates.some((u) => u.appearance), 'the element is restyled');
    const restyled = fake.updates.find((u) => u.appearance)?.appearance?.variables?.colorBackground;
    expect(restyled).to.be.a('string').and.not.equal(before);
    const list = shadow(el).querySelector('settle-invoice-list') as SettleInvoiceList;
    const rows = [...shadow(list).querySelectorAll('[role="row"][data-id]')];
    rows
      .find((r) => text(r.querySelector('.number')) !== 'INV-10233')
      ?.querySelector('input')
      ?.click();
    await settled(el, () => fake.updates.some((u) => u.amount && u.amount > 45_635), 'the amount follows');
    expect(fake.mounts, 'the same element: what was typed stays').to.equal(1);
    expect(payButton(el).disabled, 'still complete').to.equal(false);
    await expect(el).to.be.accessible();
  });

  it("shows a credit card's surcharge, priced from its ConfirmationToken, before anything is charged", async () => {
    const el = await open(fake);
    await fill(el, fake, 'pm_card_visa');
    let succeeded = false;
    el.addEventListener('settle-success', () => {
      succeeded = true;
    });
    payButton(el).click();
    await settled(el, () => text(payButton(el)) === 'Pay $470.04', 'the total with the surcharge is shown');
    expect(succeeded, 'nothing is charged before the payer accepts').to.equal(false);
    expect(text(shadow(el).querySelector('[data-confirm]'))).to.contain('The total for this payment is $470.04');
    await expect(el).to.be.accessible();
    const success = oneEvent(el, 'settle-success');
    payButton(el).click();
    const { payment } = (await success).detail;
    expect(payment).to.deep.include({ status: 'succeeded', amount: 47_004 });
    expect(payment.paymentMethod).to.deep.include({ brand: 'visa', last4: '4242', funding: 'credit' });
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(text(part(el, 'receipt')))
      .to.contain('Credit card surcharge (3%) $13.69')
      .and.contain('Total paid $470.04');
  });

  it('charges a debit card the total shown, with no surcharge and no second question', async () => {
    const el = await open(fake);
    await fill(el, fake, 'pm_card_visa_debit');
    const success = oneEvent(el, 'settle-success');
    payButton(el).click();
    const { payment } = (await success).detail;
    expect(payment).to.deep.include({ status: 'succeeded', amount: 45_635 });
    expect(fake.calls.filter((c) => c === 'createConfirmationToken')).to.have.length(1);
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(text(part(el, 'receipt')))
      .to.contain('Total paid $456.35')
      .and.not.contain('surcharge (3%)');
    await expect(el).to.be.accessible();
  });

  it('completes 3-D Secure through Stripe.js with the payment’s client secret, then shows the receipt', async () => {
    const el = await open(fake);
    await fill(el, fake, 'pm_card_threeDSecure2Required');
    fake.onNextAction = (clientSecret) => completeStripeAction(clientSecret);
    payButton(el).click();
    // A credit card: its surcharge is accepted first.
    await settled(el, () => text(payButton(el)) === 'Pay $470.04', 'the total with the surcharge is shown');
    const success = oneEvent(el, 'settle-success');
    payButton(el).click();
    const { payment } = (await success).detail;
    expect(fake.nextActions).to.have.length(1);
    expect(fake.nextActions[0]).to.match(/^pi_.+_secret_/);
    expect(payment).to.deep.include({ status: 'succeeded', amount: 47_004, nextAction: null });
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    expect(text(part(el, 'receipt'))).to.contain('Visa •3220');
    await expect(el).to.be.accessible();
  });

  it('shows a failed 3-D Secure as a decline with what to do, keeping the selection', async () => {
    const el = await open(fake);
    await fill(el, fake, 'pm_card_threeDSecure2Required');
    fake.nextActionError = { type: 'card_error', code: 'payment_intent_authentication_failure' };
    const failure = { code: 'payment_intent_authentication_failure' };
    fake.onNextAction = (clientSecret) => completeStripeAction(clientSecret, failure);
    payButton(el).click();
    await settled(el, () => text(payButton(el)) === 'Pay $470.04', 'the total with the surcharge is shown');
    const failed = oneEvent(el, 'settle-error');
    payButton(el).click();
    const { detail } = await failed;
    expect(detail.message).to.equal('Your bank could not confirm this payment. Try again or use another card.');
    expect(detail.payment?.status).to.equal('failed');
    await settled(el, () => part(el, 'receipt') === null && fake.frame !== null, 'fresh fields for another card');
    expect(text(part(el, 'selection'))).to.equal('1 invoice selected');
    await expect(el).to.be.accessible();
  });

  it('says the payment fields could not be loaded when Stripe.js fails to load', async () => {
    replacePieceLoader(async (name) => {
      if (name !== 'stripe') return importPiece(name);
      const stripe = await importPiece('stripe');
      const failing: typeof stripe.createStripeProvider = (options) =>
        stripe.createStripeProvider({ ...options, load: () => Promise.reject(new Error('Failed to load Stripe.js')) });
      return { ...stripe, createStripeProvider: failing } as typeof stripe & never;
    });
    try {
      const { apiUrl, clientToken } = await mintSession('cus_acme', { processor: 'stripe' });
      const el = await fixture<SettlePay>(
        html`<settle-pay client-token=${clientToken} api-url=${apiUrl} locale="en"></settle-pay>`,
      );
      await settled(el, () => part(el, 'header') !== null, 'the session loads');
      const list = shadow(el).querySelector('settle-invoice-list') as SettleInvoiceList;
      shadow(list).querySelector<HTMLInputElement>('[role="row"][data-id] input')?.click();
      const all = () => text(part(el, 'base'));
      await settled(el, () => all().includes('could not be loaded'), 'the load error shows');
      expect(all()).to.contain('The payment fields could not be loaded. Check your connection and reload the page.');
      expect(fake.frame).to.equal(null);
      await expect(el).to.be.accessible();
    } finally {
      replacePieceLoader(null);
    }
  });
});
