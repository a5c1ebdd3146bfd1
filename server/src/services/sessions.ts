import type { CreateSessionRequest, CreateSessionResponse, CreditMemo, Invoice, SessionView } from '@settle/schema';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { statementLinks } from '../documents/links.js';
import type { ErpCustomer, ErpOpenItems } from '../erp/port.js';
import { ApiError, validationError } from '../errors.js';
import { hashSecret, newId, newSecret } from '../keys.js';
import type { Executor } from '../store/db.js';
import { fromJson, json } from '../store/db.js';
import { callErp } from './erp-calls.js';
import type { Merchant } from './merchants.js';
import { toMerchant } from './merchants.js';

export interface SessionContext {
  id: string;
  merchant: Merchant;
  customerId: string;
  currency: string;
  expiresAt: Date;
  /** The customer as the ERP described it at mint time. */
  customer: ErpCustomer;
  preselectedInvoiceIds: string[];
}

/** What the ERP said when the session was minted; a fallback view if it is down later. */
interface SessionSnapshot {
  customer: ErpCustomer;
  items: ErpOpenItems;
}

const DEFAULT_TTL_SECONDS = 3600;

export async function createSession(
  deps: Deps,
  merchant: Merchant,
  input: CreateSessionRequest,
): Promise<CreateSessionResponse> {
  const customer = await callErp(() => deps.erp.getCustomer(input.customerId));
  if (!customer) {
    throw new ApiError(404, 'customer_not_found', `The ERP has no customer ${input.customerId}`, [
      { path: 'customerId', code: 'customer_not_found', message: `No customer ${input.customerId}` },
    ]);
  }
  const items = await callErp(() => deps.erp.listOpenItems(customer.id));
  const currency = input.currency ?? customer.currency;
  const inCurrency = [...items.invoices, ...items.credits].filter((i) => i.currency === currency);
  if (currency !== customer.currency && inCurrency.length === 0) {
    throw validationError([
      { path: 'currency', code: 'currency_not_open', message: `${customer.name} has nothing open in ${currency}` },
    ]);
  }
  const open = new Set(items.invoices.filter((i) => i.currency === currency).map((i) => i.id));
  const unknown = (input.invoiceIds ?? []).flatMap((id, i) =>
    open.has(id)
      ? []
      : [
          {
            path: `invoiceIds.${i}`,
            code: 'invoice_not_found',
            message: `No open ${currency} invoice ${id} for this customer`,
          },
        ],
  );
  if (unknown.length) throw validationError(unknown);

  const id = newId('ses');
  const clientToken = newSecret('ct', merchant.mode);
  const expiresAt = new Date(Date.now() + (input.expiresInSeconds ?? DEFAULT_TTL_SECONDS) * 1000);
  await deps.db
    .insertInto('sessions')
    .values({
      id,
      merchant_id: merchant.id,
      customer_id: customer.id,
      currency,
      token_hash: hashSecret(clientToken),
      snapshot: json({ customer, items } satisfies SessionSnapshot),
      preselected: json(input.invoiceIds ?? []),
      expires_at: expiresAt,
    })
    .execute();
  // The token travels in the URL fragment, which browsers never send to a server.
  const url = `${deps.config.publicUrl}/pay#token=${encodeURIComponent(clientToken)}`;
  return { id, clientToken, expiresAt: expiresAt.toISOString(), url };
}

/** Resolves a client token; an unknown token is 401, an expired one 401 session_expired. */
export async function sessionByToken(deps: Deps, token: string): Promise<SessionContext | null> {
  const row = await deps.db
    .selectFrom('sessions')
    .innerJoin('merchants', 'merchants.id', 'sessions.merchant_id')
    .select([
      'sessions.id',
      'sessions.customer_id',
      'sessions.currency',
      'sessions.expires_at',
      // Only the customer: the open items in the snapshot can be megabytes, read only as a fallback.
      sql<unknown>`sessions.snapshot -> 'customer'`.as('customer'),
      'sessions.preselected',
      'merchants.id as merchant_id',
      'merchants.name',
      'merchants.mode',
      'merchants.rules',
      'merchants.return_url',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    merchant: toMerchant({
      id: row.merchant_id,
      name: row.name,
      mode: row.mode,
      rules: row.rules,
      return_url: row.return_url,
    }),
    customerId: row.customer_id,
    currency: row.currency,
    expiresAt: new Date(row.expires_at),
    customer: fromJson<ErpCustomer>(row.customer),
    preselectedInvoiceIds: fromJson<string[]>(row.preselected),
  };
}

/** Amounts reserved per item by this customer's in-flight payments (and succeeded ones not yet in the ERP). */
export async function reservations(ex: Executor, merchantId: string, customerId: string) {
  const rows = await ex
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select(['a.kind', 'a.item_id'])
    .select((eb) => eb.fn.sum<number>('a.amount').as('amount'))
    .where('p.merchant_id', '=', merchantId)
    .where('p.customer_id', '=', customerId)
    .where((eb) =>
      eb.or([
        eb('p.status', 'in', ['requires_confirmation', 'requires_action', 'processing']),
        eb.and([eb('p.status', '=', 'succeeded'), eb('p.erp_status', 'in', ['pending', 'parked'])]),
      ]),
    )
    .groupBy(['a.kind', 'a.item_id'])
    .execute();
  const invoices = new Map<string, number>();
  const credits = new Map<string, number>();
  for (const r of rows) (r.kind === 'invoice' ? invoices : credits).set(r.item_id, Number(r.amount));
  return { invoices, credits };
}

/** The ERP's open items in one currency, with what in-flight payments reserve on each. */
export async function openItemsView(
  ex: Executor,
  merchantId: string,
  customerId: string,
  currency: string | null,
  items: ErpOpenItems,
): Promise<{ invoices: Invoice[]; credits: CreditMemo[] }> {
  const reserved = await reservations(ex, merchantId, customerId);
  const inCurrency = <T extends { currency: string }>(x: T) => currency === null || x.currency === currency;
  return {
    invoices: items.invoices.filter(inCurrency).map((i) => ({
      id: i.id,
      number: i.number,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      currency: i.currency,
      amount: i.amount,
      openAmount: i.openAmount,
      pendingAmount: Math.min(i.openAmount, reserved.invoices.get(i.id) ?? 0),
      documentUrl: i.documentUrl,
      poNumber: i.poNumber,
    })),
    credits: items.credits.filter(inCurrency).map((c) => ({
      id: c.id,
      number: c.number,
      issueDate: c.issueDate,
      currency: c.currency,
      amount: c.amount,
      openAmount: c.openAmount,
      pendingAmount: Math.min(c.openAmount, reserved.credits.get(c.id) ?? 0),
      memo: c.memo,
    })),
  };
}

/** Open items for a session: live from the ERP, or the session's snapshot while the ERP is down. */
export async function currentItems(deps: Deps, session: SessionContext): Promise<ErpOpenItems> {
  try {
    return await deps.erp.listOpenItems(session.customerId);
  } catch (err) {
    deps.log.warn(`ERP unavailable, serving session ${session.id} from its snapshot: ${String(err)}`);
    const row = await deps.db
      .selectFrom('sessions')
      .select(sql<unknown>`snapshot -> 'items'`.as('items'))
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    return fromJson<ErpOpenItems>(row.items);
  }
}

export async function sessionView(deps: Deps, session: SessionContext): Promise<SessionView> {
  const items = await currentItems(deps, session);
  const { invoices, credits } = await openItemsView(
    deps.db,
    session.merchant.id,
    session.customerId,
    session.currency,
    items,
  );
  const open = new Set(invoices.map((i) => i.id));
  const { customer } = session;
  return {
    id: session.id,
    mode: session.merchant.mode,
    expiresAt: session.expiresAt.toISOString(),
    merchant: { name: session.merchant.name, returnUrl: session.merchant.returnUrl },
    customer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      currency: customer.currency,
      region: customer.region,
    },
    currency: session.currency,
    invoices,
    credits,
    preselectedInvoiceIds: session.preselectedInvoiceIds.filter((id) => open.has(id)),
    rules: session.merchant.rules,
    processor: { name: deps.processor.name, publishableKey: deps.processor.publishableKey },
    documents: await statementLinks(deps, session),
  };
}

export function requireFresh(session: SessionContext): SessionContext {
  if (session.expiresAt.getTime() <= Date.now()) {
    throw new ApiError(
      401,
      'session_expired',
      'This payment session has expired. Ask the merchant for a new payment link.',
    );
  }
  return session;
}
