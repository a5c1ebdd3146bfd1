import { parseDecimal, toDecimalString } from '@settle/schema';

interface Separators {
  decimal: string;
  group: string;
}

const separators = new Map<string, Separators>();

/** The decimal and grouping characters a locale writes ("en": "." and ","; "de": "," and "."). */
function separatorsOf(locale: string): Separators {
  let found = separators.get(locale);
  if (!found) {
    const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(12345.6);
    found = {
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      group: parts.find((p) => p.type === 'group')?.value ?? ',',
    };
    separators.set(locale, found);
  }
  return found;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Reads an amount a person typed in their locale's notation ("1,234.5" in English,
 * "1.234,5" in German) into minor units, exactly: the text is rewritten to the plain form
 * `parseDecimal` reads, and never passes through a float. Grouping is only accepted between
 * groups of digits ending in three, so an English "12,5" or a German "12.50" is refused
 * rather than read as 125 or 1250.
 */
export function parseAmount(text: string, currency: string, locale: string): number | undefined {
  const { decimal, group } = separatorsOf(locale);
  // Space-like group separators (fr: U+202F, and NBSP) are dropped with the rest of the whitespace.
  const compact = text.replace(/[\s\u00a0\u202f]/g, '');
  const decimalAt = compact.indexOf(decimal);
  const whole = decimalAt === -1 ? compact : compact.slice(0, decimalAt);
  const fraction = decimalAt === -1 ? '' : compact.slice(decimalAt + decimal.length);
  const g = escapeRegExp(group.trim() === '' ? '\u00a0' : group);
  const grouped = new RegExp(`^\\d{1,3}(?:${g}\\d{2,3})*${g}\\d{3}$`);
  if (!/^\d+$/.test(whole) && !grouped.test(whole)) return undefined;
  if (!/^\d*$/.test(fraction)) return undefined;
  const plainWhole = whole.split(group).join('');
  return parseDecimal(decimalAt === -1 ? plainWhole : `${plainWhole}.${fraction}`, currency);
}

/** Minor units as a person edits them: no symbol, no grouping, the locale's decimal mark ("1234,50"). */
export function editableAmount(amount: number, currency: string, locale: string): string {
  return toDecimalString(amount, currency).replace('.', separatorsOf(locale).decimal);
}

/** An example of the notation `parseAmount` reads for this locale and currency ("1,234.56"). */
export function amountExample(currency: string, locale: string): string {
  const { decimal, group } = separatorsOf(locale);
  const plain = toDecimalString(123456, currency);
  const [whole = '', fraction] = plain.split('.');
  const grouped = whole.length > 3 ? `${whole.slice(0, -3)}${group}${whole.slice(-3)}` : whole;
  return fraction === undefined ? grouped : `${grouped}${decimal}${fraction}`;
}
