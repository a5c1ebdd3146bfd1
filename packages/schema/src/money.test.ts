import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, formatBps, formatMoney, mulDivFloor, parseDecimal, sum, toDecimalString } from './money.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('currencyExponent', () => {
  it('gives each currency the number of decimals of its minor unit', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('BHD')).toBe(3);
  });
});

describe('toDecimalString and parseDecimal', () => {
  it('render minor units as a plain decimal without floats', () => {
    expect(toDecimalString(123456, 'USD')).toBe('1234.56');
    expect(toDecimalString(5, 'USD')).toBe('0.05');
    expect(toDecimalString(0, 'USD')).toBe('0.00');
    expect(toDecimalString(1234, 'KWD')).toBe('1.234');
    expect(toDecimalString(1234, 'JPY')).toBe('1234');
    expect(toDecimalString(MAX, 'USD')).toBe('90071992547409.91');
  });

  it.each([
    ['JPY', /^\d+$/],
    ['USD', /^\d+\.\d{2}$/],
    ['KWD', /^\d+\.\d{3}$/],
  ] as const)('round-trips every safe amount in %s exactly', (currency, shape) => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (amount) => {
        const text = toDecimalString(amount, currency);
        expect(text).toMatch(shape);
        expect(parseDecimal(text, currency)).toBe(amount);
      }),
      { numRuns: 300 },
    );
  });

  it('reads what people type: grouping commas, spaces, fewer decimals, no decimals', () => {
    expect(parseDecimal('1,234.5', 'USD')).toBe(123450);
    expect(parseDecimal(' 1 234.56 ', 'USD')).toBe(123456);
    expect(parseDecimal('12', 'USD')).toBe(1200);
    expect(parseDecimal('12.', 'USD')).toBe(1200);
    expect(parseDecimal('0.1', 'KWD')).toBe(100);
    expect(parseDecimal('1,234', 'JPY')).toBe(1234);
    expect(parseDecimal('9007199254740991', 'JPY')).toBe(MAX);
  });

  it.each<[input: string, currency: string, why: string]>([
    ['1.234', 'USD', 'too many decimals'],
    ['1.5', 'JPY', 'decimals on a zero-decimal currency'],
    ['1.2345', 'KWD', 'too many decimals'],
    ['-1.00', 'USD', 'a negative amount'],
    ['-0', 'USD', 'a minus sign'],
    ['+5', 'USD', 'a plus sign'],
    ['12a', 'USD', 'letters'],
    ['abc', 'USD', 'letters'],
    ['1e3', 'USD', 'an exponent'],
    ['', 'USD', 'an empty string'],
    ['   ', 'USD', 'only spaces'],
    ['.', 'USD', 'a lone point'],
    ['.50', 'USD', 'no whole part'],
    ['1.2.3', 'USD', 'two points'],
    ['90071992547409.92', 'USD', 'more than MAX_SAFE_INTEGER minor units'],
    ['9007199254740992', 'JPY', 'more than MAX_SAFE_INTEGER minor units'],
    ['99999999999999999999', 'JPY', 'far more than MAX_SAFE_INTEGER minor units'],
    ['9007199254740.992', 'KWD', 'more than MAX_SAFE_INTEGER minor units'],
  ])('rejects %j in %s (%s)', (input, currency) => {
    expect(parseDecimal(input, currency)).toBeUndefined();
  });

  it('rejects any input with more decimals than the currency has', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'USD', 'KWD'),
        fc.nat({ max: 1_000_000 }),
        fc.stringMatching(/^\d{1,6}$/),
        (currency, whole, extra) => {
          const decimals = '0'.repeat(currencyExponent(currency)) + extra;
          expect(parseDecimal(`${whole}.${decimals}`, currency)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('formatMoney', () => {
  it('formats for people through Intl in the given locale', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(5, 'USD', 'en-US')).toBe('$0.05');
    expect(formatMoney(123456, 'USD', 'de-DE')).toMatch(/^1\.234,56\s\$$/);
    expect(formatMoney(123456, 'EUR', 'de-DE')).toMatch(/^1\.234,56\s€$/);
    expect(formatMoney(1234, 'KWD', 'en-US')).toMatch(/1\.234$/);
  });

  it('shows no decimals for a zero-decimal currency', () => {
    expect(formatMoney(123456, 'JPY', 'en-US')).toBe('¥123,456');
    expect(formatMoney(5, 'JPY', 'en-US')).toBe('¥5');
  });

  it('shows every amount up to MAX_SAFE_INTEGER to the exact minor unit', () => {
    expect(formatMoney(9007199254740893, 'USD', 'en-US')).toBe('$90,071,992,547,408.93');
    expect(formatMoney(MAX, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(MAX, 'KWD', 'en-US')).toMatch(/9,007,199,254,740\.991$/);
  });
});

describe('sum', () => {
  it('adds minor units exactly', () => {
    expect(sum([])).toBe(0);
    expect(sum([1, 2, 3])).toBe(6);
    expect(sum([MAX - 1, 1])).toBe(MAX);
  });

  it('equals the BigInt sum whenever that sum is safe', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 ** 50 }), { maxLength: 8 }), (amounts) => {
        const exact = amounts.reduce((t, a) => t + BigInt(a), 0n);
        expect(BigInt(sum(amounts))).toBe(exact);
      }),
      { numRuns: 200 },
    );
  });

  it('throws instead of losing precision when the sum overflows', () => {
    expect(() => sum([MAX, 1])).toThrow(RangeError);
    expect(() => sum([MAX, MAX])).toThrow(/overflow/);
    expect(() => sum([2 ** 52, 2 ** 52])).toThrow(RangeError);
  });
});

describe('mulDivFloor', () => {
  it('is exact where float arithmetic is not', () => {
    // 9007199254740991 * 300 / 10000 = 270215977642229.73
    expect(mulDivFloor(MAX, 300, 10_000)).toBe(270215977642229);
    expect(mulDivFloor(MAX, 10_000, 10_000)).toBe(MAX);
    expect(mulDivFloor(MAX, 9_999, 10_000)).toBe(Number((BigInt(MAX) * 9_999n) / 10_000n));
    expect(mulDivFloor(33, 300, 10_000)).toBe(0);
    expect(mulDivFloor(67, 300, 10_000)).toBe(2);
    expect(mulDivFloor(0, 300, 10_000)).toBe(0);
  });

  it('is floor(amount * numerator / denominator) for every safe amount', () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat({ max: 10_000 }),
        (amount, denominator, n) => {
          const numerator = n % (denominator + 1);
          const result = mulDivFloor(amount, numerator, denominator);
          const product = BigInt(amount) * BigInt(numerator);
          expect(Number.isSafeInteger(result)).toBe(true);
          expect(BigInt(result) * BigInt(denominator) <= product).toBe(true);
          expect(product < (BigInt(result) + 1n) * BigInt(denominator)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('formatBps', () => {
  it('writes basis points as a percentage without trailing zeros or float error', () => {
    expect([300, 275, 5, 0, 10_000, 1, 290].map(formatBps)).toEqual([
      '3%',
      '2.75%',
      '0.05%',
      '0%',
      '100%',
      '0.01%',
      '2.9%',
    ]);
  });
});
