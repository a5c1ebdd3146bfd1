/**
 * English messages of settle.js's first screen (the session's states and the invoice list), the
 * fallback for every locale. The payment panel's English messages (en-checkout.ts) arrive with the
 * checkout piece. A message is a string or a function of its parameters; amounts and dates arrive
 * already formatted by Intl. Other locales are typed against both objects (`Messages`), so a
 * missing translation fails the type check.
 */
export const en = {
  loading: 'Loading your invoices…',
  retry: 'Try again',
  networkError: 'We could not reach the payment service. Check your connection and try again.',
  expiredTitle: 'This payment link has expired',
  expiredBody: 'For your security, payment links work for a limited time. Ask for a new link to pay.',
  returnToMerchant: (merchant: string) => `Back to ${merchant}`,
  emptyTitle: 'Nothing to pay',
  emptyBody: (customer: string) => `${customer} has no open invoices. Thank you!`,
  // invoice-list
  listLabel: 'Open invoices',
  listEmpty: 'No open invoices',
  listSelectAll: 'Select all',
  listSelectAllLabel: 'Select all payable invoices',
  listColInvoice: 'Invoice',
  listColIssued: 'Issued',
  listColDue: 'Due date',
  listColAmount: 'Amount',
  listColBalance: 'Open balance',
  listColPay: 'Pay',
  listPayInvoice: (number: string, open: string) => `Pay invoice ${number}, ${open} open`,
  listNotPayable: (number: string) => `Invoice ${number}: a payment is pending, nothing left to pay`,
  listIssued: (date: string) => `Issued ${date}`,
  listOverdue: (days: number) => (days === 1 ? 'Overdue 1 day' : `Overdue ${days} days`),
  listPending: (amount: string) => `${amount} pending`,
  listPo: (po: string) => `PO ${po}`,
  listDocumentLabel: (number: string) => `Invoice ${number} document (opens in a new tab)`,
  listAmountLabel: (number: string) => `Amount to pay on invoice ${number}`,
  listShortBy: (amount: string) => `Paying ${amount} less`,
  listReasonLabel: (number: string) => `Reason for paying less on invoice ${number}`,
  listReasonPlaceholder: 'Choose a reason',
  listNoteLabel: (number: string) => `Note for invoice ${number}`,
  listNoteOptional: 'Note (optional)',
  listNoteRequired: 'Note (required)',
  listAmountInvalid: (example: string) => `Enter an amount such as ${example}`,
  listAmountZero: 'Enter an amount above zero',
  listAmountOver: (balance: string) => `That is more than the open balance of ${balance}`,
  listReasonMissing: 'Choose why you are paying less',
  listNoteMissing: 'This reason needs a note',
  // pay
  payTitle: 'Pay your invoices',
  paySubtitle: (customer: string, merchant: string) => `${customer}, invoices from ${merchant}`,
  paySelectInvoices: 'Select the invoices you want to pay.',
  payErrorTitle: 'Payment not completed',
  payInvalidLink: 'This payment link is not valid',
  payInvalidLinkBody: 'Check that you opened the whole link, or ask for a new one.',
  payMisconfiguredTitle: 'Payment cannot start',
  payMisconfiguredBody: 'This page is missing its payment session. Please contact the merchant.',
  paySelected: (count: number) => (count === 1 ? '1 invoice selected' : `${count} invoices selected`),
  payCheckoutLoading: 'Loading the payment options…',
  payOptionsUnavailable: 'Payment options unavailable',
  payCheckoutFailed: 'The payment options could not be loaded. Check your connection and try again.',
} as const;

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : T[K] };

/** Every message of the widget, settle.js's and the checkout piece's (a type only: nothing of the piece is bundled here). */
export type Messages = Widen<typeof en & typeof import('./en-checkout.js').enCheckout>;
