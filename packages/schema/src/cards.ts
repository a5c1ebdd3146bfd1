import type { CardFunding } from './session.js';

/**
 * The sandbox's test cards (Stripe's own test numbers) and the card-number rules both sides
 * apply: the widget's fields on blur, the sandbox when it tokenizes. No zod here, so the
 * widget's lazily loaded fields pull nothing else in.
 */
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

export const SANDBOX_TEST_CARDS: Readonly<Record<string, { brand: CardBrand; funding: CardFunding }>> = {
  '4242424242424242': { brand: 'visa', funding: 'credit' },
  '4000056655665556': { brand: 'visa', funding: 'debit' },
  '5555555555554444': { brand: 'mastercard', funding: 'credit' },
  '5200828282828210': { brand: 'mastercard', funding: 'debit' },
  '5105105105105100': { brand: 'mastercard', funding: 'prepaid' },
  '378282246310005': { brand: 'amex', funding: 'credit' },
  '6011111111111117': { brand: 'discover', funding: 'credit' },
  '4000000000000002': { brand: 'visa', funding: 'credit' },
  '4000000000009995': { brand: 'visa', funding: 'credit' },
  '4000000000009987': { brand: 'visa', funding: 'credit' },
  '4000000000000069': { brand: 'visa', funding: 'credit' },
  '4000000000000127': { brand: 'visa', funding: 'credit' },
};

/** The Luhn check every card number passes. */
export function luhnValid(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return digits.length >= 12 && total % 10 === 0;
}

/** The card network from the number's prefix. */
export function cardBrand(digits: string): CardBrand {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}
