/** @settle/client: typed clients for Settle's browser (session) API and merchant API. */

export type {
  AllocationInput,
  CreatePaymentRequest,
  CreateSessionRequest,
  CreateSessionResponse,
  CreditApplicationInput,
  CreditMemo,
  Customer,
  CustomerList,
  ErpStatus,
  FieldIssue,
  Invoice,
  ListPaymentsQuery,
  MerchantRules,
  NextAction,
  OpenItems,
  Payment,
  PaymentEvent,
  PaymentFailure,
  PaymentList,
  PaymentMethodToken,
  PaymentMethodType,
  PaymentStatus,
  Problem,
  Quote,
  QuoteRequest,
  SandboxTokenRequest,
  SessionPayment,
  SessionView,
} from '@settle/schema';
export { ErrorCode } from '@settle/schema';
export {
  ClientErrorCode,
  isSettleError,
  isSettleHttpError,
  isSettleNetworkError,
  isSettleSchemaError,
  isSettleTimeoutError,
  SettleError,
  SettleHttpError,
  SettleNetworkError,
  SettleSchemaError,
  SettleTimeoutError,
} from './errors.js';
export type { CallOptions, ClientOptions } from './http.js';
export { createMerchantClient, type MerchantClient, type MerchantClientOptions } from './merchant-client.js';
export {
  type CreatedPayment,
  type CreatePaymentOptions,
  createSessionClient,
  type SessionClient,
  type SessionClientOptions,
  type WaitOptions,
} from './session-client.js';
