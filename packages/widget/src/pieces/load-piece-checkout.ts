import { loadPinned, type Pin } from './load-piece-script.js';
import type { PieceName, Pieces } from './pieces.js';

/**
 * The provider pieces the checkout piece loads (the sandbox's fields), pinned: written in at build
 * time by vite.config.ts, which builds them before this piece. settle.js pins the checkout piece,
 * so a provider piece is pinned through settle.js's one value all the same (docs/decisions/0008).
 */
declare const __SETTLE_CHECKOUT_PIECES__: { [N in PieceName]?: Pin };

/**
 * The checkout piece's loader in settle-checkout.js (vite.config.ts puts it in place of
 * load-piece.ts there): settle.js's own `loadPinned`, lent to the piece, with the piece's pins.
 */
export function loadPiece<N extends PieceName>(name: N): Promise<Pieces[N]> {
  return loadPinned(name, __SETTLE_CHECKOUT_PIECES__[name]);
}
