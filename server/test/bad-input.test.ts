/**
 * Bad requests, one mistake each, over real HTTP: every one gets a 4xx (never a 500) in the one
 * Problem shape with the right code, names the field at fault, and changes no balance.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSessionResponseSchema,
  PaymentListSchema,
  PaymentMethodTokenSchema,
  ProblemSchema,
  QuoteSchema,
} from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../src/config.js';
import type { MemoryErp } from '../src/erp/memory.js';
import type { ErpCredit, ErpInvoice } from '../src/erp/port.js';
import { createDemoErp, demoErpData } from '../src/erp/seed.js';
import { STORES, startTestServer, type TestServer } from './harness.js';

const EXP_YEAR = new Date().getUTCFullYear() + 5;
const CARD_LIMIT = 2_500_000;

/** What the cases need: one cus_acme session and the items and tokens they spoil requests with. */
interface Ctx {
  server: TestServer;
  /** cus_acme's session. */
  token: string;
  /** cus_acme's session, expired. */
  expiredToken: string;
  card: string;
  wallet: string;
  bank: string;
  /** A card token made in another session of the same customer. */
  foreignCard: string;
  /** What the valid payment charges, its credit-card surcharge included, as quoted to the payer. */
  total: number;
  /** cus_acme's open invoices under the card limit, the first with room for a short payment. */
  invoice: ErpInvoice;
  second: ErpInvoice;
  /** The smallest invoice, which a credit can cover whole. */
  smallest: ErpInvoice;
  /** An invoice above the card limit. */
  large: ErpInvoice;
  /** cus_acme's largest credit memo. */
  credit: ErpCredit;
  /** A cus_acme invoice the ERP says is paid. */
  closedInvoiceId: string;
  otherInvoice: ErpInvoice;
  otherCredit: ErpCredit;
}

interface Case {
  title: string;
  send(ctx: Ctx): Promise<Response>;
  status: number;
  code: string;
  /** The field the error names, and the code, when a field is at fault. */
  field?: { path: string; code?: string };
  message?: RegExp;
}

function request(
  ctx: Ctx,
  method: 'GET' | 'POST',
  path: string,
  init: { token?: string | null; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const token = init.token === undefined ? ctx.token : init.token;
  return fetch(`${ctx.server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    body: init.body,
  });
}

const json = { 'content-type': 'application/json' };

/** POST /v1/session/payments with a fresh Idempotency-Key; `body` is sent as is when a string. */
function pay(ctx: Ctx, body: unknown, init: { token?: string | null; headers?: Record<string, string> } = {}) {
  return request(ctx, 'POST', '/v1/session/payments', {
    token: init.token,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { ...json, 'idempotency-key': randomUUID(), ...init.headers },
  });
}

function merchant(ctx: Ctx, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  return request(ctx, method, path, {
    token: ctx.server.secretKey,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : json,
  });
}

function tokenize(ctx: Ctx, input: Record<string, unknown>): Promise<Response> {
  return request(ctx, 'POST', '/v1/sandbox/tokens', { body: JSON.stringify(input), headers: json });
}

const card = (extra: Record<string, unknown> = {}) => ({
  type: 'card',
  number: '4242424242424242',
  expMonth: 12,
  expYear: EXP_YEAR,
  cvc: '123',
  ...extra,
});

/** What the payer proposes: the whole of ctx.invoice by credit card. */
const proposal = (ctx: Ctx) => ({
  method: 'card',
  allocations: [{ invoiceId: ctx.invoice.id, amount: ctx.invoice.openAmount }],
  paymentMethodToken: ctx.card,
});

/** A payment that would be accepted: the proposal, with the surcharged total the payer accepted. */
const valid = (ctx: Ctx) => ({ ...proposal(ctx), expectedTotal: ctx.total });

/** The quote endpoint, as the widget calls it before paying. */
const quote = (ctx: Ctx, body: unknown) =>
  request(ctx, 'POST', '/v1/session/quote', { body: JSON.stringify(body), headers: json });

/** A cursor as the list's nextCursor is written, around whatever `value` is. */
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The valid payment with its first allocation changed. */
const allocation = (ctx: Ctx, change: Record<string, unknown>) => ({
  ...valid(ctx),
  allocations: [{ invoiceId: ctx.invoice.id, amount: ctx.invoice.openAmount, ...change }],
});

/** The valid payment as JSON text, its amount replaced by `literal` (for numbers JSON.stringify can't write). */
const withAmountLiteral = (ctx: Ctx, literal: string) =>
  JSON.stringify(valid(ctx)).replace(`"amount":${ctx.invoice.openAmount}`, `"amount":${literal}`);

const CASES: Case[] = [
  // Who is calling
  {
    title: 'asks for a client token when none is sent',
    send: (ctx) => request(ctx, 'GET', '/v1/session', { token: null }),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: 'refuses a made-up client token',
    send: (ctx) => pay(ctx, valid(ctx), { token: `ct_test_${'x'.repeat(43)}` }),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: 'tells the payer an expired session has expired',
    send: (ctx) => pay(ctx, valid(ctx), { token: ctx.expiredToken }),
    status: 401,
    code: 'session_expired',
  },
  {
    title: 'still shows nothing of an expired session',
    send: (ctx) => request(ctx, 'GET', '/v1/session', { token: ctx.expiredToken }),
    status: 401,
    code: 'session_expired',
  },
  {
    title: 'refuses the secret key where a client token is expected',
    send: (ctx) => pay(ctx, valid(ctx), { token: ctx.server.secretKey }),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: 'refuses a client token where the secret key is expected',
    send: (ctx) => request(ctx, 'POST', '/v1/sessions', { body: '{"customerId":"cus_acme"}', headers: json }),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: "does not list the merchant's payments to a client token",
    send: (ctx) => request(ctx, 'GET', '/v1/payments'),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: 'refuses a wrong secret key',
    send: (ctx) => request(ctx, 'GET', '/v1/customers', { token: `sk_test_${'w'.repeat(32)}` }),
    status: 401,
    code: 'unauthorized',
  },
  {
    title: 'asks for the secret key when none is sent',
    send: (ctx) =>
      request(ctx, 'POST', '/v1/sessions', { token: null, body: '{"customerId":"cus_acme"}', headers: json }),
    status: 401,
    code: 'unauthorized',
  },

  // How the request is sent
  {
    title: 'asks for an Idempotency-Key when a payment comes without one',
    send: (ctx) => request(ctx, 'POST', '/v1/session/payments', { body: JSON.stringify(valid(ctx)), headers: json }),
    status: 400,
    code: 'idempotency_key_required',
    field: { path: 'Idempotency-Key' },
  },
  {
    title: 'refuses malformed JSON',
    send: (ctx) => pay(ctx, '{"method":"card","allocations":['),
    status: 400,
    code: 'invalid_json',
  },
  {
    title: 'refuses an empty JSON body',
    send: (ctx) => pay(ctx, ''),
    status: 400,
    code: 'invalid_json',
  },
  {
    title: 'refuses a request with no body at all',
    send: (ctx) => request(ctx, 'POST', '/v1/session/payments', { headers: { 'idempotency-key': randomUUID() } }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    title: 'refuses a body that is JSON null',
    send: (ctx) => pay(ctx, 'null'),
    status: 422,
    code: 'validation_failed',
    field: { path: '', code: 'invalid_type' },
  },
  {
    title: 'refuses a body sent as text/plain',
    send: (ctx) => pay(ctx, valid(ctx), { headers: { 'content-type': 'text/plain' } }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    title: 'refuses a body over 2 MB before reading it',
    send: (ctx) =>
      pay(ctx, {
        ...valid(ctx),
        allocations: [
          ...valid(ctx).allocations,
          ...Array.from({ length: 60_000 }, (_, i) => ({ invoiceId: `inv_padding_${i}`, amount: 1 })),
        ],
      }),
    status: 413,
    code: 'payload_too_large',
  },

  // Types and shapes
  {
    title: 'refuses an amount sent as a string',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: '4825.50' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'invalid_type' },
  },
  {
    title: 'refuses an amount sent as an object',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: { value: 482550, currency: 'USD' } })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'invalid_type' },
  },
  {
    title: 'refuses a negative amount',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: -100 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'too_small' },
  },
  {
    title: 'refuses a zero amount',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: 0 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'too_small' },
  },
  {
    title: 'refuses a fractional amount of minor units',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: 12.5 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount' },
  },
  {
    title: 'refuses an amount beyond Number.MAX_SAFE_INTEGER',
    send: (ctx) => pay(ctx, withAmountLiteral(ctx, '9007199254740993')),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'too_big' },
  },
  {
    // JSON has no Infinity, but JSON.parse reads 1e400 as one.
    title: 'refuses an amount that parses to Infinity',
    send: (ctx) => pay(ctx, withAmountLiteral(ctx, '1e400')),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount' },
  },
  {
    title: 'refuses an unknown payment method',
    send: (ctx) => pay(ctx, { ...valid(ctx), method: 'bitcoin' }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'method' },
  },
  {
    title: 'refuses a payment that allocates nothing',
    send: (ctx) => pay(ctx, { ...valid(ctx), allocations: [] }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations', code: 'too_small' },
  },
  {
    title: 'refuses a payment without a payment method token',
    send: (ctx) => pay(ctx, { ...valid(ctx), paymentMethodToken: undefined }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'paymentMethodToken' },
  },
  {
    title: 'refuses an unknown key in the body',
    send: (ctx) => pay(ctx, { ...valid(ctx), discount: 5000 }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'discount', code: 'unrecognized_keys' },
  },
  {
    title: 'refuses an unknown key in an allocation',
    send: (ctx) => pay(ctx, allocation(ctx, { currency: 'USD' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.currency', code: 'unrecognized_keys' },
  },
  {
    title: 'refuses an invoice id that is not an id',
    send: (ctx) => pay(ctx, allocation(ctx, { invoiceId: 'inv 1; drop table' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.invoiceId' },
  },

  // What the payment says
  {
    title: 'refuses an invoice the ERP does not have',
    send: (ctx) => pay(ctx, allocation(ctx, { invoiceId: 'inv_99999' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.invoiceId', code: 'invoice_not_found' },
  },
  {
    title: "refuses another customer's invoice",
    send: (ctx) => pay(ctx, allocation(ctx, { invoiceId: ctx.otherInvoice.id, amount: ctx.otherInvoice.openAmount })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.invoiceId', code: 'invoice_not_found' },
  },
  {
    title: 'refuses an invoice the ERP says is paid',
    send: (ctx) => pay(ctx, allocation(ctx, { invoiceId: ctx.closedInvoiceId, amount: 100 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.invoiceId', code: 'invoice_not_found' },
  },
  {
    title: 'refuses an amount above the invoice balance',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: ctx.invoice.openAmount + 1 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.amount', code: 'amount_exceeds_balance' },
  },
  {
    title: 'asks for a reason code when an invoice is short-paid',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: ctx.invoice.openAmount - 1000 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.reasonCode', code: 'reason_code_required' },
  },
  {
    title: "refuses a reason code that is not one of the merchant's",
    send: (ctx) => pay(ctx, allocation(ctx, { amount: ctx.invoice.openAmount - 1000, reasonCode: 'bad_weather' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.reasonCode', code: 'reason_code_unknown' },
  },
  {
    title: 'asks for a note when the reason is "other"',
    send: (ctx) => pay(ctx, allocation(ctx, { amount: ctx.invoice.openAmount - 1000, reasonCode: 'other' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.note', code: 'note_required' },
  },
  {
    title: 'does not take blank space for the note "other" needs',
    send: (ctx) =>
      pay(ctx, allocation(ctx, { amount: ctx.invoice.openAmount - 1000, reasonCode: 'other', note: '   ' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.note', code: 'note_required' },
  },
  {
    title: 'refuses a note with a NUL character in it',
    send: (ctx) =>
      pay(
        ctx,
        allocation(ctx, { amount: ctx.invoice.openAmount - 1000, reasonCode: 'damaged_goods', note: 'a\u0000b' }),
      ),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.note' },
  },
  {
    title: 'refuses a note with a lone UTF-16 surrogate in it',
    send: (ctx) =>
      pay(
        ctx,
        allocation(ctx, { amount: ctx.invoice.openAmount - 1000, reasonCode: 'damaged_goods', note: 'a\ud800b' }),
      ),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.note' },
  },
  {
    title: 'refuses to quote a note with control characters in it',
    send: (ctx) =>
      quote(ctx, {
        ...proposal(ctx),
        allocations: [
          { invoiceId: ctx.invoice.id, amount: ctx.invoice.openAmount - 1000, reasonCode: 'other', note: 'a\u001bb' },
        ],
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.0.note' },
  },
  {
    title: 'refuses the same invoice listed twice',
    send: (ctx) =>
      pay(ctx, {
        ...valid(ctx),
        allocations: [
          { invoiceId: ctx.invoice.id, amount: 1000, reasonCode: 'partial_payment' },
          { invoiceId: ctx.invoice.id, amount: 1000, reasonCode: 'partial_payment' },
        ],
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations.1.invoiceId', code: 'invoice_duplicate' },
  },
  {
    title: 'refuses a credit applied above what is left of it',
    send: (ctx) =>
      pay(ctx, {
        ...valid(ctx),
        credits: [{ creditId: ctx.credit.id, amount: ctx.credit.openAmount + 1 }],
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'credits.0.amount', code: 'credit_exceeds_balance' },
  },
  {
    title: "refuses another customer's credit memo",
    send: (ctx) => pay(ctx, { ...valid(ctx), credits: [{ creditId: ctx.otherCredit.id, amount: 100 }] }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'credits.0.creditId', code: 'credit_not_found' },
  },
  {
    title: 'refuses a credit pinned to an invoice this payment does not pay',
    send: (ctx) =>
      pay(ctx, { ...valid(ctx), credits: [{ creditId: ctx.credit.id, amount: 100, invoiceId: ctx.second.id }] }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'credits.0.invoiceId', code: 'credit_invoice_not_selected' },
  },
  {
    title: 'refuses a payment whose credits leave nothing to charge',
    send: (ctx) =>
      pay(ctx, {
        ...valid(ctx),
        allocations: [{ invoiceId: ctx.smallest.id, amount: ctx.smallest.openAmount }],
        credits: [{ creditId: ctx.credit.id, amount: ctx.smallest.openAmount }],
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'allocations', code: 'nothing_to_charge' },
  },
  {
    title: 'refuses money on account when the merchant does not take overpayments',
    send: (ctx) => pay(ctx, { ...valid(ctx), onAccountAmount: 500 }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'onAccountAmount', code: 'overpayment_not_allowed' },
  },

  // The payment method
  {
    title: 'refuses a payment method token made in another session',
    send: (ctx) => pay(ctx, { ...valid(ctx), paymentMethodToken: ctx.foreignCard }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'paymentMethodToken', code: 'token_not_found' },
  },
  {
    title: 'refuses a made-up payment method token',
    send: (ctx) => pay(ctx, { ...valid(ctx), paymentMethodToken: 'tok_sbx_made_up' }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'paymentMethodToken', code: 'token_not_found' },
  },
  {
    title: 'refuses a bank account token for a card payment',
    send: (ctx) => pay(ctx, { ...valid(ctx), paymentMethodToken: ctx.bank }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'paymentMethodToken', code: 'token_method_mismatch' },
  },
  {
    title: 'refuses a method the merchant does not accept',
    send: (ctx) => pay(ctx, { ...valid(ctx), method: 'wallet', paymentMethodToken: ctx.wallet }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'method', code: 'method_not_allowed' },
  },
  {
    title: 'refuses a card payment above the card limit',
    send: (ctx) =>
      pay(ctx, { ...valid(ctx), allocations: [{ invoiceId: ctx.large.id, amount: ctx.large.openAmount }] }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'method', code: 'method_limit_exceeded' },
  },
  {
    title: 'refuses a bank debit below the ACH minimum',
    send: (ctx) =>
      pay(ctx, {
        method: 'ach_debit',
        allocations: [{ invoiceId: ctx.invoice.id, amount: 50, reasonCode: 'partial_payment' }],
        paymentMethodToken: ctx.bank,
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'method', code: 'method_below_minimum' },
  },
  {
    title: 'refuses to charge a total other than the one the payer saw',
    send: (ctx) => pay(ctx, { ...valid(ctx), expectedTotal: ctx.invoice.openAmount }),
    status: 409,
    code: 'total_changed',
    field: { path: 'expectedTotal', code: 'total_changed' },
    message: /^The total is now \$[\d,]+\.\d\d \(you saw \$[\d,]+\.\d\d\)/,
  },
  {
    title: 'refuses a credit card surcharge the payer was not shown (no expectedTotal)',
    send: (ctx) => pay(ctx, proposal(ctx)),
    status: 422,
    code: 'validation_failed',
    field: { path: 'expectedTotal', code: 'surcharge_not_confirmed' },
    message: /card surcharge of \$[\d,]+\.\d\d applies/,
  },
  {
    title: 'refuses a session in a currency the customer has nothing open in',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_acme', currency: 'JPY' }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'currency', code: 'currency_not_open' },
  },

  // The sandbox's card and bank fields
  {
    title: 'names the card number when it fails the Luhn check',
    send: (ctx) => tokenize(ctx, card({ number: '4242424242424241' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'number', code: 'invalid_number' },
  },
  {
    title: 'names the card number when it has letters in it',
    send: (ctx) => tokenize(ctx, card({ number: '4242 4242 4242 ABCD' })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'number' },
  },
  {
    title: 'refuses an expired card',
    send: (ctx) => tokenize(ctx, card({ expMonth: 1, expYear: 2020 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'expYear', code: 'invalid_expiry' },
  },
  {
    title: 'refuses a month that does not exist',
    send: (ctx) => tokenize(ctx, card({ expMonth: 13 })),
    status: 422,
    code: 'validation_failed',
    field: { path: 'expMonth', code: 'too_big' },
  },
  {
    title: 'names the routing number when it is not the test one',
    send: (ctx) =>
      tokenize(ctx, {
        type: 'us_bank_account',
        routingNumber: '123456789',
        accountNumber: '000123456789',
        accountHolderName: 'Acme AP',
        accountHolderType: 'company',
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'routingNumber', code: 'invalid_routing_number' },
  },

  // The merchant API
  {
    title: 'refuses a session for a customer the ERP does not have',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_nobody' }),
    status: 404,
    code: 'customer_not_found',
    field: { path: 'customerId', code: 'customer_not_found' },
  },
  {
    title: 'refuses a session without a customer',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', {}),
    status: 422,
    code: 'validation_failed',
    field: { path: 'customerId' },
  },
  {
    title: 'refuses a session shorter than a minute',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_acme', expiresInSeconds: 59 }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'expiresInSeconds', code: 'too_small' },
  },
  {
    title: 'refuses a session longer than a day',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_acme', expiresInSeconds: 86_401 }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'expiresInSeconds', code: 'too_big' },
  },
  {
    title: 'refuses a currency code in lower case',
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_acme', currency: 'usd' }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'currency' },
  },
  {
    title: 'refuses to preselect an invoice that is not open',
    send: (ctx) =>
      merchant(ctx, 'POST', '/v1/sessions', {
        customerId: 'cus_acme',
        invoiceIds: [ctx.invoice.id, ctx.closedInvoiceId],
      }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'invoiceIds.1', code: 'invoice_not_found' },
  },
  {
    title: "refuses to preselect another customer's invoice",
    send: (ctx) => merchant(ctx, 'POST', '/v1/sessions', { customerId: 'cus_acme', invoiceIds: [ctx.otherInvoice.id] }),
    status: 422,
    code: 'validation_failed',
    field: { path: 'invoiceIds.0', code: 'invoice_not_found' },
  },
  {
    title: 'refuses a page size of 0',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?limit=0'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'limit', code: 'too_small' },
  },
  {
    title: 'refuses a page size that is not a number',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?limit=abc'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'limit' },
  },
  {
    title: 'refuses a page size above 100',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?limit=101'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'limit', code: 'too_big' },
  },
  {
    title: 'refuses a cursor it did not hand out',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?cursor=bm90LWEtY3Vyc29y'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'cursor', code: 'invalid_cursor' },
  },
  {
    // Date.parse takes it; PostgreSQL does not.
    title: 'refuses a cursor at a date PostgreSQL cannot store',
    send: (ctx) => merchant(ctx, 'GET', `/v1/payments?cursor=${cursor(['-271821-04-20T00:00:00.000Z', 'x'])}`),
    status: 422,
    code: 'validation_failed',
    field: { path: 'cursor', code: 'invalid_cursor' },
  },
  {
    title: 'refuses a cursor whose payment id is not an id',
    send: (ctx) => merchant(ctx, 'GET', `/v1/payments?cursor=${cursor(['2026-01-10T12:00:00.000Z', 'pay 1; --'])}`),
    status: 422,
    code: 'validation_failed',
    field: { path: 'cursor', code: 'invalid_cursor' },
  },
  {
    title: 'refuses a payment status that does not exist',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?status=paid'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'status' },
  },
  {
    title: 'refuses an unknown query parameter',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments?customer=cus_acme'),
    status: 422,
    code: 'validation_failed',
    field: { path: 'customer', code: 'unrecognized_keys' },
  },
  {
    title: 'answers 404 for a payment that does not exist',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments/pay_nope'),
    status: 404,
    code: 'not_found',
  },
  {
    title: 'answers 404 for a payment id with a NUL character in it',
    send: (ctx) => merchant(ctx, 'GET', '/v1/payments/%00'),
    status: 404,
    code: 'not_found',
  },
  {
    title: 'answers 404 for open items of a customer id with a NUL character in it',
    send: (ctx) => merchant(ctx, 'GET', '/v1/customers/%00/open-items'),
    status: 404,
    code: 'not_found',
  },
  {
    title: "answers 404 for an unknown customer's open items",
    send: (ctx) => merchant(ctx, 'GET', '/v1/customers/cus_nobody/open-items'),
    status: 404,
    code: 'customer_not_found',
  },
  {
    title: 'answers 404 in the Problem shape for an unknown merchant route',
    send: (ctx) => merchant(ctx, 'GET', '/v1/invoices'),
    status: 404,
    code: 'not_found',
  },
  {
    title: 'answers 404, not a request for the secret key, for an unknown browser route',
    send: (ctx) => request(ctx, 'GET', '/v1/session/invoices'),
    status: 404,
    code: 'not_found',
  },
  {
    title: "answers 404 for a payment that is not this session's",
    send: (ctx) => request(ctx, 'GET', '/v1/session/payments/pay_nope'),
    status: 404,
    code: 'not_found',
  },
  {
    title: 'answers 404 when watching a payment that does not exist',
    send: (ctx) => request(ctx, 'GET', '/v1/session/payments/pay_nope/events'),
    status: 404,
    code: 'not_found',
  },
  {
    title: "answers 404 for a session's payment id with a NUL character in it",
    send: (ctx) => request(ctx, 'GET', '/v1/session/payments/%00'),
    status: 404,
    code: 'not_found',
  },
  {
    title: 'answers 404 when watching a payment id that is not an id',
    send: (ctx) => request(ctx, 'GET', '/v1/session/payments/%00/events'),
    status: 404,
    code: 'not_found',
  },
];

describe.each(STORES)('bad requests on %s', (store) => {
  let server: TestServer;
  let erp: MemoryErp;
  const ctx = {} as Ctx;

  beforeAll(async () => {
    erp = createDemoErp();
    // Wallets are turned off, so "a method the merchant does not accept" has one to refuse.
    server = await startTestServer({
      store,
      erp,
      config: { rules: { ...DEFAULT_RULES, allowedMethods: ['card', 'ach_debit'] } },
    });
    const mint = async (extra: Record<string, unknown> = {}) => {
      const res = await fetch(`${server.url}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.secretKey}`, ...json },
        body: JSON.stringify({ customerId: 'cus_acme', ...extra }),
      });
      expect(res.status).toBe(201);
      return CreateSessionResponseSchema.parse(await res.json());
    };
    const acme = await erp.listOpenItems('cus_acme');
    const byAmount = [...acme.invoices].sort((a, b) => a.openAmount - b.openAmount);
    const underLimit = byAmount.filter((i) => i.openAmount <= CARD_LIMIT / 2 && i.openAmount > 10_000);
    const large = byAmount.at(-1);
    const credit = [...acme.credits].sort((a, b) => b.openAmount - a.openAmount)[0];
    const smallest = byAmount[0];
    const others = await erp.listOpenItems('cus_pinnacle');
    const closed = demoErpData().invoices.find((i) => i.customerId === 'cus_acme' && i.openAmount === 0);
    if (!underLimit[1] || !large || large.openAmount <= CARD_LIMIT || !credit || !smallest || !closed)
      throw new Error('The demo ledger no longer has the items these cases need');
    if (credit.openAmount < smallest.openAmount) throw new Error('No credit covers the smallest invoice');
    if (!others.invoices[0] || !others.credits[0]) throw new Error('cus_pinnacle needs an invoice and a credit');

    Object.assign(ctx, {
      server,
      invoice: underLimit[0],
      second: underLimit[1],
      smallest,
      large,
      credit,
      closedInvoiceId: closed.id,
      otherInvoice: others.invoices[0],
      otherCredit: others.credits[0],
    });
    ctx.token = (await mint()).clientToken;
    const token = async (input: Record<string, unknown>, client = ctx.token) => {
      const res = await tokenize({ ...ctx, token: client }, input);
      expect(res.status).toBe(201);
      return PaymentMethodTokenSchema.parse(await res.json()).id;
    };
    ctx.card = await token(card());
    ctx.wallet = await token(card({ wallet: 'apple_pay' }));
    ctx.bank = await token({
      type: 'us_bank_account',
      routingNumber: '110000000',
      accountNumber: '000123456789',
      accountHolderName: 'Acme AP',
      accountHolderType: 'company',
    });
    ctx.foreignCard = await token(card(), (await mint()).clientToken);
    const quoted = await quote(ctx, proposal(ctx));
    expect(quoted.status).toBe(200);
    const { total, surcharge } = QuoteSchema.parse(await quoted.json());
    expect(surcharge.amount).toBeGreaterThan(0);
    ctx.total = total;
    const expired = await mint({ expiresInSeconds: 60 });
    await server.settle.deps.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expired.id)
      .execute();
    ctx.expiredToken = expired.clientToken;
  });
  afterAll(() => server?.close());

  /** What a bad request must not change: cus_acme's balances and reservations, and the payments on record. */
  async function snapshot() {
    const headers = { authorization: `Bearer ${server.secretKey}` };
    const items = await (await fetch(`${server.url}/v1/customers/cus_acme/open-items`, { headers })).json();
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await fetch(`${server.url}/v1/payments?limit=100${query}`, { headers });
      const page = PaymentListSchema.parse(await res.json());
      ids.push(...page.data.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    return { items, payments: ids };
  }

  it('takes the request the cases spoil when nothing is wrong with it', async () => {
    const res = await quote(ctx, proposal(ctx));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(QuoteSchema.parse(await res.json()).total).toBe(valid(ctx).expectedTotal);
  });

  it.each(CASES)('$title', async ({ send, status, code, field, message }) => {
    const before = await snapshot();
    const res = await send(ctx);
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const problem = ProblemSchema.parse(JSON.parse(text));
    expect(problem.code).toBe(code);
    expect(problem.message).toMatch(message ?? /\w/);
    if (field) {
      expect(problem.details, text).toEqual(
        expect.arrayContaining([expect.objectContaining(field.code ? field : { path: field.path })]),
      );
    }
    expect(await snapshot()).toEqual(before);
  });
});
