/**
 * @settle/widget for bundlers: the element classes, their events and the payment-provider
 * contract. Importing this module registers nothing; `import '@settle/widget/define'` does.
 */
export { type InvoiceSortKey, SettleInvoiceList } from './components/invoice-list/invoice-list.js';
export { type LineDraft, SettleLinesChangeEvent } from './components/invoice-list/lines-change.js';
export { SettlePay } from './components/pay/pay.js';
export { SettleChangeEvent } from './events/change.js';
export { SettleErrorEvent } from './events/error.js';
export { SettleReadyEvent } from './events/ready.js';
export { SettleSubmitEvent } from './events/submit.js';
export { SettleSuccessEvent } from './events/success.js';
export type { Messages } from './i18n/en.js';
export {
  type MountOptions,
  type PaymentProvider,
  ProviderError,
  type ProviderFieldState,
} from './providers/provider.js';
