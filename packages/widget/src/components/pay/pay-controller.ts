import type { SessionClient } from '@settle/client';
import type { SessionView } from '@settle/schema';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SettleErrorEvent } from '../../events/error.js';
import { SettleReadyEvent } from '../../events/ready.js';
import type { LocalizeController } from '../../i18n/localize.js';
import { loadPiece } from '../../pieces/load-piece.js';
import type { Pieces } from '../../pieces/pieces.js';
import type { CheckoutController } from './checkout-controller.js';
import { classify } from './pay-errors.js';
import { initialLines, isEmpty, type LineDraft, type Phase } from './pay-state.js';

export interface PayControllerOptions {
  localize: LocalizeController;
  /** The client to use, or null when the element lacks its token (an integrator mistake). */
  client(): SessionClient | null;
  /** Something the payer must notice happened: a new phase, a notice, a total to confirm. */
  noticed(): void;
  /** Says `text` in the element's live region. */
  announce(text: string): void;
  /** The checkout piece arrived: its styles and messages join the element's before it renders. */
  arrived(piece: Pieces['checkout']): void;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * The <settle-pay> flow around the payment: reads the session and keeps the payer's selection.
 * The payment panel (pricing, the fields, paying, the outcome) is the checkout piece's
 * CheckoutController, loaded on the first selection, so a payer who only looks never downloads it.
 */
export class PayController implements ReactiveController {
  phase: Phase = 'loading';
  session: SessionView | null = null;
  lines: ReadonlyMap<string, LineDraft> = new Map();
  /** False while the invoice list has a line it cannot read (its own message is on that line). */
  linesValid = true;
  /** The checkout piece, once loaded: its module and the panel's controller. */
  piece: Pieces['checkout'] | null = null;
  checkout: CheckoutController | null = null;
  /**
   * The checkout piece is on its way, could not be loaded (the panel offers Retry), or is on its
   * way again after Retry (the error stays, its Retry aria-disabled, so focus stays on it).
   */
  checkoutLoad: 'idle' | 'loading' | 'failed' | 'retrying' = 'idle';
  /** The checkout piece's load under way, which every caller waits for: true once it is there. */
  #loading: Promise<boolean> | null = null;

  /** Aborts the session read: on a reload and when the element leaves the page. */
  #abort = new AbortController();
  #suspended = false;

  constructor(
    private readonly host: Host,
    private readonly options: PayControllerOptions,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    queueMicrotask(() => {
      if (this.host.isConnected || this.#suspended) return;
      this.#suspended = true;
      this.#abort.abort();
    });
  }

  hostConnected(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#abort = new AbortController();
    if (this.phase === 'loading') void this.load();
  }

  /** The payer has something selected: the payment panel shows (or is on its way). */
  get selecting(): boolean {
    return this.phase === 'ready' && this.lines.size > 0;
  }

  /**
   * (Re)reads the session from scratch: on connect, on a new token, and from Retry. A payment in
   * flight is let finish first (its outcome event is sent), so its idempotency key is never lost
   * while the server may still be charging under it.
   */
  async load(): Promise<void> {
    while (this.checkout?.paying) await this.checkout.paying;
    this.#abort.abort();
    this.#abort = new AbortController();
    const { signal } = this.#abort;
    this.checkout?.reset();
    this.session = null;
    // An earlier session's failed load is not this one's: the next selection loads the piece anew.
    this.checkoutLoad = this.#loading ? 'loading' : 'idle';
    const client = this.options.client();
    if (!client) return this.setPhase('misconfigured');
    this.setPhase('loading');
    try {
      const session = await client.getSession({ signal });
      if (signal.aborted) return;
      Object.assign(this, { session, lines: initialLines(session), linesValid: true });
      this.host.dispatchEvent(new SettleReadyEvent({ session }));
      this.setPhase(isEmpty(session) ? 'empty' : 'ready');
      // A pay link's preselection opens the panel at once.
      if (this.selecting) void this.openCheckout(false);
    } catch (error) {
      if (signal.aborted) return;
      const { kind, http } = classify(error);
      const ended = kind === 'expired' || kind === 'unauthorized';
      this.setPhase(ended ? kind : 'network-error');
      const key = kind === 'expired' ? 'expiredTitle' : ended ? 'payInvalidLink' : 'networkError';
      const message = this.options.localize.t(key);
      this.host.dispatchEvent(new SettleErrorEvent({ code: http?.code ?? 'network_error', message, payment: null }));
    }
  }

  setLines(lines: ReadonlyMap<string, LineDraft>, valid: boolean): void {
    this.lines = lines;
    this.linesValid = valid;
    if (this.checkout?.session) this.checkout.setLines(lines, valid);
    else if (this.selecting) void this.openCheckout(true);
    this.host.requestUpdate();
  }

  /**
   * Loads the checkout piece (once) and starts the panel for the session. `announce`: the payer's
   * selection opened it, so settle-change reports it. Calls during a load wait for it; the panel
   * starts for the session of the call, so a reload meanwhile starts it with its own `announce`. A
   * failed load is shown with Retry, which calls this again.
   */
  async openCheckout(announce: boolean): Promise<void> {
    const { session } = this;
    if (!this.piece) {
      if (!this.#loading) {
        this.checkoutLoad = this.checkoutLoad === 'failed' ? 'retrying' : 'loading';
        this.host.requestUpdate();
        this.#loading = this.#loadCheckout().finally(() => {
          this.#loading = null;
        });
      }
      if (!(await this.#loading)) return;
    }
    const { checkout } = this;
    if (checkout && session && session === this.session && this.selecting && checkout.session !== session) {
      checkout.start(session, this.lines, this.linesValid, announce);
    }
    this.host.requestUpdate();
  }

  async #loadCheckout(): Promise<boolean> {
    try {
      const piece = await loadPiece('checkout');
      this.options.arrived(piece);
      this.piece = piece;
      this.checkout = new piece.CheckoutController(this.host, {
        ...this.options,
        phase: () => this.phase,
        setPhase: (phase, quietly) => this.setPhase(phase, quietly),
      });
      this.checkoutLoad = 'idle';
      return true;
    } catch {
      this.checkoutLoad = 'failed';
      this.options.noticed();
      this.host.requestUpdate();
      return false;
    }
  }

  setPhase(phase: Phase, quietly = false): void {
    this.phase = phase;
    this.host.requestUpdate();
    if (!quietly) this.options.noticed();
  }
}
