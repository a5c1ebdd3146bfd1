/**
 * The entry of `settle-checkout.js`: the payment panel, which settle.js loads with its integrity
 * value once the payer has selected an invoice. Lit and the few modules named in shared-names.ts
 * are not bundled here: the build reads them from what settle.js lent (shared-script.ts, vite.config.ts).
 * It also carries @settle/client's event-stream reader, which settle.js leaves out (sse-script.ts).
 */
import { readSse } from '../../../client/src/sse.js';
import * as checkout from '../components/pay/checkout.js';
import { registerPiece } from './pieces.js';
import { provideReadSse } from './sse-script.js';

provideReadSse(readSse);
registerPiece('checkout', checkout);
