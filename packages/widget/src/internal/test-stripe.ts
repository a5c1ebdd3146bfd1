/**
 * A Stripe.js double for the browser tests, typed by @stripe/stripe-js's own types: what it
 * answers is checked against Stripe's shapes, and the provider's calls against Stripe's
 * signatures, so a call Stripe.js does not have fails the type check. Installed as
 * `window.Stripe`, which `loadStripe` from `@stripe/stripe-js/pure` resolves with instead of
 * inserting js.stripe.com's script (its shared.ts: `if (window.Stripe) resolve(window.Stripe)`).
 */
import type {
  ConfirmationToken,
  ConfirmationTokenResult,
  CreateConfirmationToken,
  PaymentIntent,
  PaymentIntentOrSetupIntentResult,
  Stripe,
  StripeConstructor,
  StripeElements,
  StripeElementsOptions,
  StripeElementsUpdateOptions,
  StripeError,
  StripePaymentElement,
  StripePaymentElementChangeEvent,
  StripePaymentElementOptions,
} from '@stripe/stripe-js';

export type Funding = 'credit' | 'debit' | 'prepaid' | 'unknown';

/** What one test's Stripe double did and will answer. */
export class FakeStripe {
  readonly publishableKeys: string[] = [];
  readonly elementsOptions: StripeElementsOptions[] = [];
  readonly updates: StripeElementsUpdateOptions[] = [];
  readonly elementOptions: (StripePaymentElementOptions | undefined)[] = [];
  readonly tokenParams: CreateConfirmationToken['params'][] = [];
  readonly nextActions: string[] = [];
  /** Calls in order, by method name: `submit` must come before `createConfirmationToken`. */
  readonly calls: string[] = [];
  mounts = 0;
  /** The element on screen, for the test to type into. */
  frame: HTMLElement | null = null;
  /** The card the payer "typed": its funding (and a bank account for us_bank_account). */
  funding: Funding = 'credit';
  bank = false;
  submitError: StripeError | null = null;
  tokenError: StripeError | null = null;
  nextActionError: StripeError | null = null;
  /**
   * Where createConfirmationToken's token comes from: null, a token made here from `funding`/`bank`;
   * or the server's Stripe double (`stripeConfirmationToken` in test-session.ts) for a real one.
   */
  tokens: ((returnUrl: string | null) => Promise<ConfirmationToken>) | null = null;
  /** Called while handleNextAction runs (the payer completes 3-D Secure; the server learns of it). */
  onNextAction: (clientSecret: string) => Promise<void> = async () => {};
  #tokens = 0;
  #listeners = new Map<string, ((event: never) => void)[]>();

  /** The payer filled every field in (or emptied them): the element's `change` event. */
  complete(complete = true): void {
    const event: StripePaymentElementChangeEvent = {
      elementType: 'payment',
      empty: !complete,
      complete,
      collapsed: false,
      value: { type: this.bank ? 'us_bank_account' : 'card' },
    };
    this.#emit('change', event);
  }

  #emit(name: string, event: unknown): void {
    for (const listener of this.#listeners.get(name) ?? []) (listener as (e: unknown) => void)(event);
  }

  /** The instance `Stripe(pk)` returns: the methods the provider uses, with Stripe's signatures. */
  stripe(publishableKey: string): Stripe {
    this.publishableKeys.push(publishableKey);
    const fake = this;
    const element = this.#element();
    const elements = {
      create: ((type: 'payment', options?: StripePaymentElementOptions) => {
        fake.calls.push(`create:${type}`);
        fake.elementOptions.push(options);
        return element;
      }) as StripeElements['create'],
      async submit() {
        fake.calls.push('submit');
        return fake.submitError ? { error: fake.submitError } : {};
      },
      async update(options: StripeElementsUpdateOptions) {
        fake.calls.push('update');
        fake.updates.push(options);
      },
    } satisfies Pick<StripeElements, 'create' | 'submit' | 'update'>;
    const instance = {
      elements(options?: StripeElementsOptions): StripeElements {
        fake.calls.push('elements');
        if (options) fake.elementsOptions.push(options);
        // The double implements the part of StripeElements the provider uses (checked above).
        return elements as unknown as StripeElements;
      },
      async createConfirmationToken(options: CreateConfirmationToken): Promise<ConfirmationTokenResult> {
        fake.calls.push('createConfirmationToken');
        fake.tokenParams.push(options.params);
        if (fake.tokenError) return { error: fake.tokenError };
        const returnUrl = options.params?.return_url ?? null;
        return { confirmationToken: fake.tokens ? await fake.tokens(returnUrl) : fake.#token(returnUrl) };
      },
      async handleNextAction(options: { clientSecret: string } | { hashedValue: string }) {
        const clientSecret = 'clientSecret' in options ? options.clientSecret : options.hashedValue;
        fake.calls.push('handleNextAction');
        fake.nextActions.push(clientSecret);
        await fake.onNextAction(clientSecret);
        if (fake.nextActionError) return { error: fake.nextActionError };
        return { paymentIntent: intent(clientSecret) } satisfies PaymentIntentOrSetupIntentResult;
      },
    } satisfies Pick<Stripe, 'elements' | 'createConfirmationToken' | 'handleNextAction'>;
    // Only the methods above exist: a provider that calls another one fails its type check first.
    return instance as unknown as Stripe;
  }

  #element(): StripePaymentElement {
    const fake = this;
    const element = {
      mount(target: string | HTMLElement) {
        const node = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
        if (!node) throw new Error('IntegrationError: no such mount target');
        // What Stripe.js says since late 2024 (stripe/stripe-js#399).
        if (node.getRootNode() instanceof ShadowRoot) {
          throw new Error('Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.');
        }
        fake.mounts += 1;
        const frame = document.createElement('iframe');
        frame.title = 'Secure payment input frame';
        frame.className = '__PrivateStripeElement';
        frame.style.cssText = 'border:0;width:100%;height:48px';
        node.append(frame);
        fake.frame = frame;
        setTimeout(() => fake.#emit('ready', { elementType: 'payment' }));
      },
      destroy() {
        fake.calls.push('destroy');
        fake.frame?.remove();
        fake.frame = null;
      },
      on(name: string, handler: (event: never) => void) {
        fake.#listeners.set(name, [...(fake.#listeners.get(name) ?? []), handler]);
        return element;
      },
    };
    // Stripe's element type overloads `on` per event; the double keeps one listener list per name.
    return element as unknown as StripePaymentElement;
  }

  #token(returnUrl: string | null): ConfirmationToken {
    const id = `ctoken_${this.bank ? 'bank' : this.funding}_${++this.#tokens}`;
    const billing = { address: null, email: null, name: this.bank ? 'Jenny Rosen' : null, phone: null };
    const preview: ConfirmationToken.PaymentMethodPreview = this.bank
      ? {
          type: 'us_bank_account',
          billing_details: billing,
          us_bank_account: {
            account_number: '',
            routing_number: '110000000',
            account_holder_type: 'company',
            account_type: 'checking',
            bank_name: 'STRIPE TEST BANK',
            financial_connections_account: 'fca_1',
            fingerprint: 'fp_1',
            last4: '6789',
            networks: { preferred: 'ach', supported: ['ach'] },
          },
        }
      : {
          type: 'card',
          billing_details: billing,
          card: {
            brand: 'visa',
            checks: null,
            country: 'US',
            display_brand: 'visa',
            exp_month: 12,
            exp_year: new Date().getFullYear() + 3,
            funding: this.funding,
            last4: this.funding === 'debit' ? '5556' : '4242',
            networks: null,
            regulated_status: null,
            three_d_secure_usage: { supported: true },
            wallet: null,
          },
        };
    return {
      id,
      object: 'confirmation_token',
      created: Math.floor(Date.now() / 1000),
      expires_at: Math.floor(Date.now() / 1000) + 43_200,
      livemode: false,
      payment_intent: null,
      payment_method_preview: preview,
      return_url: returnUrl,
      setup_future_usage: null,
      setup_intent: null,
      shipping: null,
      use_stripe_sdk: true,
    };
  }
}

function intent(clientSecret: string): PaymentIntent {
  return {
    id: clientSecret.split('_secret_')[0] ?? clientSecret,
    object: 'payment_intent',
    amount: 100,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: clientSecret,
    confirmation_method: 'automatic',
    created: Math.floor(Date.now() / 1000),
    currency: 'usd',
    description: null,
    last_payment_error: null,
    livemode: false,
    next_action: null,
    payment_method: null,
    payment_method_types: ['card'],
    receipt_email: null,
    setup_future_usage: null,
    shipping: null,
    status: 'processing',
  };
}

let current: FakeStripe | null = null;

/**
 * A fresh double for one test, installed as `window.Stripe` (once per page: loadStripe keeps the
 * first constructor it found, so the installed one forwards to the test's double).
 */
export function installFakeStripe(): FakeStripe {
  current = new FakeStripe();
  const w = window as { Stripe?: StripeConstructor };
  if (!w.Stripe) {
    const stripeJs: StripeConstructor = (publishableKey) => {
      if (!current) throw new Error('No Stripe double installed');
      return current.stripe(publishableKey);
    };
    // loadStripe warns when the page's Stripe.js is not the release train it was built for.
    w.Stripe = Object.assign(stripeJs, { version: 'endive' });
  }
  return current;
}
