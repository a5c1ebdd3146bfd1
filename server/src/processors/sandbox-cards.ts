import { type CardFunding, type PaymentFailure, SANDBOX_TEST_CARDS } from '@settle/schema';

export { cardBrand, luhnValid } from '@settle/schema';

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

/** What each test card does when confirmed; brand and funding come from the shared table. */
const CARD_SCENARIOS: Record<string, Scenario> = {
  '4242424242424242': 'succeed',
  '4000056655665556': 'succeed',
  '5555555555554444': 'succeed',
  '5200828282828210': 'succeed',
  '5105105105105100': 'succeed',
  '378282246310005': 'succeed',
  '6011111111111117': 'succeed',
  '4000000000000002': 'decline_generic',
  '4000000000009995': 'decline_insufficient_funds',
  '4000000000009987': 'decline_lost_card',
  '4000000000000069': 'decline_expired_card',
  '4000000000000127': 'decline_incorrect_cvc',
};

export const TEST_CARDS: Record<string, { brand: string; funding: CardFunding; scenario: Scenario }> =
  Object.fromEntries(
    Object.entries(SANDBOX_TEST_CARDS).map(([number, card]) => [
      number,
      { ...card, scenario: CARD_SCENARIOS[number] ?? 'succeed' },
    ]),
  );

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
