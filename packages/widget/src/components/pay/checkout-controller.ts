import type { SessionClient } from '@settle/client';
import {
  type FieldIssue,
  IN_FLIGHT_STATUSES,
  type Payment,
  type PaymentMethodType,
  type Quote,
  type SessionPayment,
  type SessionView,
} from '@settle/schema';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SettleChangeEvent } from '../../events/change.js';
import { SettleErrorEvent } from '../../events/error.js';
import { SettleSubmitEvent } from '../../events/submit.js';
import { SettleSuccessEvent } from '../../events/success.js';
import type { LocalizeController } from '../../i18n/localize.js';
import type { ProviderFieldState } from '../../providers/provider.js';
import type { LineDraft } from '../invoice-list/lines-change.js';
import { PaymentAttempts } from './pay-attempt.js';
import { describeFailure } from './pay-failure.js';
import { type CreditDraft, type Notice, type Priced, price } from './pay-price.js';
import { ProviderSlot } from './pay-provider.js';
import type { Phase } from './pay-state.js';

export interface CheckoutOptions {
  localize: LocalizeController;
  /** The client to use, or null when the element lacks its token (an integrator mistake). */
  client(): SessionClient | null;
  /** Something the payer must notice happened: a notice, a total to confirm. */
  noticed(): void;
  /** Says `text` in the element's live region. */
  announce(text: string): void;
  /** The element's screen. */
  phase(): Phase;
  /** Moves the element to another screen (a receipt, an ended session); `quietly` leaves announcing it to what follows. */
  setPhase(phase: Phase, quietly?: boolean): void;
}

const EMPTY_FIELDS: ProviderFieldState = { complete: false, error: null, funding: null };
type Host = ReactiveControllerHost & HTMLElement;

/**
 * The payment panel's flow, in the checkout piece: prices every edit locally with the server's
 * own function, mounts the processor's fields, pays through PaymentAttempts, and follows the
 * payment to its outcome. <settle-pay> starts it once the payer has selected something.
 */
export class CheckoutController implements ReactiveController {
  /** The session this panel was started for; null until `start` and after `reset`. */
  session: SessionView | null = null;
  lines: ReadonlyMap<string, LineDraft> = new Map();
  /** False while the invoice list has a line it cannot read (its own message is on that line). */
  linesValid = true;
  credits: ReadonlyMap<string, CreditDraft> = new Map();
  method: PaymentMethodType = 'card';
  fieldState: ProviderFieldState = EMPTY_FIELDS;
  priced: Priced | null = null;
  busy = false;
  notice: Notice | null = null;
  /** Problems the server found in the last attempt (a 422's details), paths as sent. */
  serverIssues: FieldIssue[] = [];
  payment: Payment | null = null;
  /** The Pay press being worked on. Never aborted: the server may charge whatever the page does. */
  paying: Promise<void> | null = null;

  readonly #attempts = new PaymentAttempts();
  readonly #provider: ProviderSlot;
  /** Aborts a payment's watch: on a reset and when the element leaves the page. */
  #abort = new AbortController();
  /** The element left the page and its watch was stopped: pick up where it was when it returns. */
  #suspended = false;
  #lastTotal: number | null = null;
  #announceTimer = 0;
  /** The theme and locale the fields were last styled in. */
  #look = '';
  /** The fields' locale changed while the panel was folded: they mount again when it opens. */
  #remountOnOpen = false;
  readonly #scheme = matchMedia('(prefers-color-scheme: dark)');
  /**
   * Where the processor's fields mount: in the element's light DOM, slotted into the panel
   * (Stripe Elements cannot live in a shadow root). Made with the panel, so a page that never
   * opens it has none.
   */
  readonly #fields = Object.assign(document.createElement('div'), { slot: 'payment-fields' });

  constructor(
    private readonly host: Host,
    private readonly options: CheckoutOptions,
  ) {
    host.addController(this);
    this.#provider = new ProviderSlot(
      host,
      { ...options, fields: () => this.#fields },
      (state) => this.#fieldsChanged(state),
      () => this.#show({ kind: 'error', message: options.localize.t('payFieldsFailed'), retry: false }),
    );
  }

  hostDisconnected(): void {
    clearTimeout(this.#announceTimer);
    this.#scheme.removeEventListener('change', this.#schemeChanged);
    // A move (removed and inserted again in the same task) keeps everything, typed card included.
    queueMicrotask(() => {
      if (this.host.isConnected || this.#suspended) return;
      this.#suspended = true;
      this.#abort.abort();
      this.#provider.destroy();
    });
  }

  hostConnected(): void {
    if (this.#fields.parentNode !== this.host) this.host.append(this.#fields);
    this.#scheme.addEventListener('change', this.#schemeChanged);
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#abort = new AbortController();
    // A payment still in flight resumes by itself: its outcome lands when the server answers.
    const phase = this.options.phase();
    if (phase === 'ready' && !this.busy) this.#remount();
    else if (phase === 'pending' && this.payment) void this.#watch(this.payment.id);
  }

  hostUpdated(): void {
    // The fields took their colours and language at mount: a new theme restyles them, a new locale mounts them again.
    const { locale } = this.options.localize;
    const look = `${this.host.getAttribute('theme')} ${locale}`;
    if (this.#look && look !== this.#look) {
      const relabel = !this.#look.endsWith(` ${locale}`);
      void this.host.updateComplete.then(() => this.restyleFields(relabel));
    }
    this.#look = look;
    const quote = this.options.phase() === 'ready' ? this.shownQuote : null;
    const total = quote?.lines.length ? quote.total : null;
    if (total === this.#lastTotal) return;
    this.#lastTotal = total;
    clearTimeout(this.#announceTimer);
    // Typing an amount changes the total per keystroke: say it once the payer pauses. While the
    // payer is asked to accept a new total, that sentence (fee included) is what is announced.
    if (quote && total !== null && !this.confirming) {
      const { localize } = this.options;
      const text = localize.t('payTotalNow', localize.money(total, quote.currency));
      this.#announceTimer = window.setTimeout(() => this.options.announce(text), 700);
    }
  }

  readonly #schemeChanged = () => {
    if (this.host.getAttribute('theme') !== 'light' && this.host.getAttribute('theme') !== 'dark') this.restyleFields();
  };

  /** Something selected, no problem, the fields complete, not already paying. */
  get canPay(): boolean {
    const p = this.priced;
    return (
      this.options.phase() === 'ready' &&
      !this.busy &&
      p !== null &&
      p.proposal.allocations.length > 0 &&
      p.issues.length === 0 &&
      this.linesValid &&
      this.fieldState.complete &&
      this.#provider.ready
    );
  }

  /** The server's total for the entered card, when it differs from the one shown: Pay accepts it. */
  get confirming(): boolean {
    return this.#attempts.confirm !== null;
  }

  /** The quote on screen: the server's while it waits for confirmation, else the local one. */
  get shownQuote(): Quote | null {
    return this.#attempts.confirm?.quote ?? this.priced?.quote ?? null;
  }

  /** Opens the panel for a freshly read session; `announce` sends settle-change (the payer's selection opened it). */
  start(session: SessionView, lines: ReadonlyMap<string, LineDraft>, linesValid: boolean, announce: boolean): void {
    Object.assign(this, {
      session,
      lines,
      linesValid,
      credits: new Map(),
      fieldState: EMPTY_FIELDS,
      serverIssues: [],
      method: session.rules.allowedMethods[0] ?? 'card',
    });
    this.#reprice(announce);
    this.host.requestUpdate();
    void this.#provider.mount(session, this.method);
  }

  /** Forgets the session (it is read again); a payment in flight was let finish first (`paying`). */
  reset(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#provider.reset();
    this.#attempts.reset();
    Object.assign(this, { session: null, priced: null, payment: null, notice: null, busy: false });
  }

  setLines(lines: ReadonlyMap<string, LineDraft>, valid: boolean): void {
    this.lines = lines;
    this.linesValid = valid;
    // The panel opens again after a locale change while it was folded: fields in the new language.
    if (this.#remountOnOpen && lines.size) this.#remount(true);
    else this.#edited();
  }

  setCredit(id: string, draft: CreditDraft): void {
    this.credits = new Map(this.credits).set(id, draft);
    this.#edited();
  }

  setMethod(method: PaymentMethodType): void {
    if (method === this.method) return;
    this.method = method;
    this.notice = null;
    this.#remount(true);
  }

  /**
   * Gives the fields the element's current colours (the theme or the colour scheme changed), keeping
   * what was typed where the provider can restyle its fields in place (the sandbox can). `relabel`
   * (the locale changed), or a provider that cannot: the fields mount again and what was typed is
   * lost; while the panel is folded (nothing selected) that waits until it opens again.
   */
  restyleFields(relabel = false): void {
    if (this.busy || (!relabel && this.#provider.restyle())) return;
    if (this.lines.size) this.#remount();
    else this.#remountOnOpen = true;
  }

  /** Pay pressed. Safe to call repeatedly: a press while an attempt runs does nothing. */
  async pay(): Promise<void> {
    const client = this.options.client();
    const priced = this.priced;
    const shown = this.shownQuote;
    if (!client || !priced || !shown || !this.canPay) return;
    const submit = new SettleSubmitEvent({ proposal: priced.proposal, quote: shown });
    this.host.dispatchEvent(submit);
    if (submit.defaultPrevented) return;
    Object.assign(this, { busy: true, notice: null, serverIssues: [] });
    this.host.requestUpdate();
    this.paying = this.#attempt(client, priced, shown.total);
    try {
      await this.paying;
    } finally {
      this.paying = null;
    }
  }

  async #attempt(client: SessionClient, priced: Priced, shownTotal: number): Promise<void> {
    try {
      const tokenize = () => this.#provider.tokenize();
      const result = await this.#attempts.run(client, priced.proposal, shownTotal, tokenize);
      if (result.kind === 'confirm') this.options.noticed();
      else this.#outcome(await this.#act(client, result.payment));
    } catch (error) {
      this.#payFailed(error);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
      // The element was away while paying: its fields were removed, so the next try needs new ones.
      if (this.options.phase() === 'ready' && !this.#provider.ready && !this.#suspended) this.#remount();
    }
  }

  /**
   * A payment the processor needs the payer for (3-D Secure, bank verification): the provider
   * shows it (Pay stays busy meanwhile, so nothing is sent twice), then the payment is read again,
   * since the server learns the result from the processor. A payer who could not complete it gets
   * the provider's sentence, unless the server already has an outcome. Microdeposits take days: that
   * payment is shown as pending, and watched, like an ACH debit in flight.
   */
  async #act(client: SessionClient, payment: SessionPayment): Promise<SessionPayment> {
    const action = payment.status === 'requires_action' ? payment.nextAction : null;
    if (!action) return payment;
    const problem = await this.#provider.handleNextAction(action).then(
      () => null,
      (error: unknown) => error,
    );
    const later = action.type === 'verify_with_microdeposits';
    const acted = (p: Payment) => p.status !== 'requires_action';
    let now = await client.getPayment(payment.id);
    if (!acted(now) && !later) {
      const wait = { timeoutMs: problem ? 5_000 : 60_000, signal: this.#abort.signal };
      now = await client.waitForPayment(payment.id, acted, wait).catch(() => now);
    }
    if (!acted(now) && problem && !later) throw problem;
    return now;
  }

  /**
   * New, empty fields. The price (and settle-change) changes only when `edited` or when the old
   * fields knew the card's funding: a remount for the colours or the language alone sends nothing.
   */
  #remount(edited = false): void {
    if (this.options.phase() !== 'ready' || !this.session || this.#suspended) return;
    const repriced = edited || this.fieldState.funding !== null;
    this.fieldState = EMPTY_FIELDS;
    this.#remountOnOpen = false;
    this.#edited(repriced);
    void this.#provider.mount(this.session, this.method);
  }

  #fieldsChanged(state: ProviderFieldState): void {
    this.#attempts.forgetToken();
    const fundingChanged = state.funding !== this.fieldState.funding;
    this.fieldState = state;
    if (fundingChanged) this.#edited();
    else this.host.requestUpdate();
  }

  #edited(reprice = true): void {
    this.#attempts.reset();
    this.serverIssues = [];
    if (reprice) this.#reprice(true);
    this.host.requestUpdate();
  }

  #reprice(announce: boolean): void {
    const { session } = this;
    if (!session) return;
    const draft = { lines: this.lines, credits: this.credits, method: this.method, funding: this.fieldState.funding };
    this.priced = price(session, draft, this.options.localize.locale);
    this.#provider.setAmount(this.priced.quote.total, this.priced.quote.currency);
    if (!announce) return;
    const { proposal, quote, issues } = this.priced;
    const valid = issues.length === 0 && this.linesValid && proposal.allocations.length > 0;
    this.host.dispatchEvent(new SettleChangeEvent({ proposal, quote, valid }));
  }

  #outcome(payment: Payment): void {
    this.payment = payment;
    if (payment.status === 'failed' || payment.status === 'canceled') {
      // The payer's language for the codes it knows; else the server's sentence (English), else the generic one.
      const { failure } = payment;
      const code = failure?.declineCode ?? failure?.code ?? '';
      const localize = this.options.localize;
      const message = localize.t('payDeclinedFor', code) || failure?.message || localize.t('payDeclined');
      this.#emitError(payment.failure?.code ?? payment.status, message, payment);
      if (this.options.phase() !== 'ready') this.options.setPhase('ready', true);
      // Fresh fields for another card or a bank account; the selection stays as it was.
      this.#remount();
      this.#show({ kind: 'decline', message, retry: false });
      return;
    }
    this.#provider.destroy();
    const pending = IN_FLIGHT_STATUSES.includes(payment.status);
    this.options.setPhase(pending ? 'pending' : 'receipt');
    this.host.dispatchEvent(new SettleSuccessEvent({ payment }));
    if (pending) void this.#watch(payment.id);
  }

  /** Follows a processing (ACH) payment until it settles or fails; the payer may leave meanwhile. */
  async #watch(id: string): Promise<void> {
    const client = this.options.client();
    const { signal } = this.#abort;
    if (!client) return;
    try {
      const settled = (p: Payment) => !IN_FLIGHT_STATUSES.includes(p.status);
      const payment = await client.waitForPayment(id, settled, { timeoutMs: 30 * 60_000, signal });
      if (!signal.aborted && this.options.phase() === 'pending') this.#outcome(payment);
    } catch {
      // Still processing as far as we know: the pending screen already says an email will follow.
    }
  }

  #payFailed(error: unknown): void {
    const failure = describeFailure(error, this.options.localize);
    this.#emitError(failure.code, failure.message);
    if (failure.kind === 'expired' || failure.kind === 'unauthorized') {
      this.#provider.destroy();
      this.options.setPhase(failure.kind);
      return;
    }
    this.serverIssues = failure.details;
    if (failure.notice) this.#show({ kind: 'error', message: failure.message, retry: failure.retry });
  }

  #show(notice: Notice): void {
    this.notice = notice;
    this.host.requestUpdate();
    this.options.noticed();
  }

  #emitError(code: string, message: string, payment: Payment | null = null): void {
    this.host.dispatchEvent(new SettleErrorEvent({ code, message, payment }));
  }
}
