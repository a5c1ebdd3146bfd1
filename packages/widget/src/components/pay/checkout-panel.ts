import type { SessionDocuments } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
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
    ${renderStatement(localize, session.documents)}
  `;
  return { lineIssues: issues.lines, panel };
}

/**
 * The customer's statement, PDF and CSV, under the panel: signed links that work without the
 * client token and expire with the session. Here rather than on the first screen because settle.js
 * has no bytes left in its 20 KB budget (docs/statements.md).
 */
function renderStatement(localize: LocalizeController, docs: SessionDocuments | undefined) {
  return docs
    ? html`<p part="statement" class="muted statement">
        ${localize.t('payStatement')} <a href=${docs.statementPdf}>PDF</a> · <a href=${docs.statementCsv}>CSV</a>
      </p>`
    : nothing;
}
