/**
 * Registers Settle's elements: `import '@settle/widget/define'` once in an app. Loading it
 * next to the script-tag build (or twice) keeps the first registration and warns.
 */
import { SettleInvoiceList } from './components/invoice-list/invoice-list.js';
import { SettlePay } from './components/pay/pay.js';
import { define } from './internal/define.js';

define('settle-pay', SettlePay);
define('settle-invoice-list', SettleInvoiceList);
