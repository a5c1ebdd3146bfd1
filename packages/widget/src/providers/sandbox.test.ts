import { expect, fixture } from '@open-wc/testing';
import { createSessionClient, SettleHttpError } from '@settle/client';
import type { PaymentMethodToken, SandboxTokenRequest } from '@settle/schema';
import { mintSession } from '../internal/test-session.js';
import { loadProvider } from './load.js';
import { type MountOptions, ProviderError, type ProviderFieldState } from './provider.js';
import { createSandboxProvider } from './sandbox.js';

const appearance: MountOptions['appearance'] = {
  colorPrimary: '#2450d8',
  colorText: '#141a29',
  colorBackground: '#ffffff',
  colorDanger: '#b42318',
  borderRadius: '7px',
  fontFamily: 'system-ui, sans-serif',
};

const TOKEN: PaymentMethodToken = {
  id: 'pm_test',
  summary: { type: 'card', brand: 'visa', last4: '4242', funding: 'credit', bankName: null, accountHolderType: null },
};

const nextYear = new Date().getFullYear() + 1;
const validExpiry = `12${String(nextYear % 100).padStart(2, '0')}`;

interface Setup {
  method?: MountOptions['method'];
  locale?: string;
  tokenize?: (input: SandboxTokenRequest) => Promise<PaymentMethodToken>;
  container?: HTMLElement;
}

async function mountSandbox({ method = 'card', locale = 'en', tokenize, container }: Setup = {}) {
  const host = container ?? (await fixture<HTMLDivElement>('<div></div>'));
  const calls: SandboxTokenRequest[] = [];
  const changes: ProviderFieldState[] = [];
  const provider = createSandboxProvider({
    merchantName: 'Northwind Supply Co.',
    tokenize:
      tokenize ??
      (async (input) => {
        calls.push(input);
        return TOKEN;
      }),
  });
  const total = { amount: 125_000, currency: 'USD' };
  await provider.mount(host, { method, ...total, locale, appearance, onChange: (state) => changes.push(state) });
  const field = (label: string) => {
    const found = [...host.querySelectorAll('label')].find((l) => l.textContent?.startsWith(label));
    if (!found?.control) throw new Error(`No field labelled ${label}`);
    return found.control as HTMLInputElement;
  };
  const errorOf = (input: HTMLElement) => {
    const ids = input.getAttribute('aria-describedby')?.split(' ') ?? [];
    const described = ids.map((id) => host.querySelector(`[id="${id}"]`));
    return described.find((e) => e?.classList.contains('settle-sbx-error'))?.textContent ?? '';
  };
  const last = () => changes.at(-1);
  return { host, provider, calls, changes, field, errorOf, last };
}

/** Types as a keyboard does: one character at a time at the caret, each with an input event. */
function type(input: HTMLInputElement, text: string): void {
  input.focus();
  for (const ch of text) {
    input.setRangeText(ch, input.selectionStart ?? input.value.length, input.selectionEnd ?? input.value.length, 'end');
    input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: ch }));
  }
}

function leave(input: HTMLElement): void {
  input.focus();
  input.blur();
}

async function fillCard(
  s: Awaited<ReturnType<typeof mountSandbox>>,
  number: string,
  expiry = validExpiry,
  cvc = '123',
) {
  type(s.field('Card number'), number);
  type(s.field('Expiry date'), expiry);
  type(s.field('Security code'), cvc);
}

async function fillBank(s: Awaited<ReturnType<typeof mountSandbox>>, routing = '110000000', account = '000123456789') {
  type(s.field('Account holder name'), 'Contoso Ltd');
  type(s.field('Routing number'), routing);
  type(s.field('Account number'), account);
  type(s.field('Confirm account number'), account);
}

describe('sandbox provider: card', () => {
  it('renders labelled card fields for autofill and the numeric keypad, accessibly', async () => {
    const { host, field } = await mountSandbox();
    const expectations = [
      ['Card number', 'cc-number'],
      ['Expiry date (MM / YY)', 'cc-exp'],
      ['Security code (CVC)', 'cc-csc'],
    ] as const;
    for (const [label, autocomplete] of expectations) {
      expect(field(label).autocomplete).to.equal(autocomplete);
      expect(field(label).inputMode).to.equal('numeric');
    }
    expect(host.textContent).to.contain('Test mode');
    await expect(host).to.be.accessible();
  });

  it('groups the number as it is typed and names the brand', async () => {
    const cases = [
      ['4242424242424242', '4242 4242 4242 4242', 'Visa'],
      ['5555555555554444', '5555 5555 5555 4444', 'Mastercard'],
      ['378282246310005', '3782 822463 10005', 'Amex'],
      ['6011111111111117', '6011 1111 1111 1117', 'Discover'],
    ];
    for (const [typed, shown, brand] of cases) {
      const { host, field } = await mountSandbox();
      type(field('Card number'), `${typed}999`);
      expect(field('Card number').value).to.equal(shown);
      expect(host.querySelector('.settle-sbx-brand')?.textContent).to.equal(brand);
    }
  });

  it('says a mistyped number is not valid when the payer leaves it, and clears it once fixed', async () => {
    const { field, errorOf, last } = await mountSandbox();
    const number = field('Card number');
    type(number, '4242424242424241');
    expect(number.hasAttribute('aria-invalid')).to.equal(false);
    leave(number);
    expect(number.getAttribute('aria-invalid')).to.equal('true');
    expect(errorOf(number)).to.equal('Your card number is not valid. Check it and try again.');
    expect(last()?.error).to.equal('Your card number is not valid. Check it and try again.');
    number.setSelectionRange(number.value.length - 1, number.value.length);
    type(number, '2');
    expect(number.hasAttribute('aria-invalid')).to.equal(false);
    expect(last()?.error).to.equal(null);
  });

  it('refuses an expiry date in the past and a month that does not exist', async () => {
    const { field, errorOf } = await mountSandbox();
    const expiry = field('Expiry date');
    type(expiry, '0120');
    expect(expiry.value).to.equal('01 / 20');
    leave(expiry);
    expect(errorOf(expiry)).to.equal('This card has expired. Check the date or use another card.');
    expiry.value = '';
    type(expiry, '1330');
    expect(errorOf(expiry)).to.equal('The expiry month must be from 01 to 12.');
  });

  it('wants 3 digits of security code, 4 for American Express', async () => {
    const { field, errorOf } = await mountSandbox();
    type(field('Card number'), '4242424242424242');
    type(field('Security code'), '12');
    leave(field('Security code'));
    expect(errorOf(field('Security code'))).to.equal('Enter the 3-digit security code from your card.');

    const amex = await mountSandbox();
    type(amex.field('Card number'), '378282246310005');
    type(amex.field('Security code'), '123');
    leave(amex.field('Security code'));
    expect(amex.errorOf(amex.field('Security code'))).to.equal('Enter the 4-digit security code from your card.');
    type(amex.field('Security code'), '4');
    expect(amex.field('Security code').hasAttribute('aria-invalid')).to.equal(false);
  });

  it('reports completeness and the test card funding on every input', async () => {
    const credit = await mountSandbox();
    await fillCard(credit, '4242424242424242', validExpiry, '12');
    expect(credit.last()).to.deep.equal({ complete: false, error: null, funding: 'credit' });
    type(credit.field('Security code'), '3');
    expect(credit.last()).to.deep.equal({ complete: true, error: null, funding: 'credit' });

    const debit = await mountSandbox();
    await fillCard(debit, '4000056655665556');
    expect(debit.last()).to.deep.equal({ complete: true, error: null, funding: 'debit' });

    const other = await mountSandbox();
    await fillCard(other, '4111111111111111');
    expect(other.last()).to.deep.equal({ complete: true, error: null, funding: null });
  });

  it('tokenizes exactly the request the sandbox expects, never logging or exposing the number', async () => {
    const s = await mountSandbox();
    const logged: unknown[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => logged.push(...args);
    try {
      await fillCard(s, '4242424242424242');
      expect(await s.provider.tokenize()).to.deep.equal(TOKEN);
    } finally {
      methods.forEach((m, i) => {
        console[m] = saved[i]!;
      });
    }
    expect(s.calls).to.deep.equal([
      { type: 'card', number: '4242424242424242', expMonth: 12, expYear: nextYear, cvc: '123' },
    ]);
    expect(JSON.stringify(logged)).not.to.match(/4242/);
    const attributes = [...s.host.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.value));
    expect(attributes.join(' ')).not.to.match(/4242|\d{4} \d{4}/);
  });

  it('tokenizes a wallet payment with the wallet chosen', async () => {
    const s = await mountSandbox({ method: 'wallet' });
    const wallet = s.field('Wallet') as unknown as HTMLSelectElement;
    expect([...wallet.options].map((o) => o.text)).to.deep.equal(['Apple Pay', 'Google Pay']);
    wallet.value = 'google_pay';
    wallet.dispatchEvent(new Event('input', { bubbles: true }));
    await fillCard(s, '4000056655665556');
    await s.provider.tokenize();
    expect(s.calls[0]).to.deep.include({ type: 'card', number: '4000056655665556', wallet: 'google_pay' });
    await expect(s.host).to.be.accessible();
  });

  it('refuses to tokenize incomplete fields, naming the field and focusing it', async () => {
    const s = await mountSandbox();
    type(s.field('Card number'), '4242424242424242');
    const error = await s.provider.tokenize().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderError);
    expect(error).to.include({ field: 'expiry', message: 'Enter the expiry date as MM / YY.' });
    expect(document.activeElement).to.equal(s.field('Expiry date'));
    expect(s.field('Security code').getAttribute('aria-invalid')).to.equal('true');
    expect(s.calls).to.have.length(0);
    await expect(s.host).to.be.accessible();
  });

  it('shows the sandbox server’s 422 under the field it names', async () => {
    const s = await mountSandbox({
      tokenize: () =>
        Promise.reject(
          new SettleHttpError(422, {
            code: 'validation_failed',
            message: 'The request is not valid',
            details: [{ path: 'expYear', code: 'invalid_expiry', message: 'The card has expired' }],
          }),
        ),
    });
    await fillCard(s, '4242424242424242');
    const error = await s.provider.tokenize().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderError);
    expect(error).to.include({ field: 'expiry', message: 'The card has expired' });
    expect(s.errorOf(s.field('Expiry date'))).to.equal('The card has expired');
  });

  it('passes other failures (an expired session, the network) on unchanged', async () => {
    const expired = new SettleHttpError(401, { code: 'session_expired', message: 'This session has expired' });
    const s = await mountSandbox({ tokenize: () => Promise.reject(expired) });
    await fillCard(s, '4242424242424242');
    expect(await s.provider.tokenize().catch((e: unknown) => e)).to.equal(expired);
  });

  it('fills in a test card from the test-mode buttons', async () => {
    const s = await mountSandbox();
    const button = [...s.host.querySelectorAll('button')].find((b) => b.textContent?.includes('debit'));
    button?.click();
    expect(s.field('Card number').value).to.equal('4000 0566 5566 5556');
    expect(s.last()).to.deep.equal({ complete: true, error: null, funding: 'debit' });
  });

  it('speaks German when the locale is de', async () => {
    const s = await mountSandbox({ locale: 'de-DE' });
    expect(s.field('Kartennummer').autocomplete).to.equal('cc-number');
    expect(s.field('Ablaufdatum (MM / JJ)')).to.exist;
    expect(s.host.querySelector('.settle-sbx')?.getAttribute('lang')).to.equal('de');
    type(s.field('Kartennummer'), '4242424242424241');
    leave(s.field('Kartennummer'));
    expect(s.errorOf(s.field('Kartennummer'))).to.contain('ungültig');
    await expect(s.host).to.be.accessible();
  });

  it('removes everything on destroy and forgets what was typed', async () => {
    const sheetsBefore = document.adoptedStyleSheets.length;
    const s = await mountSandbox();
    expect(document.adoptedStyleSheets.length).to.equal(sheetsBefore + 1);
    await fillCard(s, '4242424242424242');
    const inputs = [...s.host.querySelectorAll('input')];
    s.provider.destroy();
    expect(s.host.childNodes).to.have.length(0);
    expect(inputs.map((i) => i.value)).to.deep.equal(['', '', '']);
    expect(document.adoptedStyleSheets.length).to.equal(sheetsBefore);
    expect(await s.provider.tokenize().catch((e: unknown) => e)).to.be.instanceOf(Error);
  });
});

describe('sandbox provider: bank account (ACH)', () => {
  it('asks for the account and a required authorization naming the merchant, accessibly', async () => {
    const s = await mountSandbox({ method: 'ach_debit' });
    const type = s.field('Account type') as unknown as HTMLSelectElement;
    expect(type.value).to.equal('company');
    const mandate = s.host.querySelector('.settle-sbx-mandate')?.textContent ?? '';
    expect(mandate).to.contain('you authorize Northwind Supply Co. to debit the bank account specified above');
    expect(mandate).to.contain('providing notice to Northwind Supply Co. with 30 (thirty) days notice');
    const box = s.field('I authorize');
    expect(box.type).to.equal('checkbox');
    expect(box.required).to.equal(true);
    expect(box.checked).to.equal(false);
    expect(box.getAttribute('aria-describedby')).to.contain(s.host.querySelector('.settle-sbx-mandate')?.id);
    await expect(s.host).to.be.accessible();
  });

  it('checks the routing number with the ABA checksum', async () => {
    const s = await mountSandbox({ method: 'ach_debit' });
    type(s.field('Routing number'), '110000001');
    leave(s.field('Routing number'));
    expect(s.errorOf(s.field('Routing number'))).to.equal('This routing number is not valid. Check it and try again.');
    type(s.field('Routing number'), 'x');
    expect(s.field('Routing number').value).to.equal('110000001');
  });

  it('says when the account numbers do not match, and clears it when either is fixed', async () => {
    const s = await mountSandbox({ method: 'ach_debit' });
    type(s.field('Account number'), '000123456780');
    type(s.field('Confirm account number'), '000123456789');
    leave(s.field('Confirm account number'));
    expect(s.errorOf(s.field('Confirm account number'))).to.equal('The account numbers do not match.');
    await expect(s.host).to.be.accessible();
    const account = s.field('Account number');
    account.setSelectionRange(11, 12);
    type(account, '9');
    expect(s.field('Confirm account number').hasAttribute('aria-invalid')).to.equal(false);
  });

  it('tokenizes a company account only once the payer authorizes the debit', async () => {
    const s = await mountSandbox({ method: 'ach_debit' });
    await fillBank(s);
    expect(s.last()).to.deep.equal({ complete: false, error: null, funding: null });
    const refused = await s.provider.tokenize().catch((e: unknown) => e);
    expect(refused).to.include({ field: 'mandate', message: 'Check “I authorize” to allow the debit.' });
    expect(s.calls).to.have.length(0);
    s.field('I authorize').click();
    expect(s.last()).to.deep.equal({ complete: true, error: null, funding: null });
    await s.provider.tokenize();
    expect(s.calls).to.deep.equal([
      {
        type: 'us_bank_account',
        routingNumber: '110000000',
        accountNumber: '000123456789',
        accountHolderName: 'Contoso Ltd',
        accountHolderType: 'company',
      },
    ]);
  });

  it('fills in the test bank accounts from the test-mode buttons, leaving the authorization to the payer', async () => {
    const s = await mountSandbox({ method: 'ach_debit' });
    const fails = [...s.host.querySelectorAll('button')].find((b) => b.textContent?.includes('000222222227'));
    fails?.click();
    expect(s.field('Routing number').value).to.equal('110000000');
    expect(s.field('Account number').value).to.equal('000222222227');
    expect(s.field('Confirm account number').value).to.equal('000222222227');
    expect(s.field('I authorize').checked).to.equal(false);
    expect(s.last()?.complete).to.equal(false);
  });

  it('shows the mandate in German', async () => {
    const s = await mountSandbox({ method: 'ach_debit', locale: 'de' });
    expect(s.host.querySelector('.settle-sbx-mandate')?.textContent).to.contain(
      'ermächtigen Sie Northwind Supply Co., das oben angegebene Bankkonto',
    );
    expect(s.field('Ich ermächtige').required).to.equal(true);
    expect((s.field('Kontoart') as unknown as HTMLSelectElement).selectedOptions[0]?.text).to.equal('Geschäftskonto');
    await expect(s.host).to.be.accessible();
  });
});

describe('sandbox provider on a page', () => {
  it('works in a light-DOM container slotted into a shadow root, styled from the appearance', async () => {
    const outer = await fixture<HTMLDivElement>('<div><div class="slotted"></div></div>');
    const shadow = outer.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<section><slot></slot></section>';
    const container = outer.querySelector<HTMLElement>('.slotted')!;
    const s = await mountSandbox({ container });

    const number = s.field('Card number');
    expect(number.assignedSlot ?? number.closest('.slotted')?.assignedSlot).to.equal(shadow.querySelector('slot'));
    expect(getComputedStyle(number).borderRadius).to.equal('7px');
    expect(number.getBoundingClientRect().height).to.be.at.least(44);
    (s.host.querySelector(`label[for="${number.id}"]`) as HTMLLabelElement).click();
    expect(document.activeElement).to.equal(number);
    type(number, '4242424242424242');
    expect(number.value).to.equal('4242 4242 4242 4242');
    await expect(outer).to.be.accessible();
  });

  it('adopts its styles into the shadow root that holds the container', async () => {
    const outer = await fixture<HTMLDivElement>('<div></div>');
    const shadow = outer.attachShadow({ mode: 'open' });
    const container = document.createElement('div');
    shadow.append(container);
    const provider = createSandboxProvider({ merchantName: 'M', tokenize: async () => TOKEN });
    const options = {
      method: 'card',
      amount: 125_000,
      currency: 'USD',
      locale: 'en',
      appearance,
      onChange() {},
    } as const;
    await provider.mount(container, options);
    expect(shadow.adoptedStyleSheets).to.have.length(1);
    expect(getComputedStyle(container.querySelector('input')!).borderRadius).to.equal('7px');
    provider.destroy();
    expect(shadow.adoptedStyleSheets).to.have.length(0);
  });

  it('loads the sandbox lazily by name, and refuses Stripe without a publishable key', async () => {
    const provider = await loadProvider('sandbox', { merchantName: 'M', tokenize: async () => TOKEN });
    expect(provider.name).to.equal('sandbox');
    const error = await loadProvider('stripe', { merchantName: 'M', tokenize: async () => TOKEN }).catch((e) => e);
    expect(error.message).to.equal('The session names Stripe but carries no publishable key');
  });

  it('tokenizes test cards and bank accounts against the real sandbox server', async () => {
    const { apiUrl, clientToken } = await mintSession();
    const client = createSessionClient({ apiUrl, clientToken });
    const card = await mountSandbox({ tokenize: (input) => client.createPaymentMethodToken(input) });
    await fillCard(card, '4000056655665556');
    const token = await card.provider.tokenize();
    expect(token.id).to.be.a('string');
    expect(token.summary).to.deep.include({ type: 'card', brand: 'visa', last4: '5556', funding: 'debit' });

    const bank = await mountSandbox({
      method: 'ach_debit',
      tokenize: (input) => client.createPaymentMethodToken(input),
    });
    await fillBank(bank, '021000021');
    bank.field('I authorize').click();
    const refused = await bank.provider.tokenize().catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ProviderError);
    expect(refused).to.include({ field: 'routingNumber', message: 'Use the test routing number 110000000' });
    expect(bank.errorOf(bank.field('Routing number'))).to.equal('Use the test routing number 110000000');
  });
});

// Last in the file on purpose: a Content-Security-Policy cannot be lifted once a page has it, and
// web-test-runner gives every test file its own page.
describe('sandbox provider under a strict Content-Security-Policy', () => {
  it('is styled through CSSOM, which style-src without unsafe-inline still allows', async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "style-src 'self'";
    document.head.append(meta);
    // The policy is in force: an inline <style> is refused.
    const probe = await fixture<HTMLDivElement>('<div class="csp-probe"></div>');
    const style = document.createElement('style');
    style.textContent = '.csp-probe { border-radius: 3px }';
    document.head.append(style);
    expect(getComputedStyle(probe).borderRadius).to.equal('0px');

    const s = await mountSandbox();
    const number = s.field('Card number');
    expect(getComputedStyle(number).borderRadius).to.equal('7px');
    expect(getComputedStyle(s.host.querySelector('.settle-sbx')!).color).to.equal('rgb(20, 26, 41)');
    await new Promise((resolve) => setTimeout(resolve));
    expect(violations).to.deep.equal(['style-src-elem']);
    style.remove();
  });
});
