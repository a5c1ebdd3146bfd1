/**
 * The Stripe provider against a Stripe.js double typed by @stripe/stripe-js (internal/test-stripe.ts),
 * installed as `window.Stripe`, which `loadStripe` from `@stripe/stripe-js/pure` takes instead of
 * fetching js.stripe.com.
 */
import { expect, fixture } from '@open-wc/testing';
import type { StripeError } from '@stripe/stripe-js';
import { installFakeStripe } from '../internal/test-stripe.js';
import { loadProvider } from './load.js';
import { type MountOptions, ProviderError, type ProviderFieldState } from './provider.js';
import { createStripeProvider } from './stripe.js';
import { stripeAppearance } from './stripe-appearance.js';

const appearance: MountOptions['appearance'] = {
  colorPrimary: '#2450d8',
  colorText: '#141a29',
  colorBackground: '#ffffff',
  colorDanger: '#b42318',
  borderRadius: '7px',
  fontFamily: 'system-ui, sans-serif',
};

const error = (type: StripeError['type'], code: string, message = 'Stripe says no.'): StripeError => ({
  type,
  code,
  message,
});

interface Setup {
  method?: MountOptions['method'];
  locale?: string;
}

async function mountStripe({ method = 'card', locale = 'en' }: Setup = {}) {
  const fake = installFakeStripe();
  const host = await fixture<HTMLDivElement>('<div></div>');
  const changes: ProviderFieldState[] = [];
  const provider = await loadProvider('stripe', {
    merchantName: 'Northwind Supply Co.',
    publishableKey: 'pk_test_widget',
    tokenize: () => Promise.reject(new Error('Stripe tokenizes in Stripe.js, not through Settle')),
  });
  const options: MountOptions = {
    method,
    amount: 45_635,
    currency: 'USD',
    locale,
    appearance,
    onChange: (s) => changes.push(s),
  };
  await provider.mount(host, options);
  return { fake, host, provider, changes };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const caught = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(caught instanceof ProviderError)) throw new Error(`Expected a ProviderError, got ${String(caught)}`);
  return caught;
}

describe('the Stripe provider', () => {
  it('loads Stripe.js through loadStripe and mounts the Payment Element in light DOM, themed', async () => {
    const { fake, host, changes } = await mountStripe();
    expect(fake.publishableKeys).to.deep.equal(['pk_test_widget']);
    expect(document.querySelector('script[src*="js.stripe.com"]'), 'nothing is fetched from Stripe').to.equal(null);
    expect(fake.elementsOptions.at(-1)).to.deep.include({
      mode: 'payment',
      amount: 45_635,
      currency: 'usd',
      paymentMethodCreation: 'manual',
      allowedPaymentMethodTypes: ['card'],
      locale: 'en',
    });
    expect(fake.elementsOptions.at(-1)?.appearance?.variables).to.deep.equal(appearance);
    expect(fake.elementOptions.at(-1)?.wallets).to.deep.equal({ applePay: 'never', googlePay: 'never' });
    expect(host.querySelector('iframe')?.getRootNode()).to.equal(document);
    expect(changes.at(-1)).to.deep.equal({ complete: false, error: null, funding: null });
    fake.complete();
    expect(changes.at(-1)).to.deep.equal({ complete: true, error: null, funding: null });
    await expect(host).to.be.accessible();
  });

  it('refuses a shadow root as Stripe.js does, so the widget must give it a light-DOM node', async () => {
    installFakeStripe();
    const outer = await fixture<HTMLDivElement>('<div></div>');
    const inner = document.createElement('div');
    outer.attachShadow({ mode: 'open' }).append(inner);
    const provider = createStripeProvider({ publishableKey: 'pk_test_widget' });
    const options: MountOptions = {
      method: 'card',
      amount: 100,
      currency: 'USD',
      locale: 'en',
      appearance,
      onChange() {},
    };
    const caught = await provider.mount(inner, options).catch((e: Error) => e);
    expect(String(caught)).to.contain('Please mount in the Light DOM');
  });

  it('offers the bank for ACH, wallets for the wallet method, and German in German', async () => {
    const bank = await mountStripe({ method: 'ach_debit', locale: 'de-DE' });
    expect(bank.fake.elementsOptions.at(-1)).to.deep.include({
      allowedPaymentMethodTypes: ['us_bank_account'],
      locale: 'de',
    });
    const wallet = await mountStripe({ method: 'wallet' });
    expect(wallet.fake.elementOptions.at(-1)?.wallets).to.deep.equal({ applePay: 'auto', googlePay: 'auto' });
  });

  it("gives Stripe the page's colours in sRGB, whatever CSS colour syntax the tokens use", () => {
    const { variables } = stripeAppearance({ ...appearance, colorPrimary: 'oklch(50% 0.2 260)', colorText: 'teal' });
    expect(variables?.colorPrimary).to.match(/^#[0-9a-f]{6}$/);
    expect(variables?.colorText).to.equal('#008080');
    expect(variables?.fontFamily).to.equal('system-ui, sans-serif');
  });

  it('restyles and follows the total in place, keeping the element (and what was typed)', async () => {
    const { fake, host, provider } = await mountStripe();
    const frame = host.querySelector('iframe');
    provider.restyle?.({ ...appearance, colorPrimary: '#ff0000', colorBackground: '#101010' });
    provider.setAmount?.(47_004, 'USD');
    expect(fake.updates).to.deep.equal([
      {
        appearance: {
          theme: 'stripe',
          variables: { ...appearance, colorPrimary: '#ff0000', colorBackground: '#101010' },
        },
      },
      { amount: 47_004, currency: 'usd' },
    ]);
    expect(fake.mounts).to.equal(1);
    expect(host.querySelector('iframe')).to.equal(frame);
  });

  it('tokenizes into a ConfirmationToken: submit, then createConfirmationToken, with the card funding', async () => {
    const { fake, provider } = await mountStripe();
    fake.funding = 'debit';
    const token = await provider.tokenize();
    expect(token.id).to.match(/^ctoken_/);
    expect(token.summary).to.deep.equal({
      type: 'card',
      brand: 'visa',
      last4: '5556',
      funding: 'debit',
      bankName: null,
      accountHolderType: null,
    });
    expect(fake.calls.filter((c) => c === 'submit' || c === 'createConfirmationToken')).to.deep.equal([
      'submit',
      'createConfirmationToken',
    ]);
    expect(fake.tokenParams.at(-1)).to.deep.equal({ return_url: location.href });

    fake.bank = true;
    expect((await provider.tokenize()).summary).to.deep.equal({
      type: 'ach_debit',
      brand: null,
      last4: '6789',
      funding: null,
      bankName: 'STRIPE TEST BANK',
      accountHolderType: 'company',
    });
  });

  it("says Stripe's errors in the sandbox's sentences: fields by name, the rest as what to do", async () => {
    const { fake, provider, host } = await mountStripe();
    fake.submitError = error('validation_error', 'incomplete_number', 'Your card number is incomplete.');
    const incomplete = await rejection(provider.tokenize());
    expect([incomplete.field, incomplete.message]).to.deep.equal(['number', 'Your card number is incomplete.']);
    expect(fake.calls, 'no token for fields that are not valid').not.to.include('createConfirmationToken');

    fake.submitError = error('validation_error', 'invalid_expiry_year_past');
    const past = await rejection(provider.tokenize());
    expect([past.field, past.message]).to.deep.equal([
      'expiry',
      'This card has expired. Check the date or use another card.',
    ]);

    fake.submitError = null;
    fake.tokenError = error('card_error', 'card_declined');
    const declined = await rejection(provider.tokenize());
    expect([declined.field, declined.message]).to.deep.equal([
      null,
      'Your card was declined. Use another card or pay by bank transfer.',
    ]);

    fake.tokenError = error('api_connection_error', 'api_connection_error');
    expect((await rejection(provider.tokenize())).message).to.equal(
      'The payment service could not be reached. Check your connection and try again.',
    );
    fake.tokenError = error('rate_limit_error', 'rate_limit');
    expect((await rejection(provider.tokenize())).message).to.contain('Check your connection');
    await expect(host).to.be.accessible();
  });

  it('hands a next action to Stripe.js with its client secret, and says when the bank refused', async () => {
    const { fake, provider } = await mountStripe();
    await provider.handleNextAction?.({ type: 'use_stripe_sdk', clientSecret: 'pi_1_secret_2' });
    expect(fake.nextActions).to.deep.equal(['pi_1_secret_2']);
    fake.nextActionError = error('card_error', 'payment_intent_authentication_failure');
    const failed = await rejection(
      provider.handleNextAction?.({ type: 'use_stripe_sdk', clientSecret: 'pi_1_secret_2' }) ?? Promise.resolve(),
    );
    expect(failed.message).to.equal('Your bank could not confirm this payment. Try again or use another card.');
  });

  it('mounts one Payment Element when a second mount (another method) overtakes the first while Stripe.js loads', async () => {
    installFakeStripe();
    const host = await fixture<HTMLDivElement>('<div></div>');
    let arrive = () => {};
    const gate = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const provider = createStripeProvider({
      publishableKey: 'pk_test_widget',
      load: async (key) => {
        await gate;
        return (window as unknown as { Stripe: (pk: string) => never }).Stripe(key);
      },
    });
    const options = { amount: 100, currency: 'USD', locale: 'en', appearance, onChange() {} } as const;
    const first = provider.mount(host, { ...options, method: 'card' });
    const second = provider.mount(host, { ...options, method: 'ach_debit' });
    arrive();
    await Promise.all([first, second]);
    expect(host.querySelectorAll('iframe')).to.have.length(1);
  });

  it('fails its mount when Stripe.js cannot be loaded, and tries again on the next mount', async () => {
    installFakeStripe();
    const host = await fixture<HTMLDivElement>('<div></div>');
    let loads = 0;
    const provider = createStripeProvider({
      publishableKey: 'pk_test_widget',
      load: async () => {
        if (++loads === 1) throw new Error('Failed to load Stripe.js');
        return (window as unknown as { Stripe: (pk: string) => never }).Stripe('pk_test_widget');
      },
    });
    const options: MountOptions = {
      method: 'card',
      amount: 100,
      currency: 'USD',
      locale: 'en',
      appearance,
      onChange() {},
    };
    const caught = await provider.mount(host, options).catch((e: Error) => e);
    expect(String(caught)).to.contain('Failed to load Stripe.js');
    await provider.mount(host, options);
    expect(loads).to.equal(2);
    expect(host.querySelector('iframe')).not.to.equal(null);
    provider.destroy();
    expect(host.querySelector('iframe')).to.equal(null);
  });
});
