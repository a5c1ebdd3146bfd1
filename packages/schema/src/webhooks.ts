import * as z from 'zod/mini';
import { PaymentSchema } from './payment.js';
import { IdSchema, TimestampSchema } from './session.js';

/** What a merchant's webhook endpoint can be told about a payment (docs/webhooks.md says when each fires). */
export const SETTLE_EVENT_TYPES = [
  'payment.processing',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.disputed',
  'payment.reversed',
  'payment.refunded',
  'payment.posted_to_erp',
  'payment.erp_parked',
  'payment.erp_reversed',
] as const;
export const SettleEventTypeSchema = z.enum(SETTLE_EVENT_TYPES);
export type SettleEventType = z.infer<typeof SettleEventTypeSchema>;

/**
 * The body of one webhook delivery. `data.payment` is the merchant API's payment as it stood when
 * the event was dispatched; a retry sends the very same body.
 */
export const WebhookEventSchema = z.object({
  id: z.string().check(z.regex(/^evt_\w+$/, 'Expected an event id (evt_…)')),
  type: SettleEventTypeSchema,
  createdAt: TimestampSchema,
  data: z.object({ payment: PaymentSchema }),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** `*` alone: every event, including types added later. */
export const EnabledEventsSchema = z.array(z.union([z.literal('*'), SettleEventTypeSchema])).check(
  z.minLength(1),
  z.maxLength(SETTLE_EVENT_TYPES.length),
  z.refine((list) => !list.includes('*') || list.length === 1, 'Use "*" alone, or list event types'),
);

export const CreateWebhookEndpointRequestSchema = z.strictObject({
  /** https, or http to localhost (any host in test mode): the server checks the scheme. */
  url: z.url().check(z.maxLength(2048)),
  enabledEvents: z.optional(EnabledEventsSchema),
  description: z.optional(z.string().check(z.maxLength(200))),
});
export type CreateWebhookEndpointRequest = z.infer<typeof CreateWebhookEndpointRequestSchema>;

export const WebhookEndpointSchema = z.object({
  id: IdSchema,
  url: z.string(),
  enabledEvents: z.array(z.union([z.literal('*'), SettleEventTypeSchema])),
  description: z.nullable(z.string()),
  createdAt: TimestampSchema,
  /** Set once disabled: nothing more is delivered to it, and deliveries still waiting are dropped. */
  disabledAt: z.nullable(TimestampSchema),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

/** The answer to creating an endpoint: the only time its signing secret is shown. */
export const CreatedWebhookEndpointSchema = z.extend(WebhookEndpointSchema, {
  secret: z.string().check(z.regex(/^whsec_/)),
});
export type CreatedWebhookEndpoint = z.infer<typeof CreatedWebhookEndpointSchema>;

export const WebhookEndpointListSchema = z.object({ data: z.array(WebhookEndpointSchema) });
export type WebhookEndpointList = z.infer<typeof WebhookEndpointListSchema>;

/** `pending`: being tried (again); `failed`: given up after the last retry; `canceled`: its endpoint was disabled. */
export const WebhookDeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed', 'canceled']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatusSchema>;

export const WebhookDeliverySchema = z.object({
  id: IdSchema,
  endpointId: IdSchema,
  eventId: z.string(),
  eventType: SettleEventTypeSchema,
  paymentId: IdSchema,
  status: WebhookDeliveryStatusSchema,
  attempts: z.number(),
  /** The HTTP status the endpoint last answered; null when it never answered (refused, timed out). */
  lastStatusCode: z.nullable(z.number()),
  lastError: z.nullable(z.string()),
  createdAt: TimestampSchema,
  lastAttemptAt: z.nullable(TimestampSchema),
  deliveredAt: z.nullable(TimestampSchema),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const ListWebhookDeliveriesQuerySchema = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  status: z.optional(WebhookDeliveryStatusSchema),
});
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuerySchema>;

/** Newest first. */
export const WebhookDeliveryListSchema = z.object({ data: z.array(WebhookDeliverySchema) });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryListSchema>;
