import type { PaymentProposal, Quote } from '@settle/schema';

/** The payer pressed Pay. Cancelable: `preventDefault()` stops the payment before anything is charged. */
export class SettleSubmitEvent extends Event {
  static readonly eventName = 'settle-submit';
  constructor(readonly detail: { proposal: PaymentProposal; quote: Quote }) {
    super(SettleSubmitEvent.eventName, { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-submit': SettleSubmitEvent;
  }
}
