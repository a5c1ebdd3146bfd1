import { routes } from '@settle/schema';
import { Hono } from 'hono';
import type { Deps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { callErp } from '../services/erp-calls.js';
import { issuePayLink, listPayLinks, revokePayLink } from '../services/pay-links.js';
import { listPayments, loadPayment } from '../services/payment-view.js';
import { listReminders, sendReminder } from '../services/reminders.js';
import { createSession, openItemsView } from '../services/sessions.js';
import { listSignals } from '../services/signal-list.js';
import { type Env, secretKeyAuth } from './auth.js';
import { addDocumentRoutes } from './merchant-documents.js';
import { idempotencyKey, idParam, jsonBody, queryOf } from './validate.js';
import { addWebhookEndpointRoutes } from './webhook-endpoints.js';

/** The merchant API, called from the merchant's backend with its secret key. */
export function merchantRoutes(deps: Deps) {
  const app = new Hono<Env>();
  // Every path needs the secret key (a route added later is never left open) except the browser
  // API's, which checks its client token itself (and the widget's document links, their signed token): a mistyped browser path is a 404, not a request
  // to send the secret key from the browser.
  const auth = secretKeyAuth(deps);
  app.use('*', (c, next) => (/^\/v1\/(session|sandbox|documents)(\/|$)/.test(c.req.path) ? next() : auth(c, next)));

  app.post(routes.createSession.path, async (c) => {
    const body = await jsonBody(c, routes.createSession.body);
    return c.json(await createSession(deps, c.get('merchant'), body), 201);
  });

  app.get(routes.listCustomers.path, async (c) => {
    const customers = await callErp(() => deps.erp.listCustomers());
    return c.json({
      data: customers.map(({ id, name, email, currency, region }) => ({ id, name, email, currency, region })),
    });
  });

  app.get(routes.getOpenItems.path, async (c) => {
    const id = idParam(c);
    const customer = await callErp(() => deps.erp.getCustomer(id));
    if (!customer) throw new ApiError(404, 'customer_not_found', `The ERP has no customer ${id}`);
    const items = await callErp(() => deps.erp.listOpenItems(id));
    const view = await openItemsView(deps.db, c.get('merchant').id, id, null, items);
    return c.json({ customerId: id, ...view });
  });

  app.get(routes.listPayments.path, async (c) => {
    const query = queryOf(c, routes.listPayments.query);
    return c.json(await listPayments(deps.db, c.get('merchant').id, query));
  });

  app.get(routes.getPayment.path, async (c) => {
    const payment = await loadPayment(deps.db, idParam(c), { merchantId: c.get('merchant').id });
    if (!payment) throw notFound(`No payment ${idParam(c)}`);
    return c.json(payment);
  });

  addDocumentRoutes(app, deps);

  app.post(routes.createPayLink.path, async (c) => {
    const body = await jsonBody(c, routes.createPayLink.body);
    return c.json(await issuePayLink(deps, c.get('merchant'), body), 201);
  });

  app.get(routes.listPayLinks.path, async (c) => c.json(await listPayLinks(deps.db, c.get('merchant').id, idParam(c))));

  app.post(routes.revokePayLink.path, async (c) =>
    c.json(await revokePayLink(deps.db, c.get('merchant').id, idParam(c))),
  );

  app.post(routes.sendReminder.path, async (c) => {
    const key = idempotencyKey(c);
    const body = await jsonBody(c, routes.sendReminder.body);
    return c.json(await sendReminder(deps, c.get('merchant'), idParam(c), body, key), 201);
  });

  app.get(routes.listReminders.path, async (c) => c.json(await listReminders(deps, c.get('merchant').id, idParam(c))));

  app.get(routes.listSignals.path, async (c) => {
    const query = queryOf(c, routes.listSignals.query);
    return c.json(await listSignals(deps.db, c.get('merchant').id, idParam(c), query));
  });

  addWebhookEndpointRoutes(app, deps);

  return app;
}
