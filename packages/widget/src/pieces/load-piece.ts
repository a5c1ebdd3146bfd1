import type { PieceName, Pieces } from './pieces.js';

const IMPORTS: { [N in PieceName]: () => Promise<Pieces[N]> } = {
  checkout: () => import('../components/pay/checkout.js'),
  sandbox: () => import('../providers/sandbox.js'),
  de: () => import('../i18n/de.js'),
};

/**
 * A piece of Settle, loaded on first use. This is the npm build's loader: a plain import() that
 * the app's bundler splits into a chunk of its own. The script-tag build (settle.js) replaces this
 * module with load-piece-script.ts (vite.config.ts).
 */
export function loadPiece<N extends PieceName>(name: N): Promise<Pieces[N]> {
  return IMPORTS[name]();
}
