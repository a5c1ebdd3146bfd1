import { type Invoice, payableAmount } from '@settle/schema';
import type { LocalizeController } from '../../i18n/localize.js';

/** An invoice's words and numbers as its row shows them. */
export interface RowText {
  selectLabel: string;
  amount: string;
  open: string;
  pending: string | null;
  issuedDate: string;
  issued: string;
  due: string;
  overdue: string | null;
  documentUrl: string | null;
  documentLabel: string;
  po: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Formats each invoice's row once per locale, currency and day: a row scrolled back into view
 * costs no Intl work, which keeps scrolling through thousands of invoices smooth.
 */
export class RowTextCache {
  #key = '';
  #cache = new WeakMap<Invoice, RowText>();

  get(invoice: Invoice, lc: LocalizeController, currency: string, today: string): RowText {
    const key = `${lc.locale}\u0000${lc.t('listLabel')}\u0000${currency}\u0000${today}`;
    if (key !== this.#key) {
      this.#key = key;
      this.#cache = new WeakMap();
    }
    let text = this.#cache.get(invoice);
    if (!text) {
      text = format(invoice, lc, currency || invoice.currency, today);
      this.#cache.set(invoice, text);
    }
    return text;
  }
}

function format(invoice: Invoice, lc: LocalizeController, currency: string, today: string): RowText {
  const payable = payableAmount(invoice);
  const overdue = Math.round((utcDay(today) - utcDay(invoice.dueDate)) / DAY_MS);
  const issuedDate = lc.date(invoice.issueDate);
  return {
    selectLabel:
      payable > 0
        ? lc.t('listPayInvoice', invoice.number, lc.money(payable, currency))
        : lc.t('listNotPayable', invoice.number),
    amount: lc.money(invoice.amount, currency),
    open: lc.money(invoice.openAmount, currency),
    pending: invoice.pendingAmount > 0 ? lc.t('listPending', lc.money(invoice.pendingAmount, currency)) : null,
    issuedDate,
    issued: lc.t('listIssued', issuedDate),
    due: lc.date(invoice.dueDate),
    overdue: overdue > 0 ? lc.t('listOverdue', overdue) : null,
    documentUrl: safeUrl(invoice.documentUrl),
    documentLabel: lc.t('listDocumentLabel', invoice.number),
    po: invoice.poNumber ? lc.t('listPo', invoice.poNumber) : null,
  };
}

function utcDay(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

/** Only http(s) links are rendered: a document URL from the ERP must never run script. */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
