import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';

/**
 * The screens around the payment itself: loading, the ones that end the flow (expired or
 * invalid link, a page set up without a token, nothing to pay) and the load's network error.
 * Each has a heading that takes focus (`data-focus`) when the payer's action led to it.
 */

export function renderLoading(localize: LocalizeController): TemplateResult {
  const row = html`<div class="skeleton-row"><span></span><span></span><span></span></div>`;
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

/** An expired or unknown link (or a page without a token): the sentence and the way back to the merchant. */
export function renderEnded(
  localize: LocalizeController,
  kind: 'expired' | 'unauthorized' | 'misconfigured',
  back: { url: string; merchant: string } | null,
): TemplateResult {
  const [title, body] =
    kind === 'expired'
      ? [localize.t('expiredTitle'), localize.t('expiredBody')]
      : kind === 'unauthorized'
        ? [localize.t('payInvalidLink'), localize.t('payInvalidLinkBody')]
        : [localize.t('payMisconfiguredTitle'), localize.t('payMisconfiguredBody')];
  return html`
    <div part=${kind === 'expired' ? 'expired' : 'error'} class="state ended">
      <h2 tabindex="-1" data-focus>${title}</h2>
      <p>${body}</p>
      ${back ? html`<a class="button" href=${back.url}>${localize.t('returnToMerchant', back.merchant)}</a>` : nothing}
    </div>
  `;
}

export function renderEmpty(
  localize: LocalizeController,
  customer: string,
  back: { url: string; merchant: string } | null,
): TemplateResult {
  return html`
    <div part="empty" class="state empty">
      <h2 tabindex="-1" data-focus>${localize.t('emptyTitle')}</h2>
      <p>${localize.t('emptyBody', customer)}</p>
      ${back ? html`<a class="button" href=${back.url}>${localize.t('returnToMerchant', back.merchant)}</a>` : nothing}
    </div>
  `;
}
