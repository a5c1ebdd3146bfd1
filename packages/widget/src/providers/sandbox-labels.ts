/**
 * The sandbox fields' own strings. They live here rather than in i18n/ so the lazily loaded
 * provider chunk carries only what it shows; the widget's message files stay in the main bundle.
 */
const en = {
  cardNumber: 'Card number',
  expiry: 'Expiry date (MM / YY)',
  cvc: 'Security code (CVC)',
  wallet: 'Wallet',
  walletNote: 'Test mode simulates the wallet with the card below.',
  holderName: 'Account holder name',
  holderType: 'Account type',
  company: 'Business account',
  individual: 'Personal account',
  routing: 'Routing number',
  account: 'Account number',
  confirm: 'Confirm account number',
  mandate: (m: string) =>
    `By checking “I authorize” below, you authorize ${m} to debit the bank account specified above for any amount owed for charges arising from your use of ${m}’s services and/or purchase of products from ${m}, pursuant to ${m}’s website and terms, until this authorization is revoked. You may amend or cancel this authorization at any time by providing notice to ${m} with 30 (thirty) days notice.`,
  authorize: (m: string) => `I authorize ${m} to debit this bank account.`,
  testTitle: 'Test mode: no money moves. Choose a test number to fill it in:',
  credit: 'credit card',
  debit: 'debit card',
  declined: 'declined card',
  achOk: 'succeeds',
  achFail: 'fails: insufficient funds',
  numberIncomplete: 'Your card number is incomplete.',
  numberInvalid: 'Your card number is not valid. Check it and try again.',
  expiryIncomplete: 'Enter the expiry date as MM / YY.',
  expiryMonth: 'The expiry month must be from 01 to 12.',
  expired: 'This card has expired. Check the date or use another card.',
  cvcLength: (n: number) => `Enter the ${n}-digit security code from your card.`,
  nameMissing: 'Enter the name on the bank account.',
  routingLength: 'Enter the 9-digit routing number.',
  routingInvalid: 'This routing number is not valid. Check it and try again.',
  accountLength: 'Enter an account number of 4 to 17 digits.',
  confirmMismatch: 'The account numbers do not match.',
  mandateMissing: 'Check “I authorize” to allow the debit.',
};

export type SandboxLabels = typeof en;

const de: SandboxLabels = {
  cardNumber: 'Kartennummer',
  expiry: 'Ablaufdatum (MM / JJ)',
  cvc: 'Prüfnummer (CVC)',
  wallet: 'Wallet',
  walletNote: 'Im Testmodus wird die Wallet mit der Karte unten simuliert.',
  holderName: 'Name des Kontoinhabers',
  holderType: 'Kontoart',
  company: 'Geschäftskonto',
  individual: 'Privatkonto',
  routing: 'Bankleitzahl (Routing Number)',
  account: 'Kontonummer',
  confirm: 'Kontonummer bestätigen',
  mandate: (m: string) =>
    `Mit dem Ankreuzen von „Ich ermächtige“ unten ermächtigen Sie ${m}, das oben angegebene Bankkonto mit allen Beträgen zu belasten, die aus Ihrer Nutzung der Dienste von ${m} und/oder dem Kauf von Produkten bei ${m} gemäß der Website und den Bedingungen von ${m} geschuldet werden, bis diese Ermächtigung widerrufen wird. Sie können diese Ermächtigung jederzeit mit einer Frist von 30 (dreißig) Tagen durch Mitteilung an ${m} ändern oder widerrufen.`,
  authorize: (m: string) => `Ich ermächtige ${m}, dieses Bankkonto zu belasten.`,
  testTitle: 'Testmodus: Es fließt kein Geld. Wählen Sie eine Testnummer zum Ausfüllen:',
  credit: 'Kreditkarte',
  debit: 'Debitkarte',
  declined: 'abgelehnte Karte',
  achOk: 'erfolgreich',
  achFail: 'scheitert: keine Deckung',
  numberIncomplete: 'Ihre Kartennummer ist unvollständig.',
  numberInvalid: 'Ihre Kartennummer ist ungültig. Prüfen Sie sie und versuchen Sie es erneut.',
  expiryIncomplete: 'Geben Sie das Ablaufdatum als MM / JJ ein.',
  expiryMonth: 'Der Ablaufmonat muss zwischen 01 und 12 liegen.',
  expired: 'Diese Karte ist abgelaufen. Prüfen Sie das Datum oder verwenden Sie eine andere Karte.',
  cvcLength: (n: number) => `Geben Sie die ${n}-stellige Prüfnummer Ihrer Karte ein.`,
  nameMissing: 'Geben Sie den Namen des Kontoinhabers ein.',
  routingLength: 'Geben Sie die 9-stellige Routing Number ein.',
  routingInvalid: 'Diese Routing Number ist ungültig. Prüfen Sie sie und versuchen Sie es erneut.',
  accountLength: 'Geben Sie eine Kontonummer mit 4 bis 17 Ziffern ein.',
  confirmMismatch: 'Die Kontonummern stimmen nicht überein.',
  mandateMissing: 'Kreuzen Sie „Ich ermächtige“ an, um die Lastschrift zu erlauben.',
};

/** Labels for a BCP 47 locale by its language ("de-CH" -> de), English otherwise. */
export function sandboxLabels(locale: string): { lang: string; t: SandboxLabels } {
  const lang = locale.toLowerCase().split('-')[0] === 'de' ? 'de' : 'en';
  return { lang, t: lang === 'de' ? de : en };
}
