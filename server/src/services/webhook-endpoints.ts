import { randomBytes } from 'node:crypto';
import type {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  SettleEventType,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
} from '@settle/schema';
import type { Selectable } from 'kysely';
import { ApiError, notFound, validationError } from '../errors.js';
import { newId } from '../keys.js';
import type { Database, Db } from '../store/db.js';
import { fromJson, json } from '../store/db.js';
import type { Merchant } from './merchants.js';

/** Every endpoint gets every event it wants in one fan-out transaction: keep that bounded (Stripe allows 16). */
const MAX_ENDPOINTS = 16;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https only, so payment details never cross a network in clear text. Plain http is allowed to
 * this machine (nothing to sniff) and in test mode (a tunnel or a local receiver in development).
 */
export function checkWebhookUrl(raw: string, mode: Merchant['mode']): void {
  const url = new URL(raw);
  const issue = (code: string, message: string) => validationError([{ path: 'url', code, message }]);
  if (url.username || url.password) {
    throw issue('url_credentials', 'The URL must not carry a user name or password; authenticate with the signature');
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || mode === 'test')) return;
  throw issue(
    'insecure_url',
    mode === 'live'
      ? 'Use an https:// URL (plain http:// is only allowed to localhost in live mode)'
      : 'Use an https:// or http:// URL',
  );
}

function toEndpoint(row: Selectable<Database['webhook_endpoints']>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    enabledEvents: row.enabled_events === null ? ['*'] : fromJson<SettleEventType[]>(row.enabled_events),
    description: row.description,
    createdAt: new Date(row.created_at).toISOString(),
    disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null,
  };
}

/** Registers an endpoint; its signing secret is in this answer and in no other. */
export async function createWebhookEndpoint(
  db: Db,
  merchant: Merchant,
  request: CreateWebhookEndpointRequest,
): Promise<CreatedWebhookEndpoint> {
  checkWebhookUrl(request.url, merchant.mode);
  const events = request.enabledEvents ?? ['*'];
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const row = await db.transaction().execute(async (trx) => {
    const active = await trx
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('merchant_id', '=', merchant.id)
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(active.n) >= MAX_ENDPOINTS) {
      throw new ApiError(
        409,
        'too_many_webhook_endpoints',
        `A merchant may have ${MAX_ENDPOINTS} enabled webhook endpoints: disable one first`,
      );
    }
    return trx
      .insertInto('webhook_endpoints')
      .values({
        id: newId('we'),
        merchant_id: merchant.id,
        url: request.url,
        secret,
        enabled_events: events.includes('*') ? null : json(events),
        description: request.description ?? null,
        disabled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return { ...toEndpoint(row), secret };
}

/** Newest first, disabled ones too (their delivery logs stay readable). */
export async function listWebhookEndpoints(db: Db, merchantId: string): Promise<{ data: WebhookEndpoint[] }> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return { data: rows.map(toEndpoint) };
}

/** Stops deliveries to an endpoint for good: those still being retried are dropped. Idempotent. */
export async function disableWebhookEndpoint(db: Db, merchantId: string, id: string): Promise<WebhookEndpoint> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('webhook_endpoints')
      .set((eb) => ({ disabled_at: eb.fn.coalesce('disabled_at', eb.val(new Date())) }))
      .where('id', '=', id)
      .where('merchant_id', '=', merchantId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound(`No webhook endpoint ${id}`);
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'canceled' })
      .where('endpoint_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return toEndpoint(row);
  });
}

/** An endpoint's most recent deliveries, newest first. */
export async function listWebhookDeliveries(
  db: Db,
  merchantId: string,
  endpointId: string,
  query: ListWebhookDeliveriesQuery,
): Promise<{ data: WebhookDelivery[] }> {
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('id', '=', endpointId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  if (!endpoint) throw notFound(`No webhook endpoint ${endpointId}`);
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (query.status) q = q.where('status', '=', query.status);
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit ?? 25)
    .execute();
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    data: rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      eventId: r.event_id,
      eventType: r.event_type as SettleEventType,
      paymentId: r.payment_id,
      status: r.status as WebhookDeliveryStatus,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: new Date(r.created_at).toISOString(),
      lastAttemptAt: iso(r.last_attempt_at),
      deliveredAt: iso(r.delivered_at),
    })),
  };
}
