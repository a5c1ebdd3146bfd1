import { createMiddleware } from 'hono/factory';
import type { Deps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { bearer } from '../keys.js';
import { type Merchant, merchantBySecret } from '../services/merchants.js';
import { requireFresh, type SessionContext, sessionByToken } from '../services/sessions.js';

export type Env = { Variables: { merchant: Merchant; session: SessionContext } };

/** Merchant endpoints: `Authorization: Bearer sk_...`. */
export function secretKeyAuth(deps: Deps) {
  return createMiddleware<Env>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token?.startsWith('sk_')) throw unauthorized('Send your secret key as "Authorization: Bearer sk_..."');
    const merchant = await merchantBySecret(deps.db, token);
    if (!merchant) throw unauthorized('This secret key is not valid');
    c.set('merchant', merchant);
    await next();
  });
}

/** Browser endpoints: `Authorization: Bearer ct_...`, one customer's session, until it expires. */
export function clientTokenAuth(deps: Deps) {
  return createMiddleware<Env>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token?.startsWith('ct_'))
      throw unauthorized('Send the session client token as "Authorization: Bearer ct_..."');
    const session = await sessionByToken(deps, token);
    if (!session) throw unauthorized('This client token is not valid');
    c.set('session', requireFresh(session));
    await next();
  });
}
