import type { CardFunding, PaymentFailure } from '@settle/schema';

/**
 * The sandbox's test numbers: Stripe's own test cards and test bank accounts
 * (docs.stripe.com/testing, DOMAIN.md §2.4), so code written against the sandbox meets the
 * same numbers in Stripe's test mode.
 */
export type Scenario =
  | 'succeed'
  | 'decline_generic'
  | 'decline_insufficient_funds'
  | 'decline_lost_card'
  | 'decline_expired_card'
  | 'decline_incorrect_cvc'
  | 'decline_live_card'
  | 'ach_succeed'
  | 'ach_fail_closed'
  | 'ach_fail_no_account'
  | 'ach_fail_insufficient_funds'
  | 'ach_fail_unauthorized'
  | 'ach_return_after_success'
  | 'ach_stay_processing';

export const TEST_CARDS: Record<string, { brand: string; funding: CardFunding; scenario: Scenario }> = {
  '4242424242424242': { brand: 'visa', funding: 'credit', scenario: 'succeed' },
  '4000056655665556': { brand: 'visa', funding: 'debit', scenario: 'succeed' },
  '5555555555554444': { brand: 'mastercard', funding: 'credit', scenario: 'succeed' },
  '5200828282828210': { brand: 'mastercard', funding: 'debit', scenario: 'succeed' },
  '5105105105105100': { brand: 'mastercard', funding: 'prepaid', scenario: 'succeed' },
  '378282246310005': { brand: 'amex', funding: 'credit', scenario: 'succeed' },
  '6011111111111117': { brand: 'discover', funding: 'credit', scenario: 'succeed' },
  '4000000000000002': { brand: 'visa', funding: 'credit', scenario: 'decline_generic' },
  '4000000000009995': { brand: 'visa', funding: 'credit', scenario: 'decline_insufficient_funds' },
  '4000000000009987': { brand: 'visa', funding: 'credit', scenario: 'decline_lost_card' },
  '4000000000000069': { brand: 'visa', funding: 'credit', scenario: 'decline_expired_card' },
  '4000000000000127': { brand: 'visa', funding: 'credit', scenario: 'decline_incorrect_cvc' },
};

/** Stripe's test routing number; with it, these account numbers behave as Stripe documents. */
export const TEST_ROUTING_NUMBER = '110000000';
export const TEST_BANK_ACCOUNTS: Record<string, Scenario> = {
  '000123456789': 'ach_succeed',
  '000111111113': 'ach_fail_closed',
  '000111111116': 'ach_fail_no_account',
  '000222222227': 'ach_fail_insufficient_funds',
  '000333333335': 'ach_fail_unauthorized',
  '000555555559': 'ach_return_after_success',
  '000000000009': 'ach_stay_processing',
};

const tryAnother = 'Try another card, or pay by bank (ACH).';

/** Failures as the payer reads them: what happened and what to do next. */
export const FAILURES: Partial<Record<Scenario, PaymentFailure>> = {
  decline_generic: {
    code: 'card_declined',
    declineCode: 'generic_decline',
    message: `Your card was declined. ${tryAnother}`,
  },
  decline_insufficient_funds: {
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: `Your card has insufficient funds. ${tryAnother}`,
  },
  decline_lost_card: {
    code: 'card_declined',
    declineCode: 'lost_card',
    message: `Your card was declined. ${tryAnother}`,
  },
  decline_expired_card: {
    code: 'expired_card',
    declineCode: 'expired_card',
    message: 'Your card has expired. Check the expiry date or use another card.',
  },
  decline_incorrect_cvc: {
    code: 'incorrect_cvc',
    declineCode: 'incorrect_cvc',
    message: "Your card's security code is incorrect. Check it and try again.",
  },
  decline_live_card: {
    code: 'card_declined',
    declineCode: 'test_mode_live_card',
    message: 'This is a test payment page: use a test card such as 4242 4242 4242 4242.',
  },
  ach_fail_closed: {
    code: 'R02',
    declineCode: 'account_closed',
    message: 'Your bank reports this account is closed. Pay with another account or a card.',
  },
  ach_fail_no_account: {
    code: 'R03',
    declineCode: 'no_account',
    message: 'Your bank could not find this account. Check the account number or use a card.',
  },
  ach_fail_insufficient_funds: {
    code: 'R01',
    declineCode: 'insufficient_funds',
    message: 'Your bank returned the debit for insufficient funds. Pay with another account or a card.',
  },
  ach_fail_unauthorized: {
    code: 'R10',
    declineCode: 'debit_not_authorized',
    message: 'Your bank reports the debit was not authorized. Contact your bank, or pay another way.',
  },
  ach_return_after_success: {
    code: 'R01',
    declineCode: 'insufficient_funds',
    message:
      'Your bank returned this debit after it settled. The invoices are open again; please pay them another way.',
  },
};

export function luhnValid(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return digits.length >= 12 && total % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}
