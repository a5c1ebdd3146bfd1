/**
 * English messages of the payment panel (credits, methods, summary, Pay, the outcome). They ship
 * in the checkout piece and are added to the English messages when it arrives (localize.ts).
 */
export const enCheckout = {
  payCreditsHeading: 'Credits',
  payCreditApply: (number: string) => `Apply credit ${number}`,
  payCreditAvailable: (amount: string) => `${amount} available`,
  payCreditAmount: (number: string) => `Amount of credit ${number} to apply`,
  payMethodsHeading: 'Payment method',
  payMethodCard: 'Card',
  payMethodAch: 'Bank (ACH) debit',
  payMethodWallet: 'Wallet',
  payMethodMax: (method: string, amount: string) => `${method} payments are limited to ${amount}`,
  payMethodMin: (method: string, amount: string) => `${method} payments start at ${amount}`,
  paySurchargeNotice: (rate: string) =>
    `A ${rate} surcharge applies to credit cards; debit cards and bank transfers have none.`,
  payNoSurchargeDebit: 'No surcharge on debit cards',
  payNoSurchargePrepaid: 'No surcharge on prepaid cards',
  paySurchargeLine: (rate: string) => `Credit card surcharge (${rate})`,
  paySummaryHeading: 'Summary',
  payInvoiceLine: (number: string) => `Invoice ${number}`,
  payMoreInvoices: (count: number) => `${count} more invoices`,
  payCreditLine: (number: string) => `Credit ${number}`,
  paySubtotal: 'Subtotal',
  payTotal: 'Total',
  payButton: (amount: string) => `Pay ${amount}`,
  payButtonIdle: 'Pay',
  payPaying: 'Paying…',
  payEnterDetails: 'Enter your payment details to pay.',
  payConfirmTotal: (amount: string) =>
    `The total for this payment is ${amount}. Check the summary, then press Pay to accept it, or change how you pay.`,
  payTotalNow: (amount: string) => `Total ${amount}`,
  payDeclinedTitle: 'Payment declined',
  payDeclined: 'The payment was declined. Try another card, or pay by bank (ACH).',
  /**
   * The sentence for a decline or bank failure code, or '' to show the server's own sentence,
   * which is written in English for the payer already (sandbox and Stripe alike).
   */
  payDeclinedFor: (_code: string): string => '',
  payFieldsFailed: 'The payment fields could not be loaded. Check your connection and reload the page.',
  payPendingTitle: 'Payment processing',
  payPendingBody: "Your bank payment is processing. It usually takes up to 4 business days; we'll email you.",
  payReceiptTitle: 'Payment received',
  payReceiptBody: (amount: string) => `Thank you. We received your payment of ${amount}.`,
  payReceiptInvoices: 'Paid per invoice',
  payStatus: (status: string) =>
    status === 'succeeded' ? 'Paid' : status === 'processing' ? 'Processing' : status.replace(/_/g, ' '),
  payStatusLabel: 'Status',
  payReference: 'Reference',
  payPaidWith: 'Paid with',
  payBankAccount: 'Bank account',
  payTotalPaid: 'Total paid',
  payReceiptDownload: 'Download receipt (PDF)',
  payStatement: 'Account statement:',
  payShortPaid: (reason: string, amount: string) => `${amount} not paid: ${reason}`,
  payIssueReason: 'Choose why you are paying less',
  payIssueNote: 'This reason needs a note',
  payIssueOverBalance: (amount: string) => `That is more than the open balance of ${amount}`,
  payIssueCreditOver: (amount: string) => `Only ${amount} of this credit is left to apply`,
  payIssueCreditOverInvoices: 'More than the selected invoices can take. Apply less, or select more invoices.',
  payIssueNothingToCharge: 'Your credits cover everything selected. Apply less credit, or select more invoices.',
  payIssueAmount: (example: string) => `Enter an amount such as ${example}`,
  payIssuePending: 'A payment for this invoice is already on its way',

  payFailed: 'The payment could not be completed and nothing was charged. Check your details and try again.',
  payBusy: 'The payment service is busy. Nothing was charged; try again in a moment.',
  payFixFields: 'Some details need your attention; they are marked above. Nothing was charged.',
} as const;
