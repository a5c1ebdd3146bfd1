import type { AmountLimits } from './port.js';

/**
 * Stripe's minimum charge per currency, in minor units (Stripe "Supported currencies" › Minimum and
 * maximum charge amounts, DOMAIN.md §3). Currencies not listed are refused: their minimum depends
 * on the exchange rate to the settlement currency, so check Stripe's table before adding one.
 */
const MINIMUMS: Record<string, number> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** The amount field takes 8 digits in every currency here but INR (9). */
const MAXIMUM_DIGITS: Record<string, number> = { INR: 9 };

/** What one PaymentIntent may carry in `currency`; null when Settle does not take it through Stripe. */
export function stripeLimits(currency: string): AmountLimits | null {
  const code = currency.toUpperCase();
  const min = MINIMUMS[code];
  if (min === undefined) return null;
  return { min, max: 10 ** (MAXIMUM_DIGITS[code] ?? 8) - 1 };
}
