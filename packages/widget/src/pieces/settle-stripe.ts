/**
 * The entry of `settle-stripe.js`: the Stripe provider (with `@stripe/stripe-js/pure`'s loader) as
 * a classic script of its own, which the checkout piece loads with its integrity value when a
 * Stripe session's payment fields first mount. Stripe.js itself then loads from js.stripe.com.
 */
import * as stripe from '../providers/stripe.js';
import { registerPiece } from './pieces.js';

registerPiece('stripe', stripe);
