/**
 * <settle-pay> in every state, driven by fixture data through an injected fake SessionClient
 * (fixtures/fake-client.ts): no server. States that need a payer (a receipt, a decline) are
 * reached by `play` functions that click and type as a payer would.
 */
import '@settle/widget/define';
import type { SessionView } from '@settle/schema';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { userEvent, waitFor } from 'storybook/test';
import { type FakeOptions, fakeClient } from './fixtures/fake-client.js';
import { chooseMethod, enterBank, enterCard, payElement, pressPay, says, select, shows } from './fixtures/interact.js';
import { credit, invoice, manyInvoices, NO_SURCHARGE, RULES, session } from './fixtures/session.js';

/** The theme tokens a designer can change (docs/theming.md); empty means the theme's own value. */
const TOKENS = [
  '--settle-color-primary',
  '--settle-color-on-primary',
  '--settle-color-text',
  '--settle-color-muted',
  '--settle-color-surface',
  '--settle-color-surface-2',
  '--settle-color-border',
  '--settle-color-danger',
  '--settle-color-success',
  '--settle-color-warning',
  '--settle-color-focus',
  '--settle-radius-s',
  '--settle-radius-m',
  '--settle-font-family',
  '--settle-font-size-m',
  '--settle-space-m',
  '--settle-pay-max-width',
] as const;

type Args = { theme: 'light' | 'dark' | 'auto'; locale: string; fake: FakeOptions } & Partial<
  Record<(typeof TOKENS)[number], string>
>;

const meta: Meta<Args> = {
  title: 'Components/settle-pay',
  component: 'settle-pay',
  args: { theme: 'light', locale: 'en', fake: { session: session() } },
  argTypes: {
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    locale: { control: 'inline-radio', options: ['en', 'de'] },
    fake: { table: { disable: true } },
    ...Object.fromEntries(
      TOKENS.map((name) => [
        name,
        { control: name.includes('color') ? 'color' : 'text', table: { category: 'Theme tokens' } },
      ]),
    ),
  },
  render: ({ theme, locale, fake, ...tokens }) => {
    const frame = theme === 'dark' ? '#0b0f19' : 'transparent';
    const style = Object.fromEntries(Object.entries(tokens).filter(([, v]) => v));
    return html`<div style="padding:16px;background:${frame}">
      <settle-pay .client=${fakeClient(fake)} theme=${theme} locale=${locale} style=${styleMap(style)}></settle-pay>
    </div>`;
  },
};
export default meta;

type Story = StoryObj<Args>;
const withSession = (extra: Partial<SessionView>, more: Omit<FakeOptions, 'session'> = {}) => ({
  fake: { session: session(extra), ...more },
});

export const Loading: Story = { args: { fake: { session: session(), neverLoads: true } } };

export const Empty: Story = { name: 'Empty (nothing open)', args: withSession({ invoices: [] }) };

export const OneInvoice: Story = { args: withSession({ invoices: [invoice(1042, 1_284_050, 12)] }) };

/** Thousands of rows, windowed: only the visible ones are in the DOM. */
export const ManyInvoices: Story = { args: withSession({ invoices: manyInvoices(5000) }) };

export const Overdue: Story = {
  args: withSession({
    invoices: [invoice(1031, 220_000, -45), invoice(1038, 98_500, -14), invoice(1042, 1_284_050, 3)],
  }),
};

export const Dark: Story = { args: { theme: 'dark' } };

export const German: Story = { args: { locale: 'de' } };

/** The payment panel open on one invoice, nothing entered yet. */
export const PanelOpen: Story = {
  name: 'Payment panel (one selected)',
  play: async ({ canvasElement }) => select(await payElement(canvasElement), 0),
};

export const ShortPayWithReason: Story = {
  name: 'Short pay with reason',
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    const list = el.shadowRoot?.querySelector('settle-invoice-list')?.shadowRoot;
    const row = [...(list?.querySelectorAll('[role="row"][data-id]') ?? [])].find(
      (r) => r.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked,
    );
    const amount = row?.querySelector<HTMLInputElement>('input.amount');
    if (!amount) throw new Error('No amount field on the selected row');
    // Typed as a payer would, then left: the line asks for a reason once it is short.
    amount.focus();
    amount.value = '900.00';
    amount.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    amount.blur();
    await waitForSelect(list, 'select');
    const reason = list?.querySelector<HTMLSelectElement>('select');
    if (reason) await userEvent.selectOptions(reason, 'pricing');
  },
};

export const CreditsApplied: Story = {
  args: withSession({ credits: [credit(2048, 150_000), credit(2051, 40_000)] }),
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    // INV-01042 ($12,840.50), second by due date: the credit takes part of it, the card the rest.
    await select(el, 1);
    const box = el.shadowRoot?.querySelector<HTMLInputElement>('input[type="checkbox"][id^="credit-cm_2048"]');
    box?.click();
    await el.updateComplete;
  },
};

/** Card payments are limited to $25,000.00: selecting all puts Card over its limit. */
export const MethodOverLimit: Story = {
  name: 'Method over its limit',
  args: withSession({ invoices: [invoice(1042, 1_284_050, 12), invoice(1043, 1_452_000, 20)] }),
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0, 1);
    await says(el, '25,000.00');
  },
};

/** A credit card: the 3% surcharge is shown in the summary before Pay. */
export const SurchargeShown: Story = {
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await enterCard(el, '4242424242424242');
    await says(el, '3%');
  },
};

/** A debit card: no surcharge. */
export const DebitWithoutSurcharge: Story = {
  name: 'Debit without surcharge',
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await enterCard(el, '4000056655665556');
  },
};

export const AchAuthorization: Story = {
  name: 'ACH authorization',
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await chooseMethod(el, 'ach_debit');
    await enterBank(el);
  },
};

/** Pay pressed, the processor has not answered yet. */
export const Processing: Story = {
  args: withSession({ rules: NO_SURCHARGE }, { payHangs: true }),
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await enterCard(el, '4000056655665556');
    await pressPay(el);
  },
};

export const AchPending: Story = {
  name: 'ACH pending',
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await chooseMethod(el, 'ach_debit');
    await enterBank(el);
    await pressPay(el);
    await shows(el, 'pending');
  },
};

export const SuccessReceipt: Story = {
  name: 'Success receipt',
  args: withSession({ rules: NO_SURCHARGE }),
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0, 1);
    await enterCard(el, '4000056655665556');
    await pressPay(el);
    await shows(el, 'receipt');
  },
};

export const Declined: Story = {
  args: withSession({ rules: NO_SURCHARGE }),
  play: async ({ canvasElement }) => {
    const el = await payElement(canvasElement);
    await select(el, 0);
    await enterCard(el, '4000000000000002');
    await pressPay(el);
    await shows(el, 'error');
  },
};

export const ExpiredSession: Story = { args: { fake: { session: 'expired' } } };

export const NetworkError: Story = { args: { fake: { session: 'network-error' } } };

/** A pay link: the session preselects invoices, so the panel opens at once. */
export const PayLink: Story = {
  name: 'Pay link (preselected)',
  args: withSession({ preselectedInvoiceIds: ['inv_1042'], rules: RULES }),
};

async function waitForSelect(root: ShadowRoot | null | undefined, selector: string): Promise<void> {
  await waitFor(
    () => {
      if (!root?.querySelector(selector)) throw new Error(`no ${selector}`);
    },
    { timeout: 8000 },
  );
}
