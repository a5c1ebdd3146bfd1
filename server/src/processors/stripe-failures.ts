import type { PaymentFailure } from '@settle/schema';

/** What the payer should do, per Stripe decline or failure code: a sentence, never a bare code. */
const MESSAGES: Record<string, string> = {
  generic_decline: 'Your card was declined. Use another card or pay by bank transfer.',
  card_declined: 'Your card was declined. Use another card or pay by bank transfer.',
  insufficient_funds: 'There are not enough funds on this account. Use another card or account.',
  lost_card: 'Your card was declined. Use another card or pay by bank transfer.',
  stolen_card: 'Your card was declined. Use another card or pay by bank transfer.',
  fraudulent: 'Your card was declined. Use another card or pay by bank transfer.',
  expired_card: 'Your card has expired. Use another card.',
  incorrect_cvc: 'The security code is not right. Check it and try again.',
  incorrect_number: 'The card number is not right. Check it and try again.',
  processing_error: 'The card could not be processed. Try again in a moment.',
  authentication_required: 'Your bank needs you to confirm this payment. Try again and complete the check.',
  payment_intent_authentication_failure: 'Your bank could not confirm this payment. Try again or use another card.',
  account_closed: 'This bank account is closed. Pay with another account or a card.',
  no_account: 'This bank account could not be found. Check the details or use another account.',
  account_number_invalid: 'The account number is not right. Check it or use another account.',
  debit_not_authorized: 'Your bank refused this debit. Ask your bank to allow it, or pay by card.',
  bank_account_unusable: 'This bank account cannot be debited. Use another account or a card.',
  bank_account_restricted: 'This bank account cannot be debited right now. Use another account or a card.',
};

const FALLBACK = 'The payment did not go through. Try again or use another payment method.';

/** Settle's failure for a Stripe error or `last_payment_error`. */
export function failureOf(error: {
  code?: string | null | undefined;
  decline_code?: string | null | undefined;
}): PaymentFailure {
  const code = error.code || 'payment_failed';
  const declineCode = error.decline_code ?? null;
  if (code.startsWith('dispute_')) {
    return {
      code,
      message: 'Your bank took this payment back. Pay these invoices again with another account or a card.',
      declineCode,
    };
  }
  return { code, message: MESSAGES[declineCode ?? ''] ?? MESSAGES[code] ?? FALLBACK, declineCode };
}
