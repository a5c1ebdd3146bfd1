/**
 * The parts of Settle that load on first use, "pieces": the payment panel (checkout) once the
 * payer has selected an invoice, the session's provider (sandbox or Stripe) when the fields first mount, the
 * German messages when a locale asks for them. The npm build loads them
 * with import() (load-piece.ts); settle.js loads each as a classic script of its own, pinned by
 * an integrity value settle.js carries (load-piece-script.ts; docs/decisions/0007).
 */
export interface Pieces {
  checkout: typeof import('../components/pay/checkout.js');
  sandbox: typeof import('../providers/sandbox.js');
  stripe: typeof import('../providers/stripe.js');
  de: typeof import('../i18n/de.js');
}

export type PieceName = keyof Pieces;

/**
 * Where a piece script leaves its exports for settle.js: a property of `globalThis` keyed by a
 * registered symbol, so it is shared by the separate scripts, no page global can collide with
 * it, and it does not show among the window's names.
 */
const REGISTRY = Symbol.for('settle.pieces');

type Registry = { [N in PieceName]?: Pieces[N] };

function registry(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry };
  global[REGISTRY] ??= Object.create(null) as Registry;
  return global[REGISTRY];
}

/**
 * Called by a piece script as it runs. A second run (the script included twice, or by two copies
 * of settle.js) replaces the entry. The loader empties the entry before it inserts the script and
 * takes it in that script's `load` event, which the browser fires right after that script ran: every
 * loader gets the piece it loaded, and a piece that threw before it registered gets nothing.
 */
export function registerPiece<N extends PieceName>(name: N, exports: Pieces[N]): void {
  registry()[name] = exports;
}

/** Removes the piece's entry and returns it: what the script that just ran registered, or nothing. */
export function takePiece<N extends PieceName>(name: N): Pieces[N] | undefined {
  const r = registry();
  const exports = r[name];
  delete r[name];
  return exports;
}
