import type { StripeError } from '@stripe/stripe-js';
import { ProviderError } from './provider.js';
import type { SandboxLabels } from './sandbox-labels.js';

/** The Stripe provider's sentences that the sandbox has no field for (it never talks to a remote API). */
const en = {
  network: 'The payment service could not be reached. Check your connection and try again.',
  declined: 'Your card was declined. Use another card or pay by bank transfer.',
  authFailed: 'Your bank could not confirm this payment. Try again or use another card.',
  other: 'Your payment details could not be checked. Try again or use another payment method.',
};

const de: typeof en = {
  network: 'Der Zahlungsdienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  declined: 'Ihre Karte wurde abgelehnt. Verwenden Sie eine andere Karte oder zahlen Sie per Banküberweisung.',
  authFailed:
    'Ihre Bank konnte diese Zahlung nicht bestätigen. Versuchen Sie es erneut oder verwenden Sie eine andere Karte.',
  other:
    'Ihre Zahlungsdaten konnten nicht geprüft werden. Versuchen Sie es erneut oder wählen Sie eine andere Zahlungsart.',
};

/** Stripe.js error codes (Elements validation and card_error) to the sandbox's field and sentence. */
const FIELDS: Record<string, [field: string, message: (t: SandboxLabels) => string]> = {
  incomplete_number: ['number', (t) => t.numberIncomplete],
  invalid_number: ['number', (t) => t.numberInvalid],
  incorrect_number: ['number', (t) => t.numberInvalid],
  incomplete_expiry: ['expiry', (t) => t.expiryIncomplete],
  invalid_expiry_month: ['expiry', (t) => t.expiryMonth],
  invalid_expiry_month_past: ['expiry', (t) => t.expired],
  invalid_expiry_year: ['expiry', (t) => t.expired],
  invalid_expiry_year_past: ['expiry', (t) => t.expired],
  expired_card: ['expiry', (t) => t.expired],
  // Stripe does not say the brand here; 3 digits is every brand's but American Express's.
  incomplete_cvc: ['cvc', (t) => t.cvcLength(3)],
  invalid_cvc: ['cvc', (t) => t.cvcLength(3)],
  incorrect_cvc: ['cvc', (t) => t.cvcLength(3)],
};

/**
 * A Stripe.js error as the payer should read it: the sandbox's sentence for the same problem, named
 * after its field where there is one (the Payment Element then shows it beside the field itself),
 * else one sentence that says what to do. Card numbers never appear: Stripe's errors carry none.
 */
export function providerErrorOf(error: StripeError, lang: 'en' | 'de', t: SandboxLabels): ProviderError {
  const m = lang === 'de' ? de : en;
  const known = FIELDS[error.code ?? ''];
  if (known) return new ProviderError(known[1](t), known[0]);
  switch (error.type) {
    case 'validation_error':
      // Stripe's own (localized) sentence, shown beside the field in the Payment Element.
      return new ProviderError(error.message || m.other, error.param || 'payment');
    case 'card_error':
      return new ProviderError(
        error.code === 'payment_intent_authentication_failure' || error.code === 'authentication_required'
          ? m.authFailed
          : m.declined,
      );
    case 'api_connection_error':
    case 'api_error':
    case 'rate_limit_error':
      return new ProviderError(m.network);
    default:
      return new ProviderError(error.code === 'payment_intent_authentication_failure' ? m.authFailed : m.other);
  }
}
