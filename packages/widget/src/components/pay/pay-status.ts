import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import type { PayController } from './pay-controller.js';

/**
 * The screens around the payment itself: loading, the ones that end the flow (expired or
 * invalid link, a page set up without a token, nothing to pay) and the load's network error,
 * each with a heading that takes focus (`data-focus`) when the payer's action led to it; and, on
 * the invoices' screen, the selection line and the payment panel's place until the checkout piece is there.
 */

const row = html`<div class="skeleton-row"><span></span><span></span><span></span></div>`;

export function renderLoading(localize: LocalizeController): TemplateResult {
  return html`
    <div part="loading" class="state loading" aria-busy="true">
      <p class="sr-only">${localize.t('loading')}</p>
      <div class="skeleton-title" aria-hidden="true"></div>
      <div aria-hidden="true">${row}${row}${row}${row}</div>
    </div>
  `;
}

export function renderNetworkError(localize: LocalizeController, retry: () => void): TemplateResult {
  return html`
    <div part="error" class="state error">
      <h2 tabindex="-1" data-focus>${localize.t('payErrorTitle')}</h2>
      <p>${localize.t('networkError')}</p>
      <button class="button primary" type="button" @click=${retry}>${localize.t('retry')}</button>
    </div>
  `;
}

/**
 * A screen that ends the flow, with the way back to the merchant: an expired or unknown link, a
 * page without a token, or nothing to pay (`customer` is named then).
 */
export function renderEnded(
  localize: LocalizeController,
  kind: 'expired' | 'unauthorized' | 'misconfigured' | 'empty',
  back: { url: string; merchant: string } | null,
  customer = '',
): TemplateResult {
  const [title, body] =
    kind === 'expired'
      ? [localize.t('expiredTitle'), localize.t('expiredBody')]
      : kind === 'unauthorized'
        ? [localize.t('payInvalidLink'), localize.t('payInvalidLinkBody')]
        : kind === 'empty'
          ? [localize.t('emptyTitle'), localize.t('emptyBody', customer)]
          : [localize.t('payMisconfiguredTitle'), localize.t('payMisconfiguredBody')];
  return html`
    <div part=${kind === 'expired' || kind === 'empty' ? kind : 'error'} class="state ${kind === 'empty' ? 'empty' : 'ended'}">
      <h2 tabindex="-1" data-focus>${title}</h2>
      <p>${body}</p>
      ${back ? html`<a class="button" href=${back.url}>${localize.t('returnToMerchant', back.merchant)}</a>` : nothing}
    </div>
  `;
}

/** Under the invoice list: how many invoices are selected, or the prompt to select some. */
export function renderSelection(localize: LocalizeController, count: number): TemplateResult {
  return html`<p part="selection" class="selection" tabindex="-1">
    ${count ? localize.t('paySelected', count) : localize.t('paySelectInvoices')}
  </p>`;
}

/**
 * The payment panel's place while the checkout piece loads, or the error with Retry when it could
 * not. While Retry loads it again the error stays, Retry disabled, so the focus it has stays on it.
 */
export function renderCheckoutLoad(
  localize: LocalizeController,
  load: PayController['checkoutLoad'],
  retry: () => void,
): TemplateResult {
  if (load === 'failed' || load === 'retrying') {
    const busy = load === 'retrying';
    return html`<div part="error" class="notice">
      <h3 tabindex="-1" data-notice>${localize.t('payOptionsUnavailable')}</h3>
      <p>${localize.t('payCheckoutFailed')}</p>
      <button class="button" type="button" aria-disabled=${busy} @click=${retry}>
        ${localize.t('retry')}
      </button>
    </div>`;
  }
  return html`<div class="skeleton" aria-busy="true">
    <p class="sr-only">${localize.t('payCheckoutLoading')}</p>
    <div aria-hidden="true">${row}${row}</div>
  </div>`;
}
