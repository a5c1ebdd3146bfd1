import { invalidParam } from './errors.js';

/**
 * Currencies the double accepts, with Stripe's minimum charge amounts in minor units
 * (Stripe "Supported currencies" › Minimum and maximum charge amounts). Other currencies Stripe
 * supports are rejected here: their minimum depends on the exchange rate to the settlement currency.
 */
const MINIMUMS: Record<string, { minimum: number; decimals: number; symbol: string }> = {
  usd: { minimum: 50, decimals: 2, symbol: '$' },
  aed: { minimum: 200, decimals: 2, symbol: 'AED ' },
  aud: { minimum: 50, decimals: 2, symbol: 'A$' },
  bgn: { minimum: 100, decimals: 2, symbol: 'BGN ' },
  brl: { minimum: 50, decimals: 2, symbol: 'R$' },
  cad: { minimum: 50, decimals: 2, symbol: 'CA$' },
  chf: { minimum: 50, decimals: 2, symbol: 'CHF ' },
  czk: { minimum: 1500, decimals: 2, symbol: 'CZK ' },
  dkk: { minimum: 250, decimals: 2, symbol: 'DKK ' },
  eur: { minimum: 50, decimals: 2, symbol: '€' },
  gbp: { minimum: 30, decimals: 2, symbol: '£' },
  hkd: { minimum: 400, decimals: 2, symbol: 'HK$' },
  huf: { minimum: 17500, decimals: 2, symbol: 'HUF ' },
  inr: { minimum: 50, decimals: 2, symbol: '₹' },
  jpy: { minimum: 50, decimals: 0, symbol: '¥' },
  mxn: { minimum: 1000, decimals: 2, symbol: 'MX$' },
  myr: { minimum: 200, decimals: 2, symbol: 'MYR ' },
  nok: { minimum: 300, decimals: 2, symbol: 'NOK ' },
  nzd: { minimum: 50, decimals: 2, symbol: 'NZ$' },
  pln: { minimum: 200, decimals: 2, symbol: 'PLN ' },
  ron: { minimum: 200, decimals: 2, symbol: 'RON ' },
  sek: { minimum: 300, decimals: 2, symbol: 'SEK ' },
  sgd: { minimum: 50, decimals: 2, symbol: 'SGD ' },
  thb: { minimum: 1000, decimals: 2, symbol: 'THB ' },
};

/** Stripe's amount limit is 8 digits in every currency here but INR (9 digits). */
const MAXIMUM_DIGITS: Record<string, number> = { inr: 9 };

function format(amount: number, currency: string): string {
  const { decimals, symbol } = MINIMUMS[currency]!;
  const major = (amount / 10 ** decimals).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return `${symbol}${major}`;
}

/** Lower-cases and checks a currency code; Stripe accepts either case and answers in lower case. */
export function checkCurrency(value: string, param = 'currency'): string {
  const currency = value.toLowerCase();
  if (!MINIMUMS[currency]) {
    throw invalidParam(
      `Invalid currency: ${value}. Stripe currently supports these currencies: ${Object.keys(MINIMUMS).join(', ')}`,
      param,
    );
  }
  return currency;
}

/** Checks an amount in minor units against Stripe's minimum and maximum for the currency. */
export function checkAmount(amount: number, currency: string, param = 'amount'): void {
  if (amount < 1) throw invalidParam('This value must be greater than or equal to 1.', param);
  const { minimum } = MINIMUMS[currency]!;
  if (amount < minimum) {
    throw invalidParam(`Amount must be at least ${format(minimum, currency)} ${currency}`, param, 'amount_too_small');
  }
  const maximum = 10 ** (MAXIMUM_DIGITS[currency] ?? 8) - 1;
  if (amount > maximum) {
    throw invalidParam(`Amount must be no more than ${format(maximum, currency)}`, param, 'amount_too_large');
  }
}
