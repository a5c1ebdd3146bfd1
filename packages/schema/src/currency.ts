/** An ISO 4217 code such as "USD"; CurrencySchema validates it on the wire. */
export type Currency = string;

/**
 * Currencies whose minor unit is not the cent. Stripe's "Supported currencies" lists the
 * zero-decimal ones; ISO 4217 lists the three-decimal ones. Everything else has 2.
 */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** The number of decimal places of a currency's minor unit: JPY 0, USD 2, KWD 3. */
export function currencyExponent(currency: Currency): 0 | 2 | 3 {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

/**
 * Renders minor units as a plain decimal string without floats: (123456, 'USD') -> "1234.56".
 * For display use formatMoney, which goes through Intl.
 */
export function toDecimalString(amount: number, currency: Currency): string {
  const exp = currencyExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${digits.slice(-exp)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/**
 * Parses a decimal string typed by a person ("1,234.5", "1234.50") into minor units,
 * exactly. Returns undefined for anything that is not a non-negative amount with at most
 * the currency's number of decimals.
 */
export function parseDecimal(input: string, currency: Currency): number | undefined {
  const exp = currencyExponent(currency);
  const cleaned = input.trim().replace(/[,\s]/g, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return undefined;
  const whole = match[1] ?? '0';
  const frac = match[2] ?? '';
  if (frac.length > exp) return undefined;
  const value = Number(whole + frac.padEnd(exp, '0'));
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Formats minor units for people through Intl, in the given locale. */
export function formatMoney(amount: number, currency: Currency, locale?: string): string {
  const exp = currencyExponent(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
    // A decimal string keeps every digit exact (Intl.NumberFormat v3); a Number would round above 2^53 minor units.
  }).format(toDecimalString(amount, currency) as unknown as number);
}

/** Sums minor-unit amounts, refusing to lose precision. */
export function sum(amounts: Iterable<number>): number {
  let total = 0;
  for (const a of amounts) total += a;
  if (!Number.isSafeInteger(total)) throw new RangeError('Amount overflow: sum exceeds the safe integer range');
  return total;
}

/** floor(amount * numerator / denominator) computed exactly with BigInt. */
export function mulDivFloor(amount: number, numerator: number, denominator: number): number {
  return Number((BigInt(amount) * BigInt(numerator)) / BigInt(denominator));
}

/** A rate in basis points as people write it, without float arithmetic: 300 → "3%", 275 → "2.75%", 5 → "0.05%". */
export function formatBps(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const rest = String(bps % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''}%`;
}
