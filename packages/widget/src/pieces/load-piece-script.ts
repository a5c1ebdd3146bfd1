import { type PieceName, type Pieces, registeredPiece } from './pieces.js';
import { lendShared } from './shared-script.js';

/** A piece's file beside settle.js (with its content hash as `?v=`) and its Subresource Integrity value. */
export interface Pin {
  src: string;
  integrity: string;
}

/**
 * The pieces settle.js itself loads (the checkout piece and the German messages), pinned: written
 * in at build time by vite.config.ts once the pieces are built. The checkout piece pins the
 * provider pieces it loads (load-piece-checkout.ts), so every piece is still pinned through settle.js.
 */
declare const __SETTLE_PIECES__: { [N in PieceName]?: Pin };

/**
 * settle.js's own `<script>`, read while settle.js runs (`currentScript` is null afterwards):
 * the pieces are fetched from beside it, and carry its nonce so that a nonce-based CSP lets
 * them run as it let settle.js.
 */
const own = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
const base = own?.src || null;
const nonce = own?.nonce ?? '';

const loading = new Map<PieceName, Promise<Pieces[PieceName]>>();

/**
 * A piece of Settle, loaded on first use: settle.js's loader (see load-piece.ts for the npm
 * build's), for the pieces settle.js pins.
 */
export function loadPiece<N extends PieceName>(name: N): Promise<Pieces[N]> {
  return loadPinned(name, __SETTLE_PIECES__[name]);
}

/**
 * Loads a piece by the pin its loader carries: inserts `<script src integrity
 * crossorigin="anonymous">`, so the browser runs the piece only if its bytes are exactly those
 * the pin was built from (DOMAIN.md §5). One load per piece; a failed one (offline, a file that
 * does not match) is forgotten, so a later call tries again. The checkout piece loads the
 * provider pieces through this with pins of its own (shared-script.ts).
 */
export function loadPinned<N extends PieceName>(name: N, pin: Pin | undefined): Promise<Pieces[N]> {
  let piece = loading.get(name) as Promise<Pieces[N]> | undefined;
  if (!piece) {
    const started = pin
      ? insert(name, pin)
      : Promise.reject(new Error(`Settle has no integrity value for its ${name} piece`));
    loading.set(name, started);
    started.catch(() => {
      if (loading.get(name) === started) loading.delete(name);
    });
    piece = started;
  }
  return piece;
}

function insert<N extends PieceName>(name: N, { src, integrity }: Pin): Promise<Pieces[N]> {
  if (!base) {
    return Promise.reject(
      new Error(`Settle cannot load ${src}: settle.js was not run from a <script src>, so where it lives is unknown`),
    );
  }
  const url = new URL(src, base).href;
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    // Read in `load`, which fires right after this script ran (pieces.ts).
    script.addEventListener('load', () => {
      const exports = registeredPiece(name);
      if (exports) resolve(exports);
      else reject(new Error(`Settle loaded ${url}, but it is not Settle's ${name} piece`));
    });
    // A failed request, or bytes that do not match `integrity`: the browser refuses to run them.
    script.addEventListener('error', () => {
      script.remove();
      reject(
        new Error(
          `Settle could not load ${url}: the request failed, or the file is not the one settle.js expects (${integrity})`,
        ),
      );
    });
    // The checkout piece reads Lit and a few modules from settle.js as it runs (shared-script.ts).
    lendShared();
    script.src = url;
    script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    if (nonce) script.nonce = nonce;
    (document.head ?? document.documentElement).append(script);
  });
}
