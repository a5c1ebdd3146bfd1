import { type CreditMemo, payableAmount, type Quote } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import { editableAmount } from '../invoice-list/amount-text.js';
import type { CreditDraft } from './pay-price.js';

export interface CreditsView {
  localize: LocalizeController;
  currency: string;
  credits: readonly CreditMemo[];
  drafts: ReadonlyMap<string, CreditDraft>;
  quote: Quote | null;
  /** Problems by credit id. */
  issues: Record<string, string>;
  disabled: boolean;
  onChange(id: string, draft: CreditDraft): void;
}

/**
 * Applying a credit fills in what it can take: its remaining amount, or less when the selected
 * invoices (after the other credits) are smaller. The payer can type any part of it.
 */
function suggested(credit: CreditMemo, quote: Quote | null): number {
  const available = payableAmount(credit);
  const room = quote ? quote.invoiceTotal - quote.creditTotal : 0;
  return room > 0 ? Math.min(available, room) : available;
}

/** The open credit memos: a checkbox to apply each, and the amount to apply when it is. */
export function renderCredits(view: CreditsView): TemplateResult | typeof nothing {
  const { localize, currency } = view;
  const usable = view.credits.filter((c) => payableAmount(c) > 0);
  if (usable.length === 0) return nothing;
  const row = (credit: CreditMemo) => {
    const draft = view.drafts.get(credit.id) ?? { applied: false, text: '' };
    const id = `credit-${credit.id}`;
    const issue = view.issues[credit.id];
    const toggle = (e: Event) => {
      const applied = (e.target as HTMLInputElement).checked;
      const text = applied ? editableAmount(suggested(credit, view.quote), currency, localize.locale) : draft.text;
      view.onChange(credit.id, { applied, text });
    };
    const edit = (e: Event) => view.onChange(credit.id, { applied: true, text: (e.target as HTMLInputElement).value });
    return html`
      <li class="credit">
        <input id=${id} type="checkbox" .checked=${draft.applied} ?disabled=${view.disabled} @change=${toggle} />
        <label for=${id} class="credit-label">
          <span class="credit-name">${localize.t('payCreditApply', credit.number)}</span>
          <span class="muted">
            ${credit.memo ? `${credit.memo} · ` : nothing}${localize.t(
              'payCreditAvailable',
              localize.money(payableAmount(credit), currency),
            )}
          </span>
        </label>
        ${
          draft.applied
            ? html`
              <div class="credit-amount">
                <label class="sr-only" for="${id}-amount">${localize.t('payCreditAmount', credit.number)}</label>
                <input
                  id="${id}-amount"
                  class="amount-input"
                  type="text"
                  inputmode="decimal"
                  autocomplete="off"
                  .value=${draft.text}
                  ?disabled=${view.disabled}
                  aria-invalid=${issue ? 'true' : 'false'}
                  aria-describedby=${issue ? `${id}-error` : nothing}
                  @input=${edit}
                />
                ${issue ? html`<p id="${id}-error" class="field-error">${issue}</p>` : nothing}
              </div>
            `
            : nothing
        }
      </li>
    `;
  };
  return html`
    <section part="credits" class="panel credits" aria-labelledby="credits-heading">
      <h3 id="credits-heading">${localize.t('payCreditsHeading')}</h3>
      <ul class="plain">${usable.map(row)}</ul>
    </section>
  `;
}
