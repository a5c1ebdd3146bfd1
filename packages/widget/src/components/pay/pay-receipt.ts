import type { Payment, ReasonCode, SessionPayment } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import { methodName, percent } from './pay-methods.js';

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
};

/** "Visa •4242", "Chase •6789", or the method's name when the processor said nothing more. */
export function methodSummary(localize: LocalizeController, payment: Payment): string {
  const pm = payment.paymentMethod;
  if (!pm) return methodName(localize, payment.method);
  const name =
    pm.type === 'ach_debit'
      ? (pm.bankName ?? localize.t('payBankAccount'))
      : pm.brand
        ? (BRANDS[pm.brand] ?? pm.brand)
        : methodName(localize, pm.type);
  return `${name} •${pm.last4}`;
}

export interface ReceiptView {
  localize: LocalizeController;
  /** With the receipt's signed download link when the server offers one. */
  payment: Payment & Partial<Pick<SessionPayment, 'receiptUrl'>>;
  reasons: readonly ReasonCode[];
  back: { url: string; merchant: string } | null;
}

/**
 * What was paid: per invoice (with what a short payment left unpaid and why), the credits used,
 * the fee, the method and the reference. A processing (ACH) payment shows the same facts under
 * an honest pending heading instead of a receipt's.
 */
export function renderReceipt(view: ReceiptView): TemplateResult {
  const { localize, payment } = view;
  const money = (amount: number) => localize.money(amount, payment.currency);
  const pending = payment.status === 'processing' || payment.status === 'requires_confirmation';
  const reasonLabel = (code: string | null) => view.reasons.find((r) => r.code === code)?.label ?? code ?? '';
  return html`
    <div part=${pending ? 'pending' : 'receipt'} class="state ${pending ? 'pending' : 'receipt'}">
      <h2 tabindex="-1" data-focus>${localize.t(pending ? 'payPendingTitle' : 'payReceiptTitle')}</h2>
      <p class="lead">${pending ? localize.t('payPendingBody') : localize.t('payReceiptBody', money(payment.amount))}</p>
      <h3>${localize.t('payReceiptInvoices')}</h3>
      <dl class="rows">
        ${payment.lines.map(
          (line) => html`<div class="row">
            <dt>
              ${localize.t('payInvoiceLine', line.invoiceNumber)}
              ${
                line.shortAmount > 0
                  ? html`<span class="muted block">
                    ${localize.t('payShortPaid', reasonLabel(line.reasonCode), money(line.shortAmount))}
                  </span>`
                  : nothing
              }
            </dt>
            <dd>${money(line.amount)}</dd>
          </div>`,
        )}
        ${payment.credits.map(
          (credit) => html`<div class="row">
            <dt>${localize.t('payCreditLine', credit.creditNumber)}</dt>
            <dd>${money(-credit.amount)}</dd>
          </div>`,
        )}
        ${
          payment.surcharge.amount > 0 || payment.credits.length > 0
            ? html`<div class="row subtotal"><dt>${localize.t('paySubtotal')}</dt><dd>${money(payment.subtotal)}</dd></div>`
            : nothing
        }
        ${
          payment.surcharge.amount > 0
            ? html`<div class="row">
              <dt>${localize.t('paySurchargeLine', percent(localize, payment.surcharge.rateBps))}</dt>
              <dd>${money(payment.surcharge.amount)}</dd>
            </div>`
            : nothing
        }
        <div class="row total">
          <dt>${localize.t(pending ? 'payTotal' : 'payTotalPaid')}</dt>
          <dd>${money(payment.amount)}</dd>
        </div>
      </dl>
      <dl class="facts">
        <div><dt>${localize.t('payPaidWith')}</dt><dd>${methodSummary(localize, payment)}</dd></div>
        <div><dt>${localize.t('payReference')}</dt><dd class="reference">${payment.id}</dd></div>
        <div><dt>${localize.t('payStatusLabel')}</dt><dd>${localize.t('payStatus', payment.status)}</dd></div>
      </dl>
      <div class="actions">
        ${
          payment.receiptUrl
            ? html`<a part="receipt-download" class="button" href=${payment.receiptUrl}>
                ${localize.t('payReceiptDownload')}
              </a>`
            : nothing
        }
        ${
          view.back
            ? html`<a class="button" href=${view.back.url}>${localize.t('returnToMerchant', view.back.merchant)}</a>`
            : nothing
        }
      </div>
    </div>
  `;
}
