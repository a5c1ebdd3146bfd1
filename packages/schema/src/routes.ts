import type * as z from 'zod/mini';
import { CreatePaymentRequestSchema, QuoteRequestSchema, QuoteSchema } from './allocation.js';
import { CsvSchema, PdfSchema } from './documents.js';
import { type EndpointDef, type EndpointName, type Endpoints, endpoints } from './endpoints.js';
import { CustomerListSchema, ListPaymentsQuerySchema, OpenItemsSchema } from './merchant.js';
import {
  CreatePayLinkRequestSchema,
  ListSignalsQuerySchema,
  PayerSignalListSchema,
  PayLinkListSchema,
  PayLinkRecordSchema,
  PayLinkSchema,
} from './pay-links.js';
import { PaymentListSchema, PaymentSchema, SessionPaymentSchema } from './payment.js';
import { ReminderListSchema, ReminderSchema, SendReminderRequestSchema } from './reminders.js';
import { PaymentMethodTokenSchema, SandboxTokenRequestSchema } from './sandbox.js';
import { CreateSessionRequestSchema, CreateSessionResponseSchema, SessionViewSchema } from './session.js';
import {
  CreatedWebhookEndpointSchema,
  CreateWebhookEndpointRequestSchema,
  ListWebhookDeliveriesQuerySchema,
  WebhookDeliveryListSchema,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
} from './webhooks.js';

export { pathFor, type RouteAuth } from './endpoints.js';

export interface RouteDef extends EndpointDef {
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** The answer; for a stream, each event's `data`. */
  response: z.ZodMiniType;
}

/**
 * Every endpoint, described once. The server validates requests with these schemas and the
 * client parses responses with them; neither declares a copy. Method and path come from
 * `endpoints`, so the zod-free table and this one cannot disagree.
 */
export const routes = {
  createSession: {
    ...endpoints.createSession,
    body: CreateSessionRequestSchema,
    response: CreateSessionResponseSchema,
  },
  listCustomers: { ...endpoints.listCustomers, response: CustomerListSchema },
  getOpenItems: { ...endpoints.getOpenItems, response: OpenItemsSchema },
  listPayments: { ...endpoints.listPayments, query: ListPaymentsQuerySchema, response: PaymentListSchema },
  getPayment: { ...endpoints.getPayment, response: PaymentSchema },
  getReceiptPdf: { ...endpoints.getReceiptPdf, response: PdfSchema },
  getStatementPdf: { ...endpoints.getStatementPdf, response: PdfSchema },
  getStatementCsv: { ...endpoints.getStatementCsv, response: CsvSchema },
  createWebhookEndpoint: {
    ...endpoints.createWebhookEndpoint,
    body: CreateWebhookEndpointRequestSchema,
    response: CreatedWebhookEndpointSchema,
  },
  listWebhookEndpoints: { ...endpoints.listWebhookEndpoints, response: WebhookEndpointListSchema },
  disableWebhookEndpoint: { ...endpoints.disableWebhookEndpoint, response: WebhookEndpointSchema },
  listWebhookDeliveries: {
    ...endpoints.listWebhookDeliveries,
    query: ListWebhookDeliveriesQuerySchema,
    response: WebhookDeliveryListSchema,
  },
  createPayLink: { ...endpoints.createPayLink, body: CreatePayLinkRequestSchema, response: PayLinkSchema },
  listPayLinks: { ...endpoints.listPayLinks, response: PayLinkListSchema },
  revokePayLink: { ...endpoints.revokePayLink, response: PayLinkRecordSchema },
  listSignals: { ...endpoints.listSignals, query: ListSignalsQuerySchema, response: PayerSignalListSchema },
  sendReminder: { ...endpoints.sendReminder, body: SendReminderRequestSchema, response: ReminderSchema },
  listReminders: { ...endpoints.listReminders, response: ReminderListSchema },
  getSession: { ...endpoints.getSession, response: SessionViewSchema },
  quote: { ...endpoints.quote, body: QuoteRequestSchema, response: QuoteSchema },
  createPayment: { ...endpoints.createPayment, body: CreatePaymentRequestSchema, response: SessionPaymentSchema },
  getSessionPayment: { ...endpoints.getSessionPayment, response: SessionPaymentSchema },
  watchSessionPayment: { ...endpoints.watchSessionPayment, response: SessionPaymentSchema },
  createSandboxToken: {
    ...endpoints.createSandboxToken,
    body: SandboxTokenRequestSchema,
    response: PaymentMethodTokenSchema,
  },
} as const satisfies { [N in EndpointName]: RouteDef & Endpoints[N] };

export type Routes = typeof routes;
export type RouteName = keyof Routes;
