import { routes } from '@settle/schema';
import type { Hono } from 'hono';
import type { Deps } from '../deps.js';
import {
  createWebhookEndpoint,
  disableWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
} from '../services/webhook-endpoints.js';
import type { Env } from './auth.js';
import { idParam, jsonBody, queryOf } from './validate.js';

/** The merchant's webhook endpoints (docs/webhooks.md), on the merchant API behind its secret key. */
export function addWebhookEndpointRoutes(app: Hono<Env>, deps: Deps): void {
  app.post(routes.createWebhookEndpoint.path, async (c) => {
    const body = await jsonBody(c, routes.createWebhookEndpoint.body);
    return c.json(await createWebhookEndpoint(deps.db, c.get('merchant'), body), 201);
  });

  app.get(routes.listWebhookEndpoints.path, async (c) =>
    c.json(await listWebhookEndpoints(deps.db, c.get('merchant').id)),
  );

  app.post(routes.disableWebhookEndpoint.path, async (c) =>
    c.json(await disableWebhookEndpoint(deps.db, c.get('merchant').id, idParam(c))),
  );

  app.get(routes.listWebhookDeliveries.path, async (c) => {
    const query = queryOf(c, routes.listWebhookDeliveries.query);
    return c.json(await listWebhookDeliveries(deps.db, c.get('merchant').id, idParam(c), query));
  });
}
