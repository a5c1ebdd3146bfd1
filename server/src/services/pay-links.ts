import {
  type CreatePayLinkRequest,
  DEFAULT_PAY_LINK_DAYS,
  type FieldIssue,
  type PayLink,
  type PayLinkList,
  type PayLinkRecord,
} from '@settle/schema';
import type { Selectable } from 'kysely';
import type { Deps } from '../deps.js';
import { ApiError, notFound, validationError } from '../errors.js';
import { newId } from '../keys.js';
import type { Database, Db } from '../store/db.js';
import { fromJson, json } from '../store/db.js';
import { callErp } from './erp-calls.js';
import { type Merchant, toMerchant } from './merchants.js';
import { createSession } from './sessions.js';
import { signToken, verifyToken } from './signing.js';

/**
 * Pay links: a signed, expiring URL a merchant puts in a past-due email. The token carries the
 * claims below, signed with the merchant's key, so any instance can check it; the `pay_links` row
 * is the merchant's record of what was issued, listed per customer, and opening a link also
 * requires that row and that the merchant has not revoked it (a link mailed to the wrong person
 * can be withdrawn). Opening a link mints a fresh session each time, so a link outlives the hour a
 * session lasts.
 */

export const PAY_LINK_PURPOSE = 'pay_link';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The token's claims: short names, since the token is part of a URL. Ids only (tokens are readable). */
export interface PayLinkClaims extends Record<string, unknown> {
  /** Link id. */
  l: string;
  /** Customer id. */
  c: string;
  /** Pinned invoice ids, none for the customer's whole account. */
  i: string[];
}

/** The link's token; exported so tests can sign one that has already expired. */
export function payLinkToken(db: Db, merchantId: string, claims: PayLinkClaims, expiresAt: Date): Promise<string> {
  return signToken(db, merchantId, PAY_LINK_PURPOSE, claims, expiresAt);
}

export const payLinkUrl = (publicUrl: string, token: string) => `${publicUrl}/l/${token}`;

/**
 * The URL of a link already issued, from its row: signing is deterministic, so it is the very
 * URL `issuePayLink` returned. A reminder's mail and its replay need it; the URL is not stored.
 */
export async function issuedPayLinkUrl(
  deps: Deps,
  merchantId: string,
  link: { id: string; customerId: string; invoiceIds: string[]; expiresAt: Date },
): Promise<string> {
  const claims: PayLinkClaims = { l: link.id, c: link.customerId, i: link.invoiceIds };
  return payLinkUrl(deps.config.publicUrl, await payLinkToken(deps.db, merchantId, claims, link.expiresAt));
}

/**
 * Issues a link for a customer the ERP knows; pinned invoices must be that customer's open ones,
 * in one currency (a session collects one currency), each named once.
 */
export async function issuePayLink(deps: Deps, merchant: Merchant, input: CreatePayLinkRequest): Promise<PayLink> {
  const customer = await callErp(() => deps.erp.getCustomer(input.customerId));
  if (!customer) {
    throw new ApiError(404, 'customer_not_found', `The ERP has no customer ${input.customerId}`, [
      { path: 'customerId', code: 'customer_not_found', message: `No customer ${input.customerId}` },
    ]);
  }
  const invoiceIds = input.invoiceIds ?? [];
  if (invoiceIds.length) {
    const { invoices } = await callErp(() => deps.erp.listOpenItems(customer.id));
    const open = new Map(invoices.map((i) => [i.id, i]));
    const currency = open.get(invoiceIds.find((id) => open.has(id)) ?? '')?.currency;
    const issues: FieldIssue[] = invoiceIds.flatMap((id, at) => {
      const path = `invoiceIds.${at}`;
      const invoice = open.get(id);
      if (!invoice)
        return [{ path, code: 'invoice_not_found', message: `No open invoice ${id} for customer ${customer.id}` }];
      if (invoiceIds.indexOf(id) !== at) return [{ path, code: 'duplicate', message: `${id} is listed twice` }];
      if (invoice.currency !== currency) {
        return [{ path, code: 'currency_mismatch', message: `${id} is in ${invoice.currency}, not ${currency}` }];
      }
      return [];
    });
    if (issues.length) throw validationError(issues);
  }
  const id = newId('pl');
  const expiresAt = new Date(Date.now() + (input.expiresInDays ?? DEFAULT_PAY_LINK_DAYS) * DAY_MS);
  const url = await issuedPayLinkUrl(deps, merchant.id, { id, customerId: customer.id, invoiceIds, expiresAt });
  const row = await deps.db
    .insertInto('pay_links')
    .values({
      id,
      merchant_id: merchant.id,
      customer_id: customer.id,
      invoice_ids: json(invoiceIds),
      expires_at: expiresAt,
    })
    .returning('created_at')
    .executeTakeFirstOrThrow();
  return {
    id,
    url,
    customerId: customer.id,
    invoiceIds,
    // Second precision: what the token says.
    expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: null,
  };
}

/** The links issued for a customer, newest first (the last 100); the URLs are not kept. */
export async function listPayLinks(db: Db, merchantId: string, customerId: string): Promise<PayLinkList> {
  const rows = await db
    .selectFrom('pay_links')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return { data: rows.map(toPayLinkRecord) };
}

/**
 * Withdraws a link: opening it shows a page that says so from then on. Revoking it again keeps
 * the first time. 404 for a link this merchant did not issue.
 */
export async function revokePayLink(db: Db, merchantId: string, id: string): Promise<PayLinkRecord> {
  await db
    .updateTable('pay_links')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .where('revoked_at', 'is', null)
    .execute();
  const row = await db
    .selectFrom('pay_links')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  if (!row) throw notFound(`No pay link ${id}`);
  return toPayLinkRecord(row);
}

function toPayLinkRecord(r: Selectable<Database['pay_links']>): PayLinkRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    invoiceIds: fromJson<string[]>(r.invoice_ids),
    expiresAt: new Date(r.expires_at).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  };
}

/** What opening a link leads to: the hosted page of a new session, or a page that says why not. */
export type OpenedLink =
  | { kind: 'session'; url: string }
  | { kind: 'nothing_left'; merchantName: string }
  | { kind: 'invalid'; merchantName: string | null }
  | { kind: 'expired'; merchantName: string | null }
  | { kind: 'revoked'; merchantName: string };

/**
 * Verifies a link and mints a session for it, preselecting the pinned invoices that are still
 * open. A link pinned to invoices that are all paid mints nothing, and so does one whose row is
 * missing (not issued here) or revoked.
 */
export async function openPayLink(deps: Deps, token: string): Promise<OpenedLink> {
  const verified = await verifyToken<PayLinkClaims>(deps.db, token, PAY_LINK_PURPOSE);
  if (!verified.ok) {
    if (verified.reason !== 'expired') return { kind: 'invalid', merchantName: null };
    // Expired means the signature held: the merchant it names is who signed it.
    return { kind: 'expired', merchantName: await merchantName(deps.db, signedMerchantId(token)) };
  }
  const { claims } = verified;
  const row = await deps.db
    .selectFrom('merchants')
    .selectAll()
    .where('id', '=', verified.merchantId)
    .executeTakeFirstOrThrow();
  const merchant = toMerchant(row);
  if (!isClaims(claims)) return { kind: 'invalid', merchantName: merchant.name };
  const issued = await deps.db
    .selectFrom('pay_links')
    .select('revoked_at')
    .where('id', '=', claims.l)
    .where('merchant_id', '=', merchant.id)
    .where('customer_id', '=', claims.c)
    .executeTakeFirst();
  if (!issued) return { kind: 'invalid', merchantName: merchant.name };
  if (issued.revoked_at !== null) return { kind: 'revoked', merchantName: merchant.name };
  let preselect: string[] = [];
  let currency: string | undefined;
  if (claims.i.length) {
    const { invoices } = await callErp(() => deps.erp.listOpenItems(claims.c));
    const open = new Map(invoices.filter((i) => i.openAmount > 0).map((i) => [i.id, i]));
    // In the order the merchant pinned them.
    preselect = claims.i.filter((id) => open.has(id));
    if (!preselect.length) return { kind: 'nothing_left', merchantName: merchant.name };
    currency = open.get(preselect[0] as string)?.currency;
  }
  const session = await createSession(deps, merchant, {
    customerId: claims.c,
    ...(preselect.length ? { invoiceIds: preselect } : {}),
    ...(currency ? { currency } : {}),
  });
  await deps.db.updateTable('sessions').set({ pay_link_id: claims.l }).where('id', '=', session.id).execute();
  return { kind: 'session', url: session.url };
}

function isClaims(claims: Record<string, unknown>): claims is PayLinkClaims {
  return (
    typeof claims.l === 'string' &&
    typeof claims.c === 'string' &&
    Array.isArray(claims.i) &&
    claims.i.every((id) => typeof id === 'string')
  );
}

/** The `m` of a token whose signature verified (only then is it worth reading). */
function signedMerchantId(token: string): string {
  const body = token.slice(0, token.indexOf('.'));
  return (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { m: string }).m;
}

async function merchantName(db: Db, merchantId: string): Promise<string | null> {
  const row = await db.selectFrom('merchants').select('name').where('id', '=', merchantId).executeTakeFirst();
  return row?.name ?? null;
}
