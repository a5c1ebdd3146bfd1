import { html, type TemplateResult } from 'lit';
import type { LocalizeController } from '../../i18n/localize.js';
import type { CheckoutController } from './checkout-controller.js';
import { renderCredits } from './pay-credits.js';
import { issueText } from './pay-issues.js';
import { renderMethods, unavailableReason } from './pay-methods.js';
import { NO_ISSUES, placeIssues, type ViewIssues } from './pay-price.js';
import { renderPayArea, renderSummary } from './pay-summary.js';

/** The invoice list checks these on its own lines and says so once a field is left. */
const LIST_CHECKS = new Set(['amount_exceeds_balance', 'reason_code_required', 'note_required']);

/** Every problem where the payer sees it: local ones (but the list's own) and the server's last answer. */
function issuesOf(flow: CheckoutController, localize: LocalizeController): ViewIssues {
  const { session, priced, serverIssues } = flow;
  if (!session || !priced) return NO_ISSUES;
  const own = priced.issues.filter((i) => !LIST_CHECKS.has(i.code) || !i.path.startsWith('allocations.'));
  return placeIssues([...own, ...serverIssues], priced.proposal, (issue, id) =>
    issueText(localize, session, issue, id),
  );
}

export interface PanelView {
  flow: CheckoutController;
  localize: LocalizeController;
  onPay(): void;
}

export interface Panel {
  /** Problems on invoice lines, for the invoice list (`allocations.<invoiceId>.<field>`). */
  lineIssues: Record<string, string>;
  /** Credits and method beside the summary and the Pay button; null until the panel has a session. */
  panel: TemplateResult | null;
}

/** The payment panel under the invoice list: credits and method beside the summary and the Pay button. */
export function renderPanel({ flow, localize, onPay }: PanelView): Panel {
  const { session, priced } = flow;
  const quote = flow.shownQuote;
  if (!session || !priced || !quote) return { lineIssues: {}, panel: null };
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
  const panel = html`
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
  return { lineIssues: issues.lines, panel };
}
