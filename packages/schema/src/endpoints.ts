/**
 * Every endpoint's method and path, with no schema attached: the zod-free half of `routes`.
 * A client that trusts its server (the widget's) finds its routes here and so pulls in no zod;
 * `routes` spreads each entry and adds the request and response schemas.
 */

/** Who may call a route: the merchant's secret key, or a session's client token. */
export type RouteAuth = 'secret' | 'client';

export interface EndpointDef {
  method: 'GET' | 'POST';
  /** Hono-style path, parameters as `:name`. */
  path: string;
  auth: RouteAuth;
  status: number;
  /** Server-sent events, each `data` one response. */
  stream?: true;
}

/**
 * The routes a session's client token may call: everything the browser's session client uses.
 * Kept apart from the merchant's so that a bundle with only the session client carries only these.
 */
export const sessionEndpoints = {
  getSession: { method: 'GET', path: '/v1/session', auth: 'client', status: 200 },
  quote: { method: 'POST', path: '/v1/session/quote', auth: 'client', status: 200 },
  createPayment: { method: 'POST', path: '/v1/session/payments', auth: 'client', status: 201 },
  getSessionPayment: { method: 'GET', path: '/v1/session/payments/:id', auth: 'client', status: 200 },
  watchSessionPayment: {
    method: 'GET',
    path: '/v1/session/payments/:id/events',
    auth: 'client',
    status: 200,
    stream: true,
  },
  createSandboxToken: { method: 'POST', path: '/v1/sandbox/tokens', auth: 'client', status: 201 },
} as const satisfies Record<string, EndpointDef>;

/** The routes the merchant's backend calls with its secret key. */
export const merchantEndpoints = {
  createSession: { method: 'POST', path: '/v1/sessions', auth: 'secret', status: 201 },
  listCustomers: { method: 'GET', path: '/v1/customers', auth: 'secret', status: 200 },
  getOpenItems: { method: 'GET', path: '/v1/customers/:id/open-items', auth: 'secret', status: 200 },
  listPayments: { method: 'GET', path: '/v1/payments', auth: 'secret', status: 200 },
  getPayment: { method: 'GET', path: '/v1/payments/:id', auth: 'secret', status: 200 },
  getReceiptPdf: { method: 'GET', path: '/v1/payments/:id/receipt.pdf', auth: 'secret', status: 200 },
  getStatementPdf: { method: 'GET', path: '/v1/customers/:id/statement.pdf', auth: 'secret', status: 200 },
  getStatementCsv: { method: 'GET', path: '/v1/customers/:id/statement.csv', auth: 'secret', status: 200 },
  createWebhookEndpoint: { method: 'POST', path: '/v1/webhook-endpoints', auth: 'secret', status: 201 },
  listWebhookEndpoints: { method: 'GET', path: '/v1/webhook-endpoints', auth: 'secret', status: 200 },
  disableWebhookEndpoint: { method: 'POST', path: '/v1/webhook-endpoints/:id/disable', auth: 'secret', status: 200 },
  listWebhookDeliveries: { method: 'GET', path: '/v1/webhook-endpoints/:id/deliveries', auth: 'secret', status: 200 },
  createPayLink: { method: 'POST', path: '/v1/pay-links', auth: 'secret', status: 201 },
  listPayLinks: { method: 'GET', path: '/v1/customers/:id/pay-links', auth: 'secret', status: 200 },
  revokePayLink: { method: 'POST', path: '/v1/pay-links/:id/revoke', auth: 'secret', status: 200 },
  listSignals: { method: 'GET', path: '/v1/customers/:id/signals', auth: 'secret', status: 200 },
  sendReminder: { method: 'POST', path: '/v1/customers/:id/reminders', auth: 'secret', status: 201 },
  listReminders: { method: 'GET', path: '/v1/customers/:id/reminders', auth: 'secret', status: 200 },
} as const satisfies Record<string, EndpointDef>;

/** Every endpoint: the merchant's and the session's tables in one. */
export const endpoints = { ...merchantEndpoints, ...sessionEndpoints } as const satisfies Record<string, EndpointDef>;

export type SessionEndpoints = typeof sessionEndpoints;
export type SessionEndpointName = keyof SessionEndpoints;
export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

/** Fills `:name` parameters: pathFor('/v1/payments/:id', { id: 'pay_1' }). */
export function pathFor(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
