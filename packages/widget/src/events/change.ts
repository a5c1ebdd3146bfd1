import type { PaymentProposal, Quote } from '@settle/schema';

/** The payer changed what they pay (selection, amounts, credits, method); `quote` is the local preview. */
export class SettleChangeEvent extends Event {
  static readonly eventName = 'settle-change';
  constructor(readonly detail: { proposal: PaymentProposal; quote: Quote; valid: boolean }) {
    super(SettleChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-change': SettleChangeEvent;
  }
}
