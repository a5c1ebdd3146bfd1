/**
 * The entry of `settle-sandbox.js`: the sandbox provider as a classic script of its own, which
 * settle.js loads with its integrity value when the payment fields first mount.
 */
import * as sandbox from '../providers/sandbox.js';
import { registerPiece } from './pieces.js';

registerPiece('sandbox', sandbox);
