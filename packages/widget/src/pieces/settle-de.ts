/** The entry of `settle-de.js`: the German messages, which settle.js loads when a locale asks for them. */
import * as de from '../i18n/de.js';
import { registerPiece } from './pieces.js';

registerPiece('de', de);
