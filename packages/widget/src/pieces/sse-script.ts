import type { readSse as clientReadSse } from '../../../client/src/sse.js';

/** @settle/client's event-stream reader, which only the checkout piece's payment watch uses. */
export type ReadSse = typeof clientReadSse;

const KEY = Symbol.for('settle.sse');
type Holder = { [KEY]?: ReadSse };

/** Called by settle-checkout.js as it runs: it carries the reader that settle.js leaves out. */
export function provideReadSse(read: ReadSse): void {
  (globalThis as Holder)[KEY] = read;
}

/**
 * settle.js's stand-in for @settle/client's `readSse` (vite.config.ts puts it in place of
 * packages/client/src/sse.ts): a session's event stream is only read to watch a payment, which
 * only the checkout piece does, so the parser ships in that piece and is read from it here.
 */
export const readSse: ReadSse = async function* (body, signal) {
  const read = (globalThis as Holder)[KEY];
  if (!read) throw new Error('Settle reads an event stream only once settle-checkout.js has loaded');
  yield* read(body, signal);
};
