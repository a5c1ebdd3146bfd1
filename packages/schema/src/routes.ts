import type * as z from 'zod/mini';
import { CreatePaymentRequestSchema, QuoteRequestSchema, QuoteSchema } from './allocation.js';
import { CustomerListSchema, ListPaymentsQuerySchema, OpenItemsSchema } from './merchant.js';
import { PaymentListSchema, PaymentSchema } from './payment.js';
import { PaymentMethodTokenSchema, SandboxTokenRequestSchema } from './sandbox.js';
import { CreateSessionRequestSchema, CreateSessionResponseSchema, SessionViewSchema } from './session.js';

/** Who may call a route: the merchant's secret key, or a session's client token. */
export type RouteAuth = 'secret' | 'client';

export interface RouteDef {
  method: 'GET' | 'POST';
  /** Hono-style path, parameters as `:name`. */
  path: string;
  auth: RouteAuth;
  status: number;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response: z.ZodMiniType;
  /** Server-sent events whose `data` each parse with `response`. */
  stream?: true;
}

/**
 * Every endpoint, described once. The server validates requests with these schemas and the
 * client parses responses with them; neither declares a copy.
 */
export const routes = {
  createSession: {
    method: 'POST',
    path: '/v1/sessions',
    auth: 'secret',
    status: 201,
    body: CreateSessionRequestSchema,
    response: CreateSessionResponseSchema,
  },
  listCustomers: { method: 'GET', path: '/v1/customers', auth: 'secret', status: 200, response: CustomerListSchema },
  getOpenItems: {
    method: 'GET',
    path: '/v1/customers/:id/open-items',
    auth: 'secret',
    status: 200,
    response: OpenItemsSchema,
  },
  listPayments: {
    method: 'GET',
    path: '/v1/payments',
    auth: 'secret',
    status: 200,
    query: ListPaymentsQuerySchema,
    response: PaymentListSchema,
  },
  getPayment: { method: 'GET', path: '/v1/payments/:id', auth: 'secret', status: 200, response: PaymentSchema },
  getSession: { method: 'GET', path: '/v1/session', auth: 'client', status: 200, response: SessionViewSchema },
  quote: {
    method: 'POST',
    path: '/v1/session/quote',
    auth: 'client',
    status: 200,
    body: QuoteRequestSchema,
    response: QuoteSchema,
  },
  createPayment: {
    method: 'POST',
    path: '/v1/session/payments',
    auth: 'client',
    status: 201,
    body: CreatePaymentRequestSchema,
    response: PaymentSchema,
  },
  getSessionPayment: {
    method: 'GET',
    path: '/v1/session/payments/:id',
    auth: 'client',
    status: 200,
    response: PaymentSchema,
  },
  watchSessionPayment: {
    method: 'GET',
    path: '/v1/session/payments/:id/events',
    auth: 'client',
    status: 200,
    response: PaymentSchema,
    stream: true,
  },
  createSandboxToken: {
    method: 'POST',
    path: '/v1/sandbox/tokens',
    auth: 'client',
    status: 201,
    body: SandboxTokenRequestSchema,
    response: PaymentMethodTokenSchema,
  },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

/** Fills `:name` parameters: pathFor('/v1/payments/:id', { id: 'pay_1' }). */
export function pathFor(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
