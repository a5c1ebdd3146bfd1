import { type CardBrand, type CardFunding, cardBrand, luhnValid, SANDBOX_TEST_CARDS } from '@settle/schema';

/**
 * What the sandbox's fields check before anything is sent, so the payer hears about a typo on
 * blur rather than after a round trip. The card rules are @settle/schema's, shared with the
 * sandbox server.
 */
export { type CardBrand, cardBrand, luhnValid };

/** Funding of the sandbox's test cards, known before tokenizing (for the surcharge notice). */
export function cardFunding(digits: string): CardFunding | null {
  return SANDBOX_TEST_CARDS[digits]?.funding ?? null;
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
