import type { ErrorCode } from './errors.js';

/** What happens when a card is confirmed. */
export type CardOutcome =
  | { kind: 'succeeds' }
  | { kind: 'declines'; code: ErrorCode; declineCode?: string; message: string }
  | { kind: 'requires_action' };

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  last4: string;
  country: string;
  outcome: CardOutcome;
}

const ok: CardOutcome = { kind: 'succeeds' };
const declined = (code: ErrorCode, message: string, declineCode?: string): CardOutcome => ({
  kind: 'declines',
  code,
  message,
  ...(declineCode ? { declineCode } : {}),
});

/** Stripe's test PaymentMethods (docs "Testing" › Cards, Declined payments, 3D Secure). */
export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', funding: 'credit', last4: '4242', country: 'US', outcome: ok },
  pm_card_visa_debit: { brand: 'visa', funding: 'debit', last4: '5556', country: 'US', outcome: ok },
  pm_card_mastercard: { brand: 'mastercard', funding: 'credit', last4: '4444', country: 'US', outcome: ok },
  pm_card_mastercard_debit: { brand: 'mastercard', funding: 'debit', last4: '8210', country: 'US', outcome: ok },
  pm_card_mastercard_prepaid: { brand: 'mastercard', funding: 'prepaid', last4: '5100', country: 'US', outcome: ok },
  pm_card_amex: { brand: 'amex', funding: 'credit', last4: '8431', country: 'US', outcome: ok },
  pm_card_chargeDeclined: {
    brand: 'visa',
    funding: 'credit',
    last4: '0002',
    country: 'US',
    outcome: declined('card_declined', 'Your card was declined.', 'generic_decline'),
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    funding: 'credit',
    last4: '9995',
    country: 'US',
    outcome: declined('card_declined', 'Your card has insufficient funds.', 'insufficient_funds'),
  },
  pm_card_chargeDeclinedFraudulent: {
    brand: 'visa',
    funding: 'credit',
    last4: '0019',
    country: 'US',
    outcome: declined('card_declined', 'Your card was declined.', 'fraudulent'),
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    funding: 'credit',
    last4: '0069',
    country: 'US',
    outcome: declined('expired_card', 'Your card has expired.', 'expired_card'),
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    brand: 'visa',
    funding: 'credit',
    last4: '0127',
    country: 'US',
    outcome: declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
  },
  pm_card_threeDSecure2Required: {
    brand: 'visa',
    funding: 'credit',
    last4: '3220',
    country: 'US',
    outcome: { kind: 'requires_action' },
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    funding: 'credit',
    last4: '3184',
    country: 'US',
    outcome: { kind: 'requires_action' },
  },
};

/** Where a processing ACH debit goes when a test calls `advance(id)` without an outcome. */
export type BankOutcome =
  | { kind: 'succeeds' }
  | { kind: 'fails'; code: ErrorCode; message: string }
  | { kind: 'disputed'; reason: 'insufficient_funds' | 'incorrect_account_details' | 'bank_cannot_process' }
  | { kind: 'stays_processing' };

export const TEST_ROUTING_NUMBER = '110000000';
export const TEST_BANK_NAME = 'STRIPE TEST BANK';

/**
 * Stripe's ACH test accounts (routing 110000000; DOMAIN.md §2.4). The failure codes for the last
 * two rows are the double's choice: Stripe's table names the outcome, not the code.
 */
export const TEST_BANK_ACCOUNTS: Record<string, BankOutcome> = {
  '000123456789': { kind: 'succeeds' },
  '000111111113': { kind: 'fails', code: 'account_closed', message: "The customer's bank account has been closed." },
  '000111111116': { kind: 'fails', code: 'no_account', message: "The customer's bank account could not be located." },
  '000222222227': {
    kind: 'fails',
    code: 'insufficient_funds',
    message: "The customer's account has insufficient funds to cover this payment.",
  },
  '000333333335': {
    kind: 'fails',
    code: 'debit_not_authorized',
    message: 'The customer has notified their bank that this payment was unauthorized.',
  },
  '000444444440': {
    kind: 'fails',
    code: 'bank_account_unusable',
    message: 'The bank account cannot be debited in this currency.',
  },
  '000555555559': { kind: 'disputed', reason: 'insufficient_funds' },
  '000000000009': { kind: 'stays_processing' },
  '000777777771': {
    kind: 'fails',
    code: 'bank_account_restricted',
    message: 'The payment exceeds the weekly limit for this account.',
  },
};
