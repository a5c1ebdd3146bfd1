import type { SessionClient } from '@settle/client';
import { createLeanSessionClient } from '@settle/client/lean';
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { LocalizeController } from '../../i18n/localize.js';
import { themeStyles } from '../../internal/theme.styles.js';
import type { SettleLinesChangeEvent } from '../invoice-list/lines-change.js';
import { payStyles } from './pay.styles.js';
import { PayController } from './pay-controller.js';
import { payControlStyles } from './pay-controls.styles.js';
import { renderReady } from './pay-ready.js';
import { renderReceipt } from './pay-receipt.js';
import { renderEmpty, renderEnded, renderLoading, renderNetworkError } from './pay-status.js';

const THEMES = ['light', 'dark', 'auto'];
const warned = new Set<string>();

/** Integrator mistakes are said once per page, with a code to search for (Lit's dev warnings do the same). */
function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  console.warn(`[settle] ${code}: ${message}`);
}

/**
 * The drop-in element: a customer's open invoices, credits, the payment method and the pay
 * button, then the receipt. Give it the session's client token; everything else comes from the session.
 *
 * @summary Pay open invoices with card or ACH, from the merchant's own page.
 *
 * @event {SettleReadyEvent} settle-ready - The session was read; `detail.session`.
 * @event {SettleChangeEvent} settle-change - Every edit; `detail.proposal`, the local `detail.quote`, `detail.valid`.
 * @event {SettleSubmitEvent} settle-submit - Pay was pressed. Cancelable: `preventDefault()` stops it before any charge.
 * @event {SettleSuccessEvent} settle-success - Paid (`succeeded`), or accepted and processing (ACH); again when that settles. A bank payment that fails later arrives as `settle-error` with `detail.payment`.
 * @event {SettleErrorEvent} settle-error - A decline, an expired or invalid link, a network failure; `detail.message` is what the payer read.
 *
 * @slot payment-fields - Created by the element in its own light DOM: the processor's fields mount there (Stripe Elements cannot live in a shadow root). Do not fill it yourself.
 *
 * @csspart base - The element's frame.
 * @csspart header - The title and the customer.
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
 *
 * @cssproperty --settle-pay-max-width - The widest the element grows. Default 760px.
 */
export class SettlePay extends LitElement {
  static override styles = [themeStyles, payStyles, payControlStyles];

  readonly #localize = new LocalizeController(this, () => this.locale);
  readonly #fields = Object.assign(document.createElement('div'), { slot: 'payment-fields' });
  readonly #flow = new PayController(this, {
    localize: this.#localize,
    client: () => this.#client(),
    fields: () => this.#fields,
    noticed: () => this.#noticed(),
  });
  #created: SessionClient | null = null;
  #needsLoad = true;
  /** Focus follows a state change only after the payer did something (never on first load). */
  #interacted = false;
  #focus: '[data-focus]' | '[data-notice]' | null = null;
  #lastTotal: number | null = null;
  #announceTimer = 0;
  #scheme: MediaQueryList | null = null;

  /** What the live region says: total changes and state changes. */
  @state() private announcement = '';

  /** The session's client token (`ct_...`), minted by the merchant's backend. */
  @property({ attribute: 'client-token' }) clientToken = '';
  /** Settle's base URL; the page's origin when empty. */
  @property({ attribute: 'api-url' }) apiUrl = '';
  /** BCP 47 locale for strings, amounts and dates; else `<html lang>`, else the browser's. */
  @property() locale = '';
  /** 'light', 'dark', or 'auto' (follows prefers-color-scheme). */
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';
  /** Where "Back to merchant" links go; overrides the session's return URL. */
  @property({ attribute: 'return-url' }) returnUrl = '';
  /**
   * A ready-made session client, used instead of client-token and api-url: e.g. the validating
   * `createSessionClient` from `@settle/client`. Without one the element trusts its server (docs/decisions/0006).
   */
  @property({ attribute: false }) client: SessionClient | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#fields.parentNode !== this) this.append(this.#fields);
    if (this.#needsLoad) this.requestUpdate();
    this.#scheme ??= matchMedia('(prefers-color-scheme: dark)');
    this.#scheme.addEventListener('change', this.#schemeChanged);
  }

  override disconnectedCallback(): void {
    // The flow stops its reads itself if the element stays away, and resumes when it returns.
    super.disconnectedCallback();
    clearTimeout(this.#announceTimer);
    this.#scheme?.removeEventListener('change', this.#schemeChanged);
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

  protected override updated(changed: PropertyValues<this>): void {
    // The fields took their colours and language at mount; a new theme or locale needs them mounted again.
    const later = (key: 'theme' | 'locale') => changed.has(key) && changed.get(key) !== undefined;
    if (later('theme') || later('locale')) {
      void this.updateComplete.then(() => this.#flow.restyleFields());
    }
    if (this.#focus) {
      this.renderRoot.querySelector<HTMLElement>(this.#focus)?.focus();
      this.#focus = null;
    }
    const quote = this.#flow.phase === 'ready' ? this.#flow.shownQuote : null;
    const total = quote?.lines.length ? quote.total : null;
    if (total !== this.#lastTotal) {
      this.#lastTotal = total;
      clearTimeout(this.#announceTimer);
      // Typing an amount changes the total per keystroke: say it once the payer pauses. While the
      // payer is asked to accept a new total, that sentence (fee included) is what is announced.
      if (quote && total !== null && !this.#flow.confirming) {
        const text = this.#localize.t('payTotalNow', this.#localize.money(total, quote.currency));
        this.#announceTimer = window.setTimeout(() => this.#announce(text), 700);
      }
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
    const t = this.#localize;
    if (flow.phase === 'ready') {
      if (flow.notice) {
        if (this.#interacted) this.#focus = '[data-notice]';
        this.#announce(flow.notice.message);
      } else if (flow.confirming && flow.shownQuote) {
        this.#announce(t.t('payConfirmTotal', t.money(flow.shownQuote.total, flow.shownQuote.currency)));
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

  readonly #schemeChanged = () => {
    if (this.theme !== 'light' && this.theme !== 'dark') this.#flow.restyleFields();
  };

  readonly #pay = () => {
    this.#interacted = true;
    void this.#flow.pay();
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
        return renderEmpty(localize, flow.session?.customer.name ?? '', this.#back());
      case 'pending':
      case 'receipt':
        if (!flow.payment) return renderLoading(localize);
        return renderReceipt({
          localize,
          payment: flow.payment,
          reasons: flow.session?.rules.reasonCodes ?? [],
          back: this.#back(),
        });
      case 'ready':
        return (
          renderReady({ flow, localize, onPay: this.#pay, onLines: this.#linesChanged }) ?? renderLoading(localize)
        );
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'settle-pay': SettlePay;
  }
}
