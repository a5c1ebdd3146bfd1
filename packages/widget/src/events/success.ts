import type { Payment } from '@settle/schema';

/**
 * The payment succeeded, or (ACH) was accepted and is processing: check `payment.status`.
 * Fired again when a processing payment settles.
 */
export class SettleSuccessEvent extends Event {
  static readonly eventName = 'settle-success';
  constructor(readonly detail: { payment: Payment }) {
    super(SettleSuccessEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-success': SettleSuccessEvent;
  }
}
