import type { CardFunding, NextAction, PaymentMethodToken, PaymentMethodType } from '@settle/schema';

/** What the payer has entered so far, as the provider's fields report it. */
export interface ProviderFieldState {
  /** Every field is filled in and valid: tokenize() can be called. */
  complete: boolean;
  /** A sentence for the payer about the field they just left, or null. */
  error: string | null;
  /** The card's funding as soon as the fields know it (the sandbox knows test cards by number). */
  funding: CardFunding | null;
}

export interface MountOptions {
  method: PaymentMethodType;
  /** The total on screen in minor units, and its currency: Stripe's Payment Element shows methods by amount. */
  amount: number;
  currency: string;
  /** BCP 47 locale for labels and messages. */
  locale: string;
  /** Resolved theme values, for providers that style their own frames (Stripe's Appearance API). */
  appearance: {
    colorPrimary: string;
    colorText: string;
    colorBackground: string;
    colorDanger: string;
    borderRadius: string;
    fontFamily: string;
  };
  onChange(state: ProviderFieldState): void;
}

/**
 * The tokenized payment fields of one processor. Providers render into a container in the
 * host page's light DOM (slotted into <settle-pay>'s shadow root), because Stripe Elements
 * cannot be mounted inside a shadow root; the sandbox does the same so both take one path.
 * Card and bank numbers stay inside the provider: the widget only ever sees the token.
 */
export interface PaymentProvider {
  readonly name: 'sandbox' | 'stripe';
  mount(container: HTMLElement, options: MountOptions): Promise<void>;
  /**
   * Optional: gives the mounted fields new colours (the element's theme changed) and keeps what
   * was typed. Without it, the widget mounts the fields again.
   */
  restyle?(appearance: MountOptions['appearance']): void;
  /** Optional: the total on screen changed (minor units); fields that depend on it follow without a remount. */
  setAmount?(amount: number, currency: string): void;
  /**
   * Optional: does what the processor asks of the payer for a payment in `requires_action` (3-D
   * Secure, bank verification) in the processor's own UI. Resolves once the payer is done; the
   * widget then reads the payment again for the outcome. Throws ProviderError with the processor's
   * sentence when the payer could not complete it. May navigate away (a redirect the bank requires).
   */
  handleNextAction?(action: NextAction): Promise<void>;
  /** Validates the fields and exchanges them for a processor token; throws ProviderError. */
  tokenize(): Promise<PaymentMethodToken>;
  /** Removes the fields and forgets what was typed. */
  destroy(): void;
}

/** A problem the payer can fix (a bad number, an expired card), with a sentence saying how. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}
