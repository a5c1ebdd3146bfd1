import * as z from 'zod/mini';

/**
 * Money is an integer count of minor units plus an ISO 4217 code. No floats, ever.
 * The largest amount accepted anywhere is Number.MAX_SAFE_INTEGER minor units, so every
 * sum of a bounded number of amounts stays exact in a JS number; products (surcharges)
 * are computed with BigInt.
 */
export const CurrencySchema = z.string().check(z.regex(/^[A-Z]{3}$/, 'Expected an ISO 4217 code such as "USD"'));

/** An amount in minor units: a non-negative safe integer. */
export const MinorUnitsSchema = z.int().check(z.nonnegative());
/** A strictly positive amount in minor units. */
export const PositiveMinorUnitsSchema = z.int().check(z.positive());

export const MoneySchema = z.object({
  amount: MinorUnitsSchema,
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

export {
  type Currency,
  currencyExponent,
  formatBps,
  formatMoney,
  mulDivFloor,
  parseDecimal,
  sum,
  toDecimalString,
} from './currency.js';
