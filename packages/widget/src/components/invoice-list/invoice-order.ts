import { compareOldestFirst, type Invoice } from '@settle/schema';

export type InvoiceSortKey = 'dueDate' | 'amount' | 'number';
export type SortDirection = 'asc' | 'desc';

/**
 * The invoices in the order the payer asked for. Each column is sorted once per list and
 * locale (a numeric collation of 10,000 invoice numbers takes tens of milliseconds); the
 * other direction is that order reversed. Ties fall back to oldest due date first.
 */
export class InvoiceOrder {
  #source: readonly Invoice[] = [];
  #locale = '';
  readonly #ascending = new Map<InvoiceSortKey, Invoice[]>();

  sorted(invoices: readonly Invoice[], key: InvoiceSortKey, direction: SortDirection, locale: string): Invoice[] {
    if (invoices !== this.#source || locale !== this.#locale) {
      this.#source = invoices;
      this.#locale = locale;
      this.#ascending.clear();
    }
    let ascending = this.#ascending.get(key);
    if (!ascending) {
      ascending = [...invoices].sort(comparator(key, locale));
      this.#ascending.set(key, ascending);
    }
    return direction === 'desc' ? [...ascending].reverse() : ascending;
  }
}

function comparator(key: InvoiceSortKey, locale: string): (a: Invoice, b: Invoice) => number {
  if (key === 'amount') return (a, b) => a.openAmount - b.openAmount || compareOldestFirst(a, b);
  if (key === 'number') {
    const { compare } = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
    return (a, b) => compare(a.number, b.number) || compareOldestFirst(a, b);
  }
  return compareOldestFirst;
}
