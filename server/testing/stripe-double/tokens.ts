import type Stripe from 'stripe';
import { TEST_BANK_ACCOUNTS, TEST_ROUTING_NUMBER } from './catalog.js';
import { invalidParam } from './errors.js';
import { findMethod } from './intents.js';
import { bankMethod, confirmationToken, type MethodRecord } from './objects.js';
import type { State } from './state.js';
import type { Params } from './validate.js';

/** `POST /v1/test_helpers/confirmation_tokens`: what Stripe.js's `createConfirmationToken` yields. */
export function createToken(state: State, params: Params): Stripe.ConfirmationToken {
  // Safe: checkObject validated these against the spec in params.ts, which is typed by this SDK type.
  const p = params as unknown as NonNullable<Parameters<Stripe['testHelpers']['confirmationTokens']['create']>[0]>;
  let method: MethodRecord;
  if (p.payment_method && p.payment_method_data) {
    throw invalidParam(
      'You may only specify one of these parameters: payment_method, payment_method_data.',
      'payment_method',
      'parameters_exclusive',
    );
  } else if (p.payment_method) {
    method = findMethod(state, p.payment_method);
  } else if (p.payment_method_data) {
    const data = p.payment_method_data;
    const billing = data.billing_details ?? {};
    const bank = data.us_bank_account ?? {};
    if (!billing.name) {
      throw invalidParam(
        'Missing required param: payment_method_data[billing_details][name].',
        'payment_method_data[billing_details][name]',
        'parameter_missing',
      );
    }
    if (bank.financial_connections_account || !bank.account_number || !bank.routing_number) {
      throw invalidParam(
        'The Stripe double needs payment_method_data[us_bank_account][routing_number] and [account_number] (Financial Connections accounts are not modelled).',
        'payment_method_data[us_bank_account][account_number]',
        'parameter_missing',
      );
    }
    if (bank.routing_number !== TEST_ROUTING_NUMBER) {
      throw invalidParam(
        `Invalid routing number: ${bank.routing_number} (test mode: use ${TEST_ROUTING_NUMBER})`,
        'payment_method_data[us_bank_account][routing_number]',
        'routing_number_invalid',
      );
    }
    if (!/^\d{4,17}$/.test(bank.account_number)) {
      throw invalidParam(
        'Invalid account number',
        'payment_method_data[us_bank_account][account_number]',
        'account_number_invalid',
      );
    }
    method = bankMethod(
      {
        routingNumber: bank.routing_number,
        accountNumber: bank.account_number,
        accountHolderType: bank.account_holder_type === 'company' ? 'company' : 'individual',
        accountType: bank.account_type === 'savings' ? 'savings' : 'checking',
        outcome: TEST_BANK_ACCOUNTS[bank.account_number] ?? { kind: 'succeeds' },
      },
      { name: billing.name, email: billing.email || undefined, phone: billing.phone || undefined },
    );
    state.methods.set(method.object.id, method);
  } else {
    throw invalidParam(
      'You must provide one of these parameters: payment_method, payment_method_data.',
      'payment_method',
      'parameter_missing',
    );
  }
  const token = confirmationToken(method, {
    ...(p.return_url ? { return_url: p.return_url } : {}),
    ...(p.setup_future_usage ? { setup_future_usage: p.setup_future_usage as 'off_session' | 'on_session' } : {}),
  });
  state.tokens.set(token.id, token);
  state.tokenMethods.set(token.id, method);
  return token;
}
