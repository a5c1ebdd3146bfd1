import type { PieceName, Pieces } from './pieces.js';

type Loader = <N extends PieceName>(name: N) => Promise<Pieces[N]>;

const IMPORTS: { [N in PieceName]: () => Promise<Pieces[N]> } = {
  checkout: () => import('../components/pay/checkout.js'),
  sandbox: () => import('../providers/sandbox.js'),
  stripe: () => import('../providers/stripe.js'),
  de: () => import('../i18n/de.js'),
};

let replaced: Loader | null = null;

/**
 * A piece of Settle, loaded on first use. This is the npm build's loader: a plain import() that
 * the app's bundler splits into a chunk of its own. The script-tag build (settle.js) replaces this
 * module with load-piece-script.ts (vite.config.ts).
 */
export function loadPiece<N extends PieceName>(name: N): Promise<Pieces[N]> {
  return replaced ? replaced(name) : IMPORTS[name]();
}

/**
 * Tests only: loads pieces through `loader` (which may hold or fail a load, and call `importPiece`
 * for the real one) until called with null. Not in settle.js, whose build replaces this module.
 * @internal
 */
export function replacePieceLoader(loader: Loader | null): void {
  replaced = loader;
}

/** The npm build's own import() of a piece, for a replaced loader that lets some loads through. */
export function importPiece<N extends PieceName>(name: N): Promise<Pieces[N]> {
  return IMPORTS[name]();
}
