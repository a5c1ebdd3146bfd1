import type { CardFunding, SandboxTokenRequest } from '@settle/schema';
import { h, SandboxForm } from './sandbox-form.js';
import type { SandboxLabels } from './sandbox-labels.js';
import {
  cardBrand,
  cardFunding,
  cardLength,
  cvcLength,
  formatCardNumber,
  formatExpiry,
  luhnValid,
  parseExpiry,
} from './sandbox-rules.js';

/** One payment method's fields, built into a SandboxForm. */
export interface MethodFields {
  /** What to append to the fields' root, in order. */
  nodes: HTMLElement[];
  /** The token request from the fields; only meaningful once the form validates. */
  request(): SandboxTokenRequest;
  funding(): CardFunding | null;
}

const BRAND_NAMES = { visa: 'Visa', mastercard: 'Mastercard', amex: 'Amex', discover: 'Discover', unknown: '' };

export function numericInput(autocomplete: AutoFill): HTMLInputElement {
  return h('input', { type: 'text', inputMode: 'numeric', autocomplete, spellcheck: false });
}

/** A "Test mode" box whose buttons fill in the sandbox's test numbers. */
export function testNumbers(t: SandboxLabels, items: [label: string, fill: () => void][]): HTMLElement {
  const buttons = items.map(([label, fill]) => {
    const button = h('button', { type: 'button' }, label);
    button.addEventListener('click', fill);
    return h('li', {}, button);
  });
  return h('div', { className: 'settle-sbx-test' }, h('p', {}, t.testTitle), h('ul', {}, ...buttons));
}

/** Card number, expiry and CVC; for a wallet, the wallet choice first. */
export function cardFields(form: SandboxForm, t: SandboxLabels, wallet: boolean, onFill: () => void): MethodFields {
  const number = numericInput('cc-number');
  const expiry = numericInput('cc-exp');
  const cvc = numericInput('cc-csc');
  expiry.placeholder = 'MM / YY';
  cvc.maxLength = 3;
  const badge = h('span', { className: 'settle-sbx-brand' });
  const digits = () => number.value.replace(/\D/g, '');
  const brand = () => cardBrand(digits());

  const nodes: HTMLElement[] = [];
  if (wallet) {
    const select = h(
      'select',
      {},
      h('option', { value: 'apple_pay' }, 'Apple Pay'),
      h('option', { value: 'google_pay' }, 'Google Pay'),
    );
    nodes.push(form.add({ name: 'wallet', label: t.wallet, control: select }));
    nodes.push(h('p', { className: 'settle-sbx-note' }, t.walletNote));
  }
  nodes.push(
    form.add({
      name: 'number',
      label: t.cardNumber,
      control: number,
      adornment: badge,
      format() {
        SandboxForm.reformat(number, cardLength(brand()), formatCardNumber);
        badge.textContent = BRAND_NAMES[brand()];
        cvc.maxLength = cvcLength(brand());
      },
      check() {
        if (digits().length < cardLength(brand())) return t.numberIncomplete;
        return luhnValid(digits()) ? null : t.numberInvalid;
      },
    }),
  );
  const expiryCheck = () => {
    const parsed = parseExpiry(expiry.value);
    if (parsed === 'incomplete') return t.expiryIncomplete;
    if (parsed === 'month') return t.expiryMonth;
    return parsed === 'expired' ? t.expired : null;
  };
  const cvcCheck = () => {
    const n = cvcLength(brand());
    return new RegExp(`^\\d{${n}}$`).test(cvc.value) ? null : t.cvcLength(n);
  };
  nodes.push(
    h(
      'div',
      { className: 'settle-sbx-row' },
      form.add({
        name: 'expiry',
        label: t.expiry,
        control: expiry,
        format: () => SandboxForm.reformat(expiry, 4, formatExpiry),
        check: expiryCheck,
      }),
      form.add({
        name: 'cvc',
        label: t.cvc,
        control: cvc,
        format: () => SandboxForm.reformat(cvc, cvcLength(brand())),
        check: cvcCheck,
      }),
    ),
  );

  const fill = (card: string) => () => {
    const year = String((new Date().getFullYear() + 3) % 100).padStart(2, '0');
    form.fill('number', card);
    form.fill('expiry', `12${year}`);
    form.fill('cvc', '123');
    onFill();
  };
  nodes.push(
    testNumbers(t, [
      [`4242 4242 4242 4242 (${t.credit})`, fill('4242424242424242')],
      [`4000 0566 5566 5556 (${t.debit})`, fill('4000056655665556')],
      [`4000 0000 0000 0002 (${t.declined})`, fill('4000000000000002')],
    ]),
  );

  return {
    nodes,
    funding: () => cardFunding(digits()),
    request() {
      const parsed = parseExpiry(expiry.value);
      const { month, year } = typeof parsed === 'string' ? { month: 0, year: 0 } : parsed;
      const request: SandboxTokenRequest = {
        type: 'card',
        number: digits(),
        expMonth: month,
        expYear: year,
        cvc: cvc.value,
      };
      if (wallet) request.wallet = form.value('wallet') === 'google_pay' ? 'google_pay' : 'apple_pay';
      return request;
    },
  };
}
