/**
 * What settle.js lends the checkout piece instead of the piece bundling its own copy: Lit (one
 * copy of Lit per page, so templates and styles of both are one Lit's) and the few modules of
 * settle.js the panel uses. Each entry: the module as the piece imports it (`lit`, or a path
 * under src/ without its extension) and the names it exports to the piece.
 *
 * vite.config.ts resolves these imports of the piece to modules that read the names from the
 * registry (`shared-script.ts` fills it). A name the piece imports that is not listed fails its build;
 * a name listed that settle.js does not lend fails the type check of shared-script.ts.
 */
export const SHARED_NAMES = {
  lit: { from: 'lit', names: ['css', 'html', 'nothing'] },
  amounts: { from: 'components/invoice-list/amount-text', names: ['amountExample', 'editableAmount', 'parseAmount'] },
  errors: { from: 'components/pay/pay-errors', names: ['classify'] },
  events: { from: 'events/error', names: ['SettleErrorEvent'] },
  pieces: { from: 'pieces/load-piece-script', names: ['loadPinned'] },
} as const;

/** Where settle.js leaves what it lends: a registered symbol on `globalThis`, as for the pieces (pieces.ts). */
export const SHARED_KEY = 'settle.shared';
