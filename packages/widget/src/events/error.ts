import type { Payment } from '@settle/schema';

/**
 * Something the payer sees as a problem: a declined card (`payment` set, `code` from the
 * processor), an expired session, a network failure. `message` is the sentence shown.
 */
export class SettleErrorEvent extends Event {
  static readonly eventName = 'settle-error';
  constructor(readonly detail: { code: string; message: string; payment: Payment | null }) {
    super(SettleErrorEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'settle-error': SettleErrorEvent;
  }
}
