import type { SessionClient } from '@settle/client';
import { createLeanSessionClient } from '@settle/client/lean';
import { adoptStyles, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { addEnglish, LocalizeController } from '../../i18n/localize.js';
import { themeStyles } from '../../internal/theme.styles.js';
import type { SettleLinesChangeEvent } from '../invoice-list/lines-change.js';
import { payStyles } from './pay.styles.js';
import { PayController } from './pay-controller.js';
import { renderReady } from './pay-ready.js';
import { renderEnded, renderLoading, renderNetworkError } from './pay-status.js';

const THEMES = ['light', 'dark', 'auto'];
const warned = new Set<string>();

/** Integrator mistakes are said once per page, with a code to search for (Lit's dev warnings do the same). */
function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  console.warn(`[settle] ${code}: ${message}`);
}

/**
 * The drop-in element: a customer's open invoices; once the payer selects some, the payment
 * panel (credits, the payment method, the summary and the Pay button), then the receipt. The
 * panel is the checkout piece, loaded on the first selection (docs/decisions/0008). Give it the
 * session's client token; everything else comes from the session.
 *
 * @summary Pay open invoices with card or ACH, from the merchant's own page.
 *
 * @event {SettleReadyEvent} settle-ready - The session was read; `detail.session`.
 * @event {SettleChangeEvent} settle-change - Every edit once the payment panel is open (the first reports the selection that opened it); `detail.proposal`, the local `detail.quote`, `detail.valid`.
 * @event {SettleSubmitEvent} settle-submit - Pay was pressed. Cancelable: `preventDefault()` stops it before any charge.
 * @event {SettleSuccessEvent} settle-success - Paid (`succeeded`), or accepted and processing (ACH); again when that settles. A bank payment that fails later arrives as `settle-error` with `detail.payment`.
 * @event {SettleErrorEvent} settle-error - A decline, an expired or invalid link, a network failure; `detail.message` is what the payer read.
 *
 * @slot payment-fields - Created by the element in its own light DOM once the payment panel opens: the processor's fields mount there (Stripe Elements cannot live in a shadow root). Do not fill it yourself.
 *
 * @csspart base - The element's frame.
 * @csspart header - The title and the customer.
 * @csspart selection - Under the invoices: how many are selected, or the prompt to select some.
 * @csspart checkout - The payment panel's place once something is selected (a skeleton while it loads).
 * @csspart credits - The credit memos panel.
 * @csspart methods - The payment method choice and the fields.
 * @csspart summary - The lines, credits, fee and total.
 * @csspart total - The total row.
 * @csspart pay-button - The Pay button.
 * @csspart error - A decline or failure banner, and the network error screen.
 * @csspart loading - The skeleton while the session loads.
 * @csspart expired - The expired link screen.
 * @csspart empty - The nothing-to-pay screen.
 * @csspart pending - The processing (ACH) screen.
 * @csspart receipt - The receipt.
 * @csspart receipt-download - The receipt's "Download receipt (PDF)" link, when the server offers one.
 * @csspart statement - Under the payment panel: the account statement's PDF and CSV links.
 *
 * @cssproperty [--settle-pay-max-width=760px] - The widest the element grows.
 * @cssproperty [--settle-color-primary=#2450d8] - Buttons, selection and links (global token; dark theme #7ea1ff).
 * @cssproperty [--settle-color-on-primary=#ffffff] - Text on the primary colour (dark #0b1430).
 * @cssproperty [--settle-color-text=#141a29] - Body text (dark #e9ecf5).
 * @cssproperty [--settle-color-muted=#596079] - Secondary text (dark #a4abc0).
 * @cssproperty [--settle-color-surface=#ffffff] - The card's background (dark #141926).
 * @cssproperty [--settle-color-surface-2=#f4f6fb] - Panels inside the card (dark #1c2233).
 * @cssproperty [--settle-color-border=#d9deea] - Lines and inputs (dark #30384f).
 * @cssproperty [--settle-color-danger=#b42318] - Errors and overdue badges (dark #ff8a80).
 * @cssproperty [--settle-color-success=#067647] - Receipts (dark #6ce9a6).
 * @cssproperty [--settle-color-warning=#b54708] - Pending payments (dark #fdb022).
 * @cssproperty [--settle-color-focus=#2450d8] - The focus ring (dark #7ea1ff).
 * @cssproperty [--settle-radius-s=6px] - Small corners (inputs, badges).
 * @cssproperty [--settle-radius-m=10px] - Corners of the card and panels.
 * @cssproperty [--settle-font-family=system-ui] - The typeface.
 * @cssproperty [--settle-font-size-m=15px] - The body text size.
 * @cssproperty [--settle-space-m=16px] - The base spacing unit.
 */
export class SettlePay extends LitElement {
  static override styles = [themeStyles, payStyles];
  // Reactive properties declared here rather than with @property/@state: the decorators' runtime
  // costs settle.js about 400 B brotli of its 20 KB budget (docs/decisions/0008). Each keeps its doc on its field.
  static override properties = {
    announcement: { state: true },
    clientToken: { attribute: 'client-token' },
    apiUrl: { attribute: 'api-url' },
    locale: {},
    theme: { reflect: true },
    returnUrl: { attribute: 'return-url' },
    client: { attribute: false },
  };

  readonly #localize = new LocalizeController(this, () => this.locale);
  readonly #flow = new PayController(this, {
    localize: this.#localize,
    client: () => this.#client(),
    noticed: () => this.#noticed(),
    announce: (text) => this.#announce(text),
    arrived: (piece) => {
      addEnglish(piece.enCheckout);
      // Static styles are fixed once the element is defined: the panel's join them in the shadow
      // root, as constructable style sheets (which a CSP without 'unsafe-inline' allows).
      // A subclass's own static styles are in its elementStyles, so they stay.
      adoptStyles(this.renderRoot as ShadowRoot, [
        ...(this.constructor as typeof LitElement).elementStyles,
        piece.checkoutStyles,
      ]);
    },
  });
  #created: SessionClient | null = null;
  #needsLoad = true;
  /** Focus follows a state change only after the payer did something (never on first load). */
  #interacted = false;
  #focus: '[data-focus]' | '[data-notice]' | '[part="selection"]' | null = null;

  /** What the live region says: total changes and state changes. */
  private announcement = '';

  /** The session's client token (`ct_...`), minted by the merchant's backend. */
  clientToken = '';
  /** Settle's base URL; the page's origin when empty. */
  apiUrl = '';
  /** BCP 47 locale for strings, amounts and dates; else `<html lang>`, else the browser's. */
  locale = '';
  /** 'light', 'dark', or 'auto' (follows prefers-color-scheme). */
  theme: 'light' | 'dark' | 'auto' = 'auto';
  /** Where "Back to merchant" links go; overrides the session's return URL. */
  returnUrl = '';
  /**
   * A ready-made session client, used instead of client-token and api-url: e.g. the validating
   * `createSessionClient` from `@settle/client`. Without one the element trusts its server (docs/decisions/0006).
   */
  client: SessionClient | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#needsLoad) this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('clientToken') || changed.has('apiUrl') || changed.has('client')) {
      this.#created = null;
      if (this.hasUpdated) this.#needsLoad = true;
    }
    if (changed.has('theme') && !THEMES.includes(this.theme)) {
      warnOnce('SETTLE_UNKNOWN_THEME', `theme="${this.theme}" is not one of light, dark, auto; using auto.`);
    }
    if (this.#needsLoad && this.isConnected) {
      this.#needsLoad = false;
      if (!this.client && !this.clientToken) {
        warnOnce(
          'SETTLE_MISSING_TOKEN',
          '<settle-pay> needs a client-token attribute (a session token from your backend).',
        );
      }
      void this.#flow.load();
    }
  }

  protected override updated(): void {
    // The payment panel (checkout piece) announces totals and restyles its fields itself.
    if (this.#focus) {
      this.renderRoot.querySelector<HTMLElement>(this.#focus)?.focus();
      this.#focus = null;
    }
  }

  /** Reads the session again, e.g. after the merchant's backend minted a new token. */
  reload(): Promise<void> {
    return this.#flow.load();
  }

  #client(): SessionClient | null {
    if (this.client) return this.client;
    if (!this.clientToken) return null;
    this.#created ??= createLeanSessionClient({
      apiUrl: this.apiUrl || location.origin,
      clientToken: this.clientToken,
    });
    return this.#created;
  }

  #announce(text: string): void {
    // The same sentence twice is still news (a second decline): clear first so it is read again.
    this.announcement = '';
    requestAnimationFrame(() => {
      this.announcement = text;
    });
  }

  #noticed(): void {
    const flow = this.#flow;
    const checkout = flow.checkout;
    const t = this.#localize;
    if (flow.phase === 'ready') {
      const quote = checkout?.shownQuote;
      if (checkout?.notice) {
        if (this.#interacted) this.#focus = '[data-notice]';
        this.#announce(checkout.notice.message);
      } else if (checkout?.confirming && quote) {
        this.#announce(t.t('payConfirmTotal', t.money(quote.total, quote.currency)));
      } else if (flow.checkoutLoad === 'failed') {
        // Focus stays where the payer selected; after Retry, on Retry, which stays (disabled) while it loads.
        this.#announce(t.t('payCheckoutFailed'));
      } else if (this.#interacted) {
        // Loaded after Retry: the button that had focus is gone; the title takes it.
        this.#focus = '[data-focus]';
        this.#announce(this.#phaseTitle());
      }
    } else if (flow.phase !== 'loading') {
      if (this.#interacted) this.#focus = '[data-focus]';
      this.#announce(this.#phaseTitle());
    }
    this.requestUpdate();
  }

  #phaseTitle(): string {
    const t = this.#localize;
    const titles = {
      'network-error': t.t('networkError'),
      expired: t.t('expiredTitle'),
      unauthorized: t.t('payInvalidLink'),
      misconfigured: t.t('payMisconfiguredTitle'),
      empty: t.t('emptyTitle'),
      ready: t.t('payTitle'),
      pending: t.t('payPendingBody'),
      receipt: t.t('payReceiptTitle'),
      loading: t.t('loading'),
    };
    return titles[this.#flow.phase];
  }

  /** The merchant's return link: http(s) only, so a link can never run script. */
  #back(): { url: string; merchant: string } | null {
    const raw = this.returnUrl || this.#flow.session?.merchant.returnUrl;
    if (!raw) return null;
    try {
      const url = new URL(raw, location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
      return { url: url.href, merchant: this.#flow.session?.merchant.name ?? url.hostname };
    } catch {
      return null;
    }
  }

  readonly #pay = () => {
    this.#interacted = true;
    void this.#flow.checkout?.pay();
  };

  readonly #retryCheckout = async () => {
    this.#interacted = true;
    await this.#flow.openCheckout(true);
    // Retry is gone with the error: the selection's line, just above the panel, takes focus.
    if (this.#flow.checkout) this.#focus = '[part="selection"]';
    this.requestUpdate();
  };

  readonly #retry = () => {
    this.#interacted = true;
    void this.#flow.load();
  };

  readonly #linesChanged = (event: SettleLinesChangeEvent) => {
    // Internal to this element: the page hears settle-change, with totals.
    event.stopPropagation();
    this.#flow.setLines(event.detail.lines, event.detail.valid);
  };

  override render(): TemplateResult {
    return html`
      <div part="base" class="base" lang=${this.#localize.locale}>
        ${this.#renderPhase()}
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      </div>
    `;
  }

  #renderPhase(): TemplateResult {
    const flow = this.#flow;
    const localize = this.#localize;
    switch (flow.phase) {
      case 'loading':
        return renderLoading(localize);
      case 'network-error':
        return renderNetworkError(localize, this.#retry);
      case 'expired':
      case 'unauthorized':
      case 'misconfigured':
        return renderEnded(localize, flow.phase, this.#back());
      case 'empty':
        return renderEnded(localize, flow.phase, this.#back(), flow.session?.customer.name);
      case 'pending':
      case 'receipt': {
        const payment = flow.checkout?.payment;
        if (!flow.piece || !payment) return renderLoading(localize);
        return flow.piece.renderReceipt({
          localize,
          payment,
          reasons: flow.session?.rules.reasonCodes ?? [],
          back: this.#back(),
        });
      }
      case 'ready':
        return renderReady({
          flow,
          localize,
          onLines: this.#linesChanged,
          onPay: this.#pay,
          onRetry: this.#retryCheckout,
        });
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'settle-pay': SettlePay;
  }
}
