import {
  type CreateSessionRequest,
  type CreateSessionResponse,
  type CustomerList,
  type ListPaymentsQuery,
  type OpenItems,
  type Payment,
  type PaymentList,
  routes,
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
}

export function createMerchantClient(options: MerchantClientOptions): MerchantClient {
  const http = createHttp({ ...options, token: options.secretKey });

  const listPayments = (query: ListPaymentsQuery = {}, { signal }: CallOptions = {}) =>
    http.request(routes.listPayments, { query, signal });

  return {
    createSession: (body, { signal } = {}) => http.request(routes.createSession, { body, signal }),
    listCustomers: ({ signal } = {}) => http.request(routes.listCustomers, { signal }),
    getOpenItems: (id, { signal } = {}) => http.request(routes.getOpenItems, { params: { id }, signal }),
    listPayments,
    getPayment: (id, { signal } = {}) => http.request(routes.getPayment, { params: { id }, signal }),

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
