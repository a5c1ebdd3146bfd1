import { css, html, nothing } from 'lit';
import { amountExample, editableAmount, parseAmount } from '../components/invoice-list/amount-text.js';
import { classify } from '../components/pay/pay-errors.js';
import { SettleErrorEvent } from '../events/error.js';
import { loadPinned } from './load-piece-script.js';
import { SHARED_KEY, type SHARED_NAMES } from './shared-names.js';

type Names = typeof SHARED_NAMES;
/** Exactly the names shared-names.ts lists, each module's: a missing or an extra one fails the type check. */
type Lent = { [M in keyof Names]: { [N in Names[M]['names'][number]]: unknown } };

const { freeze } = Object;

/**
 * What settle.js lends the checkout piece (shared-names.ts), frozen, so that nothing else on the
 * page can swap what the piece runs. Only the script-tag build uses it (load-piece-script.ts); the
 * npm build's pieces import these modules as usual.
 */
const shared = freeze({
  lit: freeze({ css, html, nothing }),
  amounts: freeze({ amountExample, editableAmount, parseAmount }),
  errors: freeze({ classify }),
  events: freeze({ SettleErrorEvent }),
  pieces: freeze({ loadPinned }),
} satisfies Lent);

/** Leaves what settle.js lends where its pieces read it, before a piece script is inserted. */
export function lendShared(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(SHARED_KEY)] = shared;
}
