export { createApp } from './app.js';
export { type Config, DEFAULT_REASON_CODES, DEFAULT_RULES, loadConfig } from './config.js';
export { MemoryErp } from './erp/memory.js';
export {
  type ErpAdapter,
  type ErpApplication,
  type ErpCredit,
  type ErpCustomer,
  type ErpInvoice,
  type ErpOpenItems,
  type ErpPosting,
  type ErpPostingResult,
  ErpRejectedError,
  ErpUnavailableError,
} from './erp/port.js';
export { createDemoErp, demoCustomerId, demoErpData } from './erp/seed.js';
export type { PaymentProcessor, ProcessorEvent, ProcessorOutcome } from './processors/port.js';
export { createSettle, listen, type Settle, type SettleOptions } from './server.js';
