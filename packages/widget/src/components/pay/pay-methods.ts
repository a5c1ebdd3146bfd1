import type { MethodAvailability, PaymentMethodType, Quote, SessionView } from '@settle/schema';
import { surchargeFor } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';

export interface MethodsView {
  localize: LocalizeController;
  session: SessionView;
  quote: Quote;
  method: PaymentMethodType;
  disabled: boolean;
  onSelect(method: PaymentMethodType): void;
}

export function methodName(localize: LocalizeController, method: PaymentMethodType): string {
  return localize.t(method === 'card' ? 'payMethodCard' : method === 'ach_debit' ? 'payMethodAch' : 'payMethodWallet');
}

/** "3%" in English, "3 %" in German. */
export function percent(localize: LocalizeController, rateBps: number): string {
  return new Intl.NumberFormat(localize.locale, { style: 'percent', maximumFractionDigits: 2 }).format(
    rateBps / 10_000,
  );
}

/** Why a method cannot take this amount, in the payer's language ("Card payments are limited to $25,000.00"). */
export function unavailableReason(
  localize: LocalizeController,
  m: MethodAvailability,
  currency: string,
): string | null {
  const reason = m.reason;
  if (m.available || !reason) return null;
  if (reason.limit === null) return reason.message;
  const limit = localize.money(reason.limit, currency);
  const name = methodName(localize, m.method);
  if (reason.code === 'method_limit_exceeded') return localize.t('payMethodMax', name, limit);
  if (reason.code === 'method_below_minimum') return localize.t('payMethodMin', name, limit);
  return reason.message;
}

/**
 * The card surcharge disclosure, shown where cards are first offered (card rules: at the point
 * of entry, before a card number is typed): the rate for credit cards and that debit cards and
 * bank transfers carry none. Null where no surcharge can apply (disabled, or the region forbids it).
 */
export function surchargeDisclosure(localize: LocalizeController, session: SessionView, quote: Quote): string | null {
  const possible = surchargeFor('card', null, quote.subtotal, session.rules.surcharge, session.customer.region);
  if (possible.status !== 'unknown_funding' || possible.rateBps === 0) return null;
  return localize.t('paySurchargeNotice', percent(localize, possible.rateBps));
}

/** The methods the merchant allows, those over a limit disabled with the reason, then the provider's fields. */
export function renderMethods(view: MethodsView): TemplateResult {
  const { localize, session, quote } = view;
  const disclosure = surchargeDisclosure(localize, session, quote);
  // Limits apply to a total: with nothing selected yet, every allowed method is on offer.
  const selected = quote.lines.length > 0;
  const option = (m: MethodAvailability) => {
    const id = `method-${m.method}`;
    const available = m.available || !selected;
    const reason = selected ? unavailableReason(localize, m, session.currency) : null;
    const cardLike = m.method !== 'ach_debit';
    const describedBy = [reason ? `${id}-reason` : '', cardLike && disclosure ? 'surcharge-disclosure' : '']
      .filter(Boolean)
      .join(' ');
    return html`
      <li class="method ${available ? '' : 'unavailable'}">
        <input
          id=${id}
          type="radio"
          name="method"
          .value=${m.method}
          .checked=${m.method === view.method}
          ?disabled=${view.disabled || !available}
          aria-describedby=${describedBy || nothing}
          @change=${() => view.onSelect(m.method)}
        />
        <label for=${id}>${methodName(localize, m.method)}</label>
        ${reason ? html`<p id="${id}-reason" class="method-reason">${reason}</p>` : nothing}
      </li>
    `;
  };
  return html`
    <section part="methods" class="panel methods" aria-labelledby="methods-heading">
      <h3 id="methods-heading">${localize.t('payMethodsHeading')}</h3>
      <fieldset>
        <legend class="sr-only">${localize.t('payMethodsHeading')}</legend>
        <ul class="plain method-list">${quote.methods.map(option)}</ul>
      </fieldset>
      ${disclosure ? html`<p id="surcharge-disclosure" class="disclosure">${disclosure}</p>` : nothing}
      <div class="fields"><slot name="payment-fields"></slot></div>
    </section>
  `;
}
