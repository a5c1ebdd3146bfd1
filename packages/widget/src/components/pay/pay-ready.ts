import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import type { SettleLinesChangeEvent } from '../invoice-list/lines-change.js';
import type { PayController } from './pay-controller.js';
import { renderCheckoutLoad, renderLoading, renderSelection } from './pay-status.js';

const NO_LINE_ISSUES: Record<string, string> = {};

export interface ReadyView {
  flow: PayController;
  localize: LocalizeController;
  onLines(event: SettleLinesChangeEvent): void;
  onPay(): void;
  /** Try again to load the checkout piece. */
  onRetry(): void;
}

/**
 * The invoices' screen: the header, the invoice list and the selection line; once something is
 * selected, the payment panel under them (the checkout piece's), or its place while it loads.
 */
export function renderReady({ flow, localize, onLines, onPay, onRetry }: ReadyView): TemplateResult {
  const { session, piece, checkout, lines } = flow;
  if (!session) return renderLoading(localize);
  const panel =
    flow.selecting && piece && checkout?.session ? piece.renderPanel({ flow: checkout, localize, onPay }) : null;
  return html`
    <header part="header" class="header">
      <h2 tabindex="-1" data-focus>${localize.t('payTitle')}</h2>
      <p class="muted">${localize.t('paySubtitle', session.customer.name, session.merchant.name)}</p>
    </header>
    <settle-invoice-list
      .invoices=${session.invoices}
      .currency=${session.currency}
      .reasonCodes=${session.rules.reasonCodes}
      .lines=${lines}
      .locale=${localize.locale}
      .issues=${panel?.lineIssues ?? NO_LINE_ISSUES}
      .disabled=${checkout?.busy ?? false}
      @settle-lines-change=${onLines}
    ></settle-invoice-list>
    ${renderSelection(localize, lines.size)}
    ${
      flow.selecting
        ? html`<div part="checkout" class="checkout">
            ${panel?.panel ?? renderCheckoutLoad(localize, flow.checkoutLoad, onRetry)}
          </div>`
        : nothing
    }
  `;
}
