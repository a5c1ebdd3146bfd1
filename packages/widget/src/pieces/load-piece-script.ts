import { type PieceName, type Pieces, takePiece } from './pieces.js';
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

/** How long a piece may take: a stalled request fails like a refused one, and a later call tries again. */
const TIMEOUT_MS = 20_000;

/** Loads under way or done, by integrity value: another build's pin for the same piece is another file. */
const loading = new Map<string, Promise<Pieces[PieceName]>>();

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
 * the pin was built from (DOMAIN.md §5). One load per pin; a failed one (offline, a file that
 * does not match, no answer within 20 s) is forgotten, so a later call tries again. The checkout
 * piece loads the provider pieces through this with pins of its own (shared-script.ts).
 */
export function loadPinned<N extends PieceName>(name: N, pin: Pin | undefined): Promise<Pieces[N]> {
  const key = pin?.integrity ?? name;
  let piece = loading.get(key) as Promise<Pieces[N]> | undefined;
  if (!piece) {
    const started = pin
      ? insert(name, pin)
      : Promise.reject(new Error(`Settle has no integrity value for its ${name} piece`));
    loading.set(key, started);
    started.catch(() => {
      if (loading.get(key) === started) loading.delete(key);
    });
    piece = started;
  }
  return piece;
}

function insert<N extends PieceName>(name: N, { src, integrity }: Pin): Promise<Pieces[N]> {
  if (!base) {
    return Promise.reject(new Error(`Settle cannot load ${src}: settle.js did not run from a <script src>`));
  }
  const url = new URL(src, base).href;
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    // A failed request, bytes that do not match `integrity` (the browser refuses to run them), no
    // answer in time, or a script that ran but registered nothing. The script is removed and no
    // longer listened to: if it still arrives and runs, it only leaves a registry entry, which the
    // next load of the piece clears.
    const fail = () => {
      clearTimeout(timer);
      script.onload = script.onerror = null;
      script.remove();
      reject(
        new Error(
          `Settle could not load ${url}: the request failed or timed out, or the file is not the one settle.js expects (${integrity})`,
        ),
      );
    };
    const timer = setTimeout(fail, TIMEOUT_MS);
    // `load` fires right after this script ran: the entry is the one it registered (pieces.ts).
    script.onload = () => {
      const exports = takePiece(name);
      if (exports) {
        clearTimeout(timer);
        resolve(exports);
      } else fail();
    };
    script.onerror = fail;
    // An entry left by an earlier run (a script of the page's, a load that timed out) is not this script's.
    takePiece(name);
    // The checkout piece reads Lit and a few modules from settle.js as it runs (shared-script.ts).
    lendShared();
    script.src = url;
    script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    if (nonce) script.nonce = nonce;
    (document.head ?? document.documentElement).append(script);
  });
}
