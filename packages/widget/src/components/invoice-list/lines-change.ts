/** What the payer intends to pay on one selected invoice. */
export interface LineDraft {
  /** Minor units, as typed and parsed exactly; starts at the invoice's payable balance. */
  amount: number;
  /** The chosen reason code when `amount` is below the payable balance, else null until one is chosen. */
  reasonCode: string | null;
  note: string;
}

/**
 * The payer changed the selection or a line of `<settle-invoice-list>`. `lines` is a new map
 * (selected invoice id -> draft) to treat as immutable; `valid` is false while a line cannot
 * be paid as shown (an amount that does not parse, is zero or above the balance, or a short
 * payment without its reason or required note). Totals are the listener's business.
 */
export class SettleLinesChangeEvent extends Event {
  static readonly eventName = 'settle-lines-change';
  constructor(readonly detail: { lines: Map<string, LineDraft>; valid: boolean }) {
    super(SettleLinesChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-lines-change': SettleLinesChangeEvent;
  }
}
