/**
 * The registry settle.js's loader reads a piece script's exports from (pieces.ts): the loader takes
 * the entry in the script's `load` event, so an entry is never read twice, nor by another load.
 */
import { expect } from '@open-wc/testing';
import * as de from '../i18n/de.js';
import { registerPiece, takePiece } from './pieces.js';

describe('the pieces registry', () => {
  it('gives an entry to one taker only, so a piece that throws before registering yields nothing', () => {
    registerPiece('de', de);
    expect(takePiece('de')).to.equal(de);
    expect(takePiece('de'), 'a later load whose script registered nothing').to.equal(undefined);
  });

  it('keeps the entry of the last run of a piece', () => {
    const other = { ...de };
    registerPiece('de', other);
    registerPiece('de', de);
    expect(takePiece('de')).to.equal(de);
  });
});
