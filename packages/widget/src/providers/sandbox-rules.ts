import type { CardFunding } from '@settle/schema';

/**
 * What the sandbox's fields check before anything is sent: the same rules the sandbox server
 * applies (server/src/processors/sandbox-cards.ts), so the payer hears about a typo on blur
 * rather than after a round trip.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

/** Funding of the sandbox's test cards (Stripe's test numbers), known before tokenizing. */
const TEST_CARD_FUNDING: Record<string, CardFunding> = {
  '4242424242424242': 'credit',
  '4000056655665556': 'debit',
  '5555555555554444': 'credit',
  '5200828282828210': 'debit',
  '5105105105105100': 'prepaid',
  '378282246310005': 'credit',
  '6011111111111117': 'credit',
  '4000000000000002': 'credit',
  '4000000000009995': 'credit',
  '4000000000009987': 'credit',
  '4000000000000069': 'credit',
  '4000000000000127': 'credit',
};

export function cardFunding(digits: string): CardFunding | null {
  return TEST_CARD_FUNDING[digits] ?? null;
}

export function cardBrand(digits: string): CardBrand {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}

export function cardLength(brand: CardBrand): number {
  return brand === 'amex' ? 15 : 16;
}

export function cvcLength(brand: CardBrand): number {
  return brand === 'amex' ? 4 : 3;
}

/** Groups as printed on the card: 4-6-5 for American Express, 4-4-4-4 for the others. */
export function formatCardNumber(digits: string): string {
  const groups = cardBrand(digits) === 'amex' ? [4, 6, 5] : [4, 4, 4, 4];
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  return parts.join(' ');
}

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

/** "1" -> "1", "4" -> "04" (no month starts with 4), "1228" -> "12 / 28". */
export function formatExpiry(digits: string): string {
  const d = /^[2-9]/.test(digits) ? `0${digits}`.slice(0, 4) : digits;
  return d.length > 2 ? `${d.slice(0, 2)} / ${d.slice(2)}` : d;
}

export type ExpiryProblem = 'incomplete' | 'month' | 'expired';

/** Month and four-digit year from "MM / YY", or what is wrong with it. A card is good through its month. */
export function parseExpiry(value: string, now = new Date()): { month: number; year: number } | ExpiryProblem {
  const d = value.replace(/\D/g, '');
  if (d.length !== 4) return 'incomplete';
  const month = Number(d.slice(0, 2));
  const year = 2000 + Number(d.slice(2));
  if (month < 1 || month > 12) return 'month';
  if (year * 12 + month < now.getFullYear() * 12 + now.getMonth() + 1) return 'expired';
  return { month, year };
}

/** The ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function routingValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const w = [3, 7, 1];
  let total = 0;
  for (let i = 0; i < 9; i++) total += Number(digits[i]) * (w[i % 3] ?? 0);
  return total % 10 === 0;
}
