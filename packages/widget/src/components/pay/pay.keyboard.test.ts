/**
 * <settle-pay> with the keyboard alone (issue 3: "keyboard-only usable ... focus managed through
 * the steps"): real key presses from the browser (sendKeys), against the real Settle server that
 * web-test-runner starts. No click(), focus() or value setting on the controls.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { define } from '../../internal/define.js';
import { mintSession } from '../../internal/test-session.js';
import { SettleInvoiceList } from '../invoice-list/invoice-list.js';
import { SettlePay } from './pay.js';

define('settle-invoice-list', SettleInvoiceList);
define('settle-pay', SettlePay);

const expiry = `12${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

const shadow = (el: Element) => el.shadowRoot as ShadowRoot;
const part = (el: SettlePay, name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const list = (el: SettlePay) => shadow(el).querySelector('settle-invoice-list') as SettleInvoiceList;

async function settled(el: SettlePay, what: () => boolean, message: string): Promise<void> {
  await waitUntil(what, message, { timeout: 8000 });
  await el.updateComplete;
}

/** The focused element, through every open shadow root on the way down. */
function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

function describeFocus(node: Element | null): string {
  if (!node) return '(nothing)';
  const label =
    node.getAttribute('aria-label') ?? (node as HTMLInputElement).labels?.[0]?.textContent ?? node.textContent ?? '';
  return `<${node.localName}${node.id ? `#${node.id}` : ''}> ${label.replace(/\s+/g, ' ').trim().slice(0, 40)}`;
}

/** The provider's field labelled `label` (light DOM, slotted into the element). */
function field(el: SettlePay, label: string): HTMLInputElement {
  const found = [...el.querySelectorAll('label')].find((l) => l.textContent?.startsWith(label));
  if (!found?.control) throw new Error(`No field labelled ${label}`);
  return found.control as HTMLInputElement;
}

/**
 * Presses Tab until `target()` has focus, checking at every stop that focus is on something a
 * sighted keyboard user can see and use (rendered, not disabled). Fails with the path taken.
 */
async function tabTo(target: () => Element | null, what: string, max = 40): Promise<void> {
  const trail: string[] = [];
  for (let i = 0; i < max; i++) {
    await sendKeys({ press: 'Tab' });
    const active = deepActive();
    trail.push(describeFocus(active));
    expect(active, `Tab ${i + 1} towards ${what} left focus nowhere (${trail.join(' → ')})`).to.not.equal(
      document.body,
    );
    expect((active as HTMLElement).offsetParent, `focus on a hidden element: ${trail.join(' → ')}`).to.not.equal(null);
    expect((active as HTMLButtonElement).disabled, `focus on a disabled element: ${trail.join(' → ')}`).to.not.equal(
      true,
    );
    if (active === target()) return;
  }
  throw new Error(`${what} not reached in ${max} Tabs: ${trail.join(' → ')}`);
}

describe('<settle-pay> by keyboard only', () => {
  it('selects an invoice, enters a card, pays, and lands on the receipt heading', async () => {
    const session = await mintSession('cus_acme', { fresh: true });
    const el = await fixture<SettlePay>(
      html`<settle-pay client-token=${session.clientToken} api-url=${session.apiUrl} locale="en"></settle-pay>`,
    );
    await settled(el, () => part(el, 'header') !== null, 'the session loads');
    expect(el.querySelector('[slot="payment-fields"]'), 'the payment fields wait for a selection').to.equal(null);
    // Start from the top of the page, as a keyboard user arriving there would.
    (document.activeElement as HTMLElement | null)?.blur();

    // 1. The first invoice's checkbox, then Space.
    const firstCheckbox = () =>
      shadow(list(el)).querySelector<HTMLInputElement>('[role="row"][data-id] input[type="checkbox"]');
    expect(firstCheckbox()?.checked, 'nothing is preselected').to.equal(false);
    await tabTo(firstCheckbox, 'the first invoice checkbox');
    await sendKeys({ press: 'Space' });
    await settled(el, () => firstCheckbox()?.checked === true, 'Space selects the invoice');
    await settled(el, () => /^Pay \$/.test(text(part(el, 'pay-button'))), 'the Pay button shows the total');
    await settled(el, () => el.querySelector('[slot="payment-fields"] input') !== null, 'the payment fields mount');
    expect(deepActive(), 'focus stays on the checkbox while the payment panel opens').to.equal(firstCheckbox());

    // 2. The card fields, typed.
    await tabTo(() => field(el, 'Card number'), 'the card number');
    await sendKeys({ type: '4242424242424242' });
    await tabTo(() => field(el, 'Expiry date'), 'the expiry date');
    await sendKeys({ type: expiry });
    await tabTo(() => field(el, 'Security code'), 'the security code');
    await sendKeys({ type: '123' });
    expect(field(el, 'Card number').value.replace(/\D/g, '')).to.equal('4242424242424242');

    // 3. The Pay button, then Enter.
    const payButton = () => part(el, 'pay-button');
    await tabTo(payButton, 'the Pay button');
    await settled(el, () => (payButton() as HTMLButtonElement).disabled === false, 'Pay is enabled');
    expect(text(payButton())).to.match(/^Pay \$/);
    await sendKeys({ press: 'Enter' });

    // 4. The receipt, with focus on its heading.
    await settled(el, () => part(el, 'receipt') !== null, 'the receipt shows');
    const heading = part(el, 'receipt')?.querySelector('h2');
    expect(text(heading)).to.equal('Payment received');
    await settled(el, () => deepActive() === heading, 'focus moves to the receipt heading');
    expect(document.activeElement).to.equal(el);
    expect(shadow(el).activeElement).to.equal(heading);
  });
});
