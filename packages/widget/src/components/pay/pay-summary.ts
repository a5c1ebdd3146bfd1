import type { Quote } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import { percent } from './pay-methods.js';
import type { Notice } from './pay-price.js';

/**
 * The surcharge as its own line once the card's funding is known (card rules: the fee amount
 * on its own line, before the total), or the sentence that there is none for a debit card.
 */
function surchargeRow(localize: LocalizeController, quote: Quote): TemplateResult | typeof nothing {
  const { surcharge, cardFunding } = quote;
  if (surcharge.status === 'applied') {
    return html`<div class="row surcharge">
      <dt>${localize.t('paySurchargeLine', percent(localize, surcharge.rateBps))}</dt>
      <dd>${localize.money(surcharge.amount, quote.currency)}</dd>
    </div>`;
  }
  if (quote.method !== 'ach_debit' && (cardFunding === 'debit' || cardFunding === 'prepaid')) {
    const text = localize.t(cardFunding === 'debit' ? 'payNoSurchargeDebit' : 'payNoSurchargePrepaid');
    return html`<div class="row surcharge-none"><dt>${text}</dt><dd>${localize.money(0, quote.currency)}</dd></div>`;
  }
  return nothing;
}

const MAX_LINES = 8;

/** What is being paid: each invoice, each credit taking it down, the fee, and the total. */
export function renderSummary(localize: LocalizeController, quote: Quote): TemplateResult {
  const money = (amount: number) => localize.money(amount, quote.currency);
  const hasFee = quote.surcharge.status === 'applied' || quote.creditTotal > 0;
  // A long selection folds into one line, so selecting thousands of invoices stays fast and readable.
  const shown = quote.lines.length > MAX_LINES ? quote.lines.slice(0, MAX_LINES - 1) : quote.lines;
  const folded = quote.lines.slice(shown.length);
  return html`
    <section part="summary" class="panel summary" aria-labelledby="summary-heading">
      <h3 id="summary-heading">${localize.t('paySummaryHeading')}</h3>
      ${
        quote.lines.length === 0
          ? html`<p class="muted">${localize.t('paySelectInvoices')}</p>`
          : html`
            <dl class="rows">
              ${shown.map(
                (line) => html`<div class="row">
                  <dt>${localize.t('payInvoiceLine', line.invoiceNumber)}</dt>
                  <dd>${money(line.amount)}</dd>
                </div>`,
              )}
              ${
                folded.length
                  ? html`<div class="row">
                    <dt>${localize.t('payMoreInvoices', folded.length)}</dt>
                    <dd>${money(folded.reduce((total, line) => total + line.amount, 0))}</dd>
                  </div>`
                  : nothing
              }
              ${quote.credits.map(
                (credit) => html`<div class="row credit-row">
                  <dt>${localize.t('payCreditLine', credit.creditNumber)}</dt>
                  <dd>${money(-credit.amount)}</dd>
                </div>`,
              )}
              ${
                hasFee
                  ? html`<div class="row subtotal"><dt>${localize.t('paySubtotal')}</dt><dd>${money(quote.subtotal)}</dd></div>`
                  : nothing
              }
              ${surchargeRow(localize, quote)}
              <div class="row total" part="total">
                <dt>${localize.t('payTotal')}</dt>
                <dd>${money(quote.total)}</dd>
              </div>
            </dl>
          `
      }
    </section>
  `;
}

export interface PayAreaView {
  localize: LocalizeController;
  quote: Quote;
  busy: boolean;
  canPay: boolean;
  /** Why Pay is disabled, when it is and nothing else on screen says so. */
  hint: string | null;
  /** The server's total for this card differs from the local one: Pay accepts it. */
  confirming: boolean;
  notice: Notice | null;
  onPay(): void;
}

/** The decline or error banner, the total to confirm, and the Pay button with the exact total. */
export function renderPayArea(view: PayAreaView): TemplateResult {
  const { localize, quote, notice } = view;
  const total = localize.money(quote.total, quote.currency);
  const label = view.busy
    ? localize.t('payPaying')
    : quote.lines.length
      ? localize.t('payButton', total)
      : localize.t('payButtonIdle');
  return html`
    <div class="pay-area">
      ${
        notice
          ? html`<div part="error" class="notice ${notice.kind}">
            <h3 tabindex="-1" data-notice>
              ${localize.t(notice.kind === 'decline' ? 'payDeclinedTitle' : 'payErrorTitle')}
            </h3>
            <p>${notice.message}</p>
            ${
              notice.retry
                ? html`<button class="button" type="button" @click=${view.onPay}>${localize.t('retry')}</button>`
                : nothing
            }
          </div>`
          : nothing
      }
      ${view.confirming ? html`<p class="confirm" data-confirm>${localize.t('payConfirmTotal', total)}</p>` : nothing}
      ${view.hint ? html`<p class="hint muted" id="pay-hint">${view.hint}</p>` : nothing}
      <button
        part="pay-button"
        class="button primary pay"
        type="button"
        ?disabled=${!view.canPay}
        aria-busy=${view.busy ? 'true' : 'false'}
        aria-describedby=${view.hint ? 'pay-hint' : nothing}
        @click=${view.onPay}
      >
        ${label}
      </button>
    </div>
  `;
}
