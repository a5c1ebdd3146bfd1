import type { SessionClient } from '@settle/client';
import type { NextAction, PaymentMethodToken, PaymentMethodType, SessionView } from '@settle/schema';
import type { LocalizeController } from '../../i18n/localize.js';
import { loadProvider } from '../../providers/load.js';
import type { MountOptions, PaymentProvider, ProviderFieldState } from '../../providers/provider.js';

interface SlotOptions {
  localize: LocalizeController;
  client(): SessionClient | null;
  fields(): HTMLElement;
}

/**
 * The payment fields of the session's processor, mounted into the light-DOM container that
 * <settle-pay> slots in (Stripe Elements cannot live in a shadow root). Loads the provider on
 * first use, remounts it for another method, and ignores reports from fields it replaced.
 */
export class ProviderSlot {
  /** The fields are on screen and can be tokenized. */
  ready = false;
  #provider: PaymentProvider | null = null;
  #generation = 0;
  /** The total on screen, for fields that show methods by amount (Stripe's Payment Element). */
  #total = { amount: 0, currency: 'USD' };

  constructor(
    private readonly host: HTMLElement & { requestUpdate(): void },
    private readonly options: SlotOptions,
    private readonly onChange: (state: ProviderFieldState) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  async mount(session: SessionView, method: PaymentMethodType): Promise<void> {
    const generation = ++this.#generation;
    this.ready = false;
    const client = this.options.client();
    if (!client) return;
    try {
      // A reset while the provider loads makes this one stale: don't keep fields bound to the old session.
      const provider =
        this.#provider ??
        (await loadProvider(session.processor.name, {
          tokenize: (input) => client.createPaymentMethodToken(input),
          merchantName: session.merchant.name,
          publishableKey: session.processor.publishableKey,
        }));
      if (generation !== this.#generation) return;
      this.#provider = provider;
      const options: MountOptions = {
        method,
        ...this.#total,
        locale: this.options.localize.locale,
        appearance: appearanceOf(this.host),
        onChange: (state) => {
          if (generation === this.#generation) this.onChange(state);
        },
      };
      await this.#provider.mount(this.options.fields(), options);
      if (generation !== this.#generation) return;
      this.ready = true;
      this.host.requestUpdate();
    } catch (error) {
      if (generation === this.#generation) this.onError(error);
    }
  }

  /** Restyles the mounted fields in the element's current colours; false when the provider cannot (mount them again). */
  restyle(): boolean {
    const provider = this.#provider;
    if (!this.ready || !provider?.restyle) return false;
    provider.restyle(appearanceOf(this.host));
    return true;
  }

  /** The total on screen changed: fields that depend on it follow (the amount is kept for the next mount). */
  setAmount(amount: number, currency: string): void {
    if (amount === this.#total.amount && currency === this.#total.currency) return;
    this.#total = { amount, currency };
    if (this.ready) this.#provider?.setAmount?.(amount, currency);
  }

  /** The processor's next action for a payment in `requires_action` (3-D Secure, bank verification). */
  handleNextAction(action: NextAction): Promise<void> {
    const provider = this.#provider;
    if (!provider?.handleNextAction) return Promise.reject(new Error(`${provider?.name} has no next actions`));
    return provider.handleNextAction(action);
  }

  tokenize(): Promise<PaymentMethodToken> {
    if (!this.#provider || !this.ready) return Promise.reject(new Error('The payment fields are not ready'));
    return this.#provider.tokenize();
  }

  /** Removes the fields (and what was typed in them). */
  destroy(): void {
    this.#generation++;
    this.ready = false;
    this.#provider?.destroy();
  }

  /** Forgets the provider too: a new session may use another processor or client. */
  reset(): void {
    this.destroy();
    this.#provider = null;
  }
}

/** The element's resolved theme, for providers that style their own fields (Stripe's Appearance API). */
function appearanceOf(host: HTMLElement): MountOptions['appearance'] {
  const style = getComputedStyle(host);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    colorPrimary: read('--_primary', '#2450d8'),
    colorText: read('--_text', '#141a29'),
    colorBackground: read('--_surface', '#ffffff'),
    colorDanger: read('--_danger', '#b42318'),
    borderRadius: read('--_radius-s', '6px'),
    fontFamily: read('--_font', 'system-ui, sans-serif'),
  };
}
