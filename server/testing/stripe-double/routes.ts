import type Stripe from 'stripe';
import { confirm, confirmById } from './confirm.js';
import { invalidParam, resourceMissing } from './errors.js';
import { cancelIntent, createIntent, findIntent, updateIntent } from './intents.js';
import * as specs from './params.js';
import { refund } from './refunds.js';
import type { ObjectSpec } from './schema.js';
import { array, integer, object, required, string, unmodelled } from './schema.js';
import type { State } from './state.js';
import { createToken } from './tokens.js';
import type { Params } from './validate.js';
import type { RequestContext } from './webhooks.js';

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  spec: ObjectSpec;
  run(state: State, params: Params, id: string, context: RequestContext): object;
}

const searchIntents = object<Stripe.PaymentIntentSearchParams>({
  query: required(string()),
  expand: array(string()),
  limit: integer(),
  page: unmodelled,
});

/**
 * Stripe's search query language, for the one form the processor uses: `metadata['key']:'value'`
 * clauses joined by AND. Anything else is refused, as Stripe refuses a query it cannot parse.
 */
function searchIntentsBy(state: State, params: Params): Stripe.ApiSearchResult<Stripe.PaymentIntent> {
  const query = String(params.query);
  const clauses = query.split(/\s+AND\s+/);
  const wanted = clauses.map((clause) => {
    const m = /^metadata\[['"]([^'"]+)['"]\]:['"]([^'"]*)['"]$/.exec(clause.trim());
    if (!m) throw invalidParam(`The double only models metadata['key']:'value' queries, not: ${clause}`, 'query');
    return [m[1] as string, m[2] as string] as const;
  });
  const limit = (params.limit as number | undefined) ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam('limit must be between 1 and 100.', 'limit');
  const data = [...state.intents.values()]
    .filter((intent) => wanted.every(([k, v]) => intent.metadata?.[k] === v))
    .sort((a, b) => b.created - a.created);
  return {
    object: 'search_result',
    url: '/v1/payment_intents/search',
    has_more: data.length > limit,
    next_page: null,
    data: data.slice(0, limit).map((intent) => render(state, intent, params) as Stripe.PaymentIntent),
  };
}

const retrieveCharge = object<Stripe.ChargeRetrieveParams>({ expand: array(string()) });
const retrieveMethod = object<Stripe.PaymentMethodRetrieveParams>({ expand: array(string()) });

/** Applies `expand[]` for the few expandable fields the double models; others are refused as at Stripe. */
function render(state: State, value: object, params: Params): object {
  const expand = (params.expand as string[] | undefined) ?? [];
  const out: Record<string, unknown> = structuredClone(value) as Record<string, unknown>;
  expand.forEach((path, index) => {
    const current = out[path];
    if (path === 'latest_charge' && typeof current === 'string') out[path] = state.charges.get(current) ?? current;
    else if (path === 'payment_method' && typeof current === 'string')
      out[path] = state.methods.get(current)?.object ?? current;
    else if (path === 'payment_intent' && typeof current === 'string')
      out[path] = state.intents.get(current) ?? current;
    else if (!(path in out) || (current !== null && typeof current !== 'string')) {
      throw invalidParam(`This property cannot be expanded (${path}).`, `expand[${index}]`);
    }
  });
  return out;
}

export const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/test_helpers\/confirmation_tokens$/,
    spec: specs.confirmationTokenCreate,
    run: (state, params) => render(state, createToken(state, params), params),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/confirmation_tokens\/([^/]+)$/,
    spec: specs.confirmationTokenRetrieve,
    run: (state, params, id) => {
      const token = state.tokens.get(id);
      if (!token) throw resourceMissing('confirmationtoken', id, 'confirmation_token');
      return render(state, token, params);
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents$/,
    spec: specs.paymentIntentCreate,
    run: (state, params, _id, context) => {
      const intent = createIntent(state, params, context);
      if (params.confirm === true) confirm(state, intent, params, context);
      else if (params.confirmation_token) {
        throw invalidParam('confirmation_token can only be used with confirm=true.', 'confirmation_token');
      }
      return render(state, intent, params);
    },
  },
  {
    // Before the retrieve below, which would take `search` for an id.
    method: 'GET',
    pattern: /^\/v1\/payment_intents\/search$/,
    spec: searchIntents,
    run: (state, params) => searchIntentsBy(state, params),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_intents\/([^/]+)$/,
    spec: specs.paymentIntentRetrieve,
    run: (state, params, id) => {
      const intent = findIntent(state, id);
      if (params.client_secret !== undefined && params.client_secret !== intent.client_secret) {
        throw invalidParam(
          'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
          'client_secret',
        );
      }
      return render(state, intent, params);
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents\/([^/]+)$/,
    spec: specs.paymentIntentUpdate,
    run: (state, params, id) => render(state, updateIntent(state, id, params), params),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
    spec: specs.paymentIntentConfirm,
    run: (state, params, id, context) => render(state, confirmById(state, id, params, context), params),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
    spec: specs.paymentIntentCancel,
    run: (state, params, id, context) => render(state, cancelIntent(state, id, params, context), params),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/refunds$/,
    spec: specs.refundCreate,
    run: (state, params, _id, context) => render(state, refund(state, params, context), params),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/charges\/([^/]+)$/,
    spec: retrieveCharge,
    run: (state, params, id) => {
      const charge = state.charges.get(id);
      if (!charge) throw resourceMissing('charge', id, 'id');
      return render(state, charge, params);
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_methods\/([^/]+)$/,
    spec: retrieveMethod,
    run: (state, params, id) => {
      const method = state.methods.get(id);
      if (!method) throw resourceMissing('PaymentMethod', id, 'payment_method');
      return render(state, method.object, params);
    },
  },
];
