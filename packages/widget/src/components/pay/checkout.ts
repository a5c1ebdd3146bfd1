/**
 * The checkout piece: everything of the payment step that a payer needs only once they have
 * selected something to pay. <settle-pay> loads it on the first selection (or at once for a
 * session with preselected invoices): `settle-checkout.js` in the script-tag build, an import()
 * in the npm build (src/pieces/*; docs/decisions/0008). It brings the panel's styles and English
 * messages with it; the provider's fields (and Stripe.js) load from here on, when it mounts them.
 */
export { enCheckout } from '../../i18n/en-checkout.js';
export { checkoutStyles } from './checkout.styles.js';
export { CheckoutController, type CheckoutOptions } from './checkout-controller.js';
export { type Panel, renderPanel } from './checkout-panel.js';
export { renderReceipt } from './pay-receipt.js';
