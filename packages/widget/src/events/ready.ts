import type { SessionView } from '@settle/schema';

/** The session was read and the invoices are on screen. */
export class SettleReadyEvent extends Event {
  static readonly eventName = 'settle-ready';
  constructor(readonly detail: { session: SessionView }) {
    super(SettleReadyEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-ready': SettleReadyEvent;
  }
}
