import { html, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import type { SettleLinesChangeEvent } from '../invoice-list/lines-change.js';
import type { PayController } from './pay-controller.js';
import { renderCredits } from './pay-credits.js';
import { issueText } from './pay-errors.js';
import { renderMethods, unavailableReason } from './pay-methods.js';
import { NO_ISSUES, placeIssues, type ViewIssues } from './pay-state.js';
import { renderPayArea, renderSummary } from './pay-summary.js';

/** The invoice list checks these on its own lines and says so once a field is left. */
const LIST_CHECKS = new Set(['amount_exceeds_balance', 'reason_code_required', 'note_required']);

/** Every problem where the payer sees it: local ones (but the list's own) and the server's last answer. */
function issuesOf(flow: PayController, localize: LocalizeController): ViewIssues {
  const { session, priced, serverIssues } = flow;
  if (!session || !priced) return NO_ISSUES;
  const own = priced.issues.filter((i) => !LIST_CHECKS.has(i.code) || !i.path.startsWith('allocations.'));
  return placeIssues([...own, ...serverIssues], priced.proposal, (issue, id) =>
    issueText(localize, session, issue, id),
  );
}

export interface ReadyView {
  flow: PayController;
  localize: LocalizeController;
  onPay(): void;
  onLines(event: SettleLinesChangeEvent): void;
}

/** The payment screen: invoices, then credits and method beside the summary and the Pay button. */
export function renderReady({ flow, localize, onPay, onLines }: ReadyView): TemplateResult | null {
  const { session, priced } = flow;
  const quote = flow.shownQuote;
  if (!session || !priced || !quote) return null;
  const issues = issuesOf(flow, localize);
  const chosen = quote.methods.find((m) => m.method === flow.method);
  const methodProblem = chosen ? unavailableReason(localize, chosen, session.currency) : null;
  // Why Pay is disabled, unless the summary ("select invoices") or a line already says it.
  const hint =
    priced.proposal.allocations.length === 0 || flow.busy
      ? null
      : (methodProblem ??
        issues.general ??
        (flow.fieldState.complete || priced.issues.length ? null : localize.t('payEnterDetails')));
  return html`
    <header part="header" class="header">
      <h2 tabindex="-1" data-focus>${localize.t('payTitle')}</h2>
      <p class="muted">${localize.t('paySubtitle', session.customer.name, session.merchant.name)}</p>
    </header>
    <settle-invoice-list
      .invoices=${session.invoices}
      .currency=${session.currency}
      .reasonCodes=${session.rules.reasonCodes}
      .lines=${flow.lines}
      .locale=${localize.locale}
      .issues=${issues.lines}
      .disabled=${flow.busy}
      @settle-lines-change=${onLines}
    ></settle-invoice-list>
    <div class="columns">
      <div class="column">
        ${renderCredits({
          localize,
          currency: session.currency,
          credits: session.credits,
          drafts: flow.credits,
          quote: priced.quote,
          issues: issues.credits,
          disabled: flow.busy,
          onChange: (id, draft) => flow.setCredit(id, draft),
        })}
        ${renderMethods({
          localize,
          session,
          quote,
          method: flow.method,
          disabled: flow.busy,
          onSelect: (m) => flow.setMethod(m),
        })}
      </div>
      <div class="column">
        ${renderSummary(localize, quote)}
        ${renderPayArea({
          localize,
          quote,
          busy: flow.busy,
          canPay: flow.canPay,
          hint,
          confirming: flow.confirming,
          notice: flow.notice,
          onPay,
        })}
      </div>
    </div>
  `;
}
