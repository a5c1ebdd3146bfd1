import type { NextAction, PaymentMethodToken } from '@settle/schema';
import type { Stripe, StripeElements, StripeError, StripePaymentElement } from '@stripe/stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import type { MountOptions, PaymentProvider } from './provider.js';
import { sandboxLabels } from './sandbox-labels.js';
import { stripeAppearance } from './stripe-appearance.js';
import { providerErrorOf } from './stripe-errors.js';
import { summaryOf } from './stripe-summary.js';

export interface StripeProviderOptions {
  /** The session's `processor.publishableKey` (`pk_test_…` / `pk_live_…`). */
  publishableKey: string;
  /**
   * Loads Stripe.js: `loadStripe` from `@stripe/stripe-js/pure`, which inserts js.stripe.com's
   * script on its first call (Stripe requires it to load from there, so it carries no SRI value),
   * or resolves with a `window.Stripe` already on the page. Tests pass a double.
   */
  load?: (publishableKey: string) => Promise<Stripe | null>;
}

/** Stripe Elements' total must be positive; a total of zero cannot be paid, so any positive stand-in will do. */
const positive = (amount: number) => Math.max(1, Math.round(amount));

/**
 * Stripe's Payment Element, mounted in the light-DOM container <settle-pay> slots into its shadow
 * root (Elements cannot be mounted inside a shadow root: stripe/stripe-js#399). Stripe.js loads on
 * the first mount only, so a page whose session is not Stripe's never fetches it. Card and bank
 * details stay inside Stripe's frames: tokenize() yields a ConfirmationToken id (`ctoken_…`),
 * which the server prices (the card's funding decides the surcharge) before anything is confirmed.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const load = options.load ?? ((key: string) => loadStripe(key));
  let stripe: Promise<Stripe> | null = null;
  let mounted: {
    stripe: Stripe;
    elements: StripeElements;
    element: StripePaymentElement;
    root: HTMLElement;
    lang: 'en' | 'de';
  } | null = null;
  let pending: Promise<PaymentMethodToken> | null = null;

  function loaded(): Promise<Stripe> {
    stripe ??= load(options.publishableKey).then((s) => {
      if (!s) throw new Error('Stripe.js is not available on this page');
      return s;
    });
    // A failed load is forgotten, so mounting again tries again.
    stripe.catch(() => {
      stripe = null;
    });
    return stripe;
  }

  /** Mounts started; a mount that a later one (or destroy) overtook while Stripe.js loaded stops there. */
  let mounts = 0;
  /** Settles the current mount's wait for `ready`, when its element is destroyed first. */
  let abandon: (() => void) | null = null;

  function destroy(): void {
    mounts++;
    abandon?.();
    abandon = null;
    if (!mounted) return;
    mounted.element.destroy();
    mounted.root.remove();
    mounted = null;
  }

  function fail(error: StripeError): never {
    const { lang, t } = sandboxLabels(mounted?.lang ?? 'en');
    throw providerErrorOf(error, lang === 'de' ? 'de' : 'en', t);
  }

  async function exchange(): Promise<PaymentMethodToken> {
    if (!mounted) throw new Error('The Stripe fields are not mounted');
    const { stripe: s, elements } = mounted;
    // Validates the fields (and shows Stripe's messages beside them) and collects wallet details.
    const submitted = await elements.submit();
    if (submitted.error) fail(submitted.error);
    // return_url: where Stripe brings the payer back if their bank insists on a redirect.
    const params = { return_url: location.href };
    const result = await s.createConfirmationToken({ elements, params });
    if (result.error) fail(result.error);
    const token = result.confirmationToken;
    return { id: token.id, summary: summaryOf(token) };
  }

  return {
    name: 'stripe',

    async mount(container, { method, amount, currency, locale, appearance, onChange }: MountOptions): Promise<void> {
      destroy();
      const mount = mounts;
      const s = await loaded();
      if (mount !== mounts) return;
      const lang = sandboxLabels(locale).lang === 'de' ? 'de' : 'en';
      const elements = s.elements({
        mode: 'payment',
        amount: positive(amount),
        currency: currency.toLowerCase(),
        paymentMethodCreation: 'manual',
        allowedPaymentMethodTypes: method === 'ach_debit' ? ['us_bank_account'] : ['card'],
        appearance: stripeAppearance(appearance),
        locale: lang,
      });
      const wallets = method === 'wallet' ? 'auto' : 'never';
      const element = elements.create('payment', {
        wallets: { applePay: wallets, googlePay: wallets },
        layout: 'tabs',
      });
      const root = document.createElement('div');
      root.className = 'settle-stripe';
      container.append(root);
      mounted = { stripe: s, elements, element, root, lang };
      // The Payment Element does not say a card's funding before tokenization: the server's quote
      // for the token does, and the widget asks the payer to accept a total that includes a fee.
      element.on('change', (event) => {
        if (mounted?.element === element) onChange({ complete: event.complete, error: null, funding: null });
      });
      const ready = new Promise<void>((resolve, reject) => {
        abandon = resolve;
        element.on('ready', () => resolve());
        element.on('loaderror', (event) =>
          reject(new Error(event.error.message ?? 'The Payment Element failed to load')),
        );
      });
      element.mount(root);
      try {
        await ready;
      } catch (error) {
        if (mounted?.element === element) destroy();
        throw error;
      }
      if (mounted?.element === element) onChange({ complete: false, error: null, funding: null });
    },

    restyle(appearance): void {
      void mounted?.elements.update({ appearance: stripeAppearance(appearance) });
    },

    setAmount(amount, currency): void {
      if (amount > 0) void mounted?.elements.update({ amount: positive(amount), currency: currency.toLowerCase() });
    },

    tokenize(): Promise<PaymentMethodToken> {
      // One exchange at a time: a second call while one is in flight gets the same answer.
      pending ??= exchange().finally(() => {
        pending = null;
      });
      return pending;
    },

    async handleNextAction(action: NextAction): Promise<void> {
      const s = mounted?.stripe ?? (await loaded());
      // Stripe shows 3-D Secure in its own modal, and redirects when the bank requires it (to the
      // confirmation token's return_url); microdeposit verification is its hosted page.
      const result = await s.handleNextAction({ clientSecret: action.clientSecret });
      if (result.error) fail(result.error);
    },

    destroy,
  };
}
