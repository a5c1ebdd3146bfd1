import {
  type CreatedWebhookEndpoint,
  type CreatePayLinkRequest,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type CreateWebhookEndpointRequest,
  type CustomerList,
  type ListPaymentsQuery,
  type ListSignalsQuery,
  type ListWebhookDeliveriesQuery,
  type OpenItems,
  type PayerSignalList,
  type PayLink,
  type PayLinkList,
  type PayLinkRecord,
  type Payment,
  type PaymentList,
  type Reminder,
  type ReminderList,
  type RouteDef,
  routes,
  type SendReminderRequest,
  type WebhookDeliveryList,
  type WebhookEndpoint,
  type WebhookEndpointList,
} from '@settle/schema';
import { type CallOptions, type ClientOptions, createHttp } from './http.js';

export interface MerchantClientOptions extends ClientOptions {
  /** The merchant's `sk_...` secret key. Server side only: never ship it to a browser. */
  secretKey: string;
}

/** The merchant backend's client, authenticated with the secret key. */
export interface MerchantClient {
  /** Mints a payment session for one customer; hand its `clientToken` (or `url`) to the browser. */
  createSession(request: CreateSessionRequest, options?: CallOptions): Promise<CreateSessionResponse>;
  /** The customers the ERP knows. */
  listCustomers(options?: CallOptions): Promise<CustomerList>;
  /** A customer's open invoices and credits as the ERP reports them now, with in-flight reservations. */
  getOpenItems(customerId: string, options?: CallOptions): Promise<OpenItems>;
  /** One page of payments, newest first; pass `nextCursor` back as `cursor` for the next. */
  listPayments(query?: ListPaymentsQuery, options?: CallOptions): Promise<PaymentList>;
  getPayment(id: string, options?: CallOptions): Promise<Payment>;
  /** Every payment matching `query`, fetching page after page (`limit` is the page size) as you iterate. */
  payments(query?: Omit<ListPaymentsQuery, 'cursor'>, options?: CallOptions): AsyncGenerator<Payment>;
  /** A payment's receipt as PDF bytes (processing, succeeded or later; 409 `no_receipt` before that). */
  getReceiptPdf(paymentId: string, options?: CallOptions): Promise<Uint8Array>;
  /** A customer's statement as of today as PDF bytes: open items with aging, recent payments. */
  getStatementPdf(customerId: string, options?: CallOptions): Promise<Uint8Array>;
  /** The same statement as CSV text (RFC 4180, one row per item; docs/statements.md lists the columns). */
  getStatementCsv(customerId: string, options?: CallOptions): Promise<string>;
  /** Registers a webhook endpoint; keep the answer's `secret` (shown only here) to verify deliveries. */
  createWebhookEndpoint(request: CreateWebhookEndpointRequest, options?: CallOptions): Promise<CreatedWebhookEndpoint>;
  /** The webhook endpoints, newest first, disabled ones included. */
  listWebhookEndpoints(options?: CallOptions): Promise<WebhookEndpointList>;
  /** Stops deliveries to an endpoint for good (those still being retried are dropped). */
  disableWebhookEndpoint(id: string, options?: CallOptions): Promise<WebhookEndpoint>;
  /** An endpoint's recent deliveries, newest first, with their attempts and last answer. */
  listWebhookDeliveries(
    endpointId: string,
    query?: ListWebhookDeliveriesQuery,
    options?: CallOptions,
  ): Promise<WebhookDeliveryList>;
  /** A signed, expiring pay link for a customer's past-due email, optionally pinned to invoices. */
  createPayLink(request: CreatePayLinkRequest, options?: CallOptions): Promise<PayLink>;
  /** The pay links issued for a customer, newest first (without their URLs, which are not kept). */
  listPayLinks(customerId: string, options?: CallOptions): Promise<PayLinkList>;
  /** Withdraws a pay link: from now on it opens a page saying so. Revoking one already revoked changes nothing. */
  revokePayLink(id: string, options?: CallOptions): Promise<PayLinkRecord>;
  /** What the customer did on the pay page (opened, viewed, started, paid, abandoned), newest first, with a summary. */
  listSignals(customerId: string, query?: ListSignalsQuery, options?: CallOptions): Promise<PayerSignalList>;
  /**
   * Emails the customer a past-due reminder with a pay link pinned to the invoices it lists (by
   * default every past-due one). Pass the same `idempotencyKey` when retrying, so the customer
   * gets one mail; one is made up for you otherwise.
   */
  sendReminder(
    customerId: string,
    request?: SendReminderRequest,
    options?: CallOptions & { idempotencyKey?: string },
  ): Promise<Reminder>;
  /** The reminders sent to a customer, newest first, with the pay link each carried and how its mail went. */
  listReminders(customerId: string, options?: CallOptions): Promise<ReminderList>;
}

export function createMerchantClient(options: MerchantClientOptions): MerchantClient {
  const http = createHttp({ ...options, token: options.secretKey });

  const bytes = async (route: RouteDef, id: string, signal?: AbortSignal) =>
    new Uint8Array(await (await http.download(route, 'application/pdf', { params: { id }, signal })).arrayBuffer());

  const listPayments = (query: ListPaymentsQuery = {}, { signal }: CallOptions = {}) =>
    http.request(routes.listPayments, { query, signal });

  return {
    createSession: (body, { signal } = {}) => http.request(routes.createSession, { body, signal }),
    listCustomers: ({ signal } = {}) => http.request(routes.listCustomers, { signal }),
    getOpenItems: (id, { signal } = {}) => http.request(routes.getOpenItems, { params: { id }, signal }),
    listPayments,
    getPayment: (id, { signal } = {}) => http.request(routes.getPayment, { params: { id }, signal }),
    getReceiptPdf: (id, { signal } = {}) => bytes(routes.getReceiptPdf, id, signal),
    getStatementPdf: (id, { signal } = {}) => bytes(routes.getStatementPdf, id, signal),
    getStatementCsv: async (id, { signal } = {}) =>
      (await http.download(routes.getStatementCsv, 'text/csv', { params: { id }, signal })).text(),
    createWebhookEndpoint: (body, { signal } = {}) => http.request(routes.createWebhookEndpoint, { body, signal }),
    listWebhookEndpoints: ({ signal } = {}) => http.request(routes.listWebhookEndpoints, { signal }),
    disableWebhookEndpoint: (id, { signal } = {}) =>
      http.request(routes.disableWebhookEndpoint, { params: { id }, signal }),
    listWebhookDeliveries: (id, query = {}, { signal } = {}) =>
      http.request(routes.listWebhookDeliveries, { params: { id }, query, signal }),
    createPayLink: (body, { signal } = {}) => http.request(routes.createPayLink, { body, signal }),
    listPayLinks: (id, { signal } = {}) => http.request(routes.listPayLinks, { params: { id }, signal }),
    revokePayLink: (id, { signal } = {}) => http.request(routes.revokePayLink, { params: { id }, signal }),
    listSignals: (id, query = {}, { signal } = {}) =>
      http.request(routes.listSignals, { params: { id }, query, signal }),
    sendReminder: (id, body = {}, { idempotencyKey = crypto.randomUUID(), signal } = {}) =>
      http.request(routes.sendReminder, {
        params: { id },
        body,
        headers: { 'idempotency-key': idempotencyKey },
        signal,
      }),
    listReminders: (id, { signal } = {}) => http.request(routes.listReminders, { params: { id }, signal }),

    async *payments(query = {}, options = {}) {
      let cursor: string | undefined;
      do {
        const page = await listPayments({ ...query, cursor }, options);
        yield* page.data;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
  };
}
