/**
 * <settle-invoice-list> alone: the rows `<settle-pay>` shows, set through its properties.
 * Selections come in as `lines` (id -> draft), as `<settle-pay>` passes them.
 */
import '@settle/widget/define';
import type { Invoice } from '@settle/schema';
import type { LineDraft } from '@settle/widget';
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { invoice, manyInvoices, RULES } from './fixtures/session.js';

type Args = {
  invoices: Invoice[];
  lines: ReadonlyMap<string, LineDraft>;
  issues: Record<string, string>;
  disabled: boolean;
  locale: string;
  '--settle-invoice-list-max-height'?: string;
  '--settle-invoice-list-row-height'?: string;
};

const THREE = [invoice(1042, 1_284_050, 12), invoice(1043, 452_000, 20), invoice(1038, 98_500, -14)];

const meta: Meta<Args> = {
  title: 'Components/settle-invoice-list',
  component: 'settle-invoice-list',
  args: { invoices: THREE, lines: new Map(), issues: {}, disabled: false, locale: 'en' },
  argTypes: {
    invoices: { table: { disable: true } },
    lines: { table: { disable: true } },
    issues: { control: 'object' },
    locale: { control: 'inline-radio', options: ['en', 'de'] },
    '--settle-invoice-list-max-height': { control: 'text', table: { category: 'Theme tokens' } },
    '--settle-invoice-list-row-height': { control: 'text', table: { category: 'Theme tokens' } },
  },
  render: (args) => {
    const style = [
      args['--settle-invoice-list-max-height'] &&
        `--settle-invoice-list-max-height:${args['--settle-invoice-list-max-height']}`,
      args['--settle-invoice-list-row-height'] &&
        `--settle-invoice-list-row-height:${args['--settle-invoice-list-row-height']}`,
    ]
      .filter(Boolean)
      .join(';');
    return html`<settle-invoice-list
      .invoices=${args.invoices}
      .lines=${args.lines}
      .issues=${args.issues}
      .reasonCodes=${RULES.reasonCodes}
      currency="USD"
      locale=${args.locale}
      ?disabled=${args.disabled}
      style=${style}
    ></settle-invoice-list>`;
  },
};
export default meta;

type Story = StoryObj<Args>;

export const Invoices: Story = {};

export const OneSelected: Story = {
  args: { lines: new Map([['inv_1042', { amount: 1_284_050, reasonCode: null, note: '' }]]) },
};

export const ShortPayNeedsReason: Story = {
  name: 'Short pay needs a reason',
  args: {
    lines: new Map([['inv_1042', { amount: 1_200_000, reasonCode: null, note: '' }]]),
    issues: { 'allocations.inv_1042.reasonCode': 'Paying less than $12,840.50 on invoice INV-01042 needs a reason' },
  },
};

export const ShortPayWithReason: Story = {
  name: 'Short pay with reason and note',
  args: { lines: new Map([['inv_1042', { amount: 1_200_000, reasonCode: 'damaged', note: 'Two pallets crushed' }]]) },
};

export const ManyInvoices: Story = { name: 'Many invoices (5,000, windowed)', args: { invoices: manyInvoices(5000) } };

export const Disabled: Story = {
  args: { disabled: true, lines: new Map([['inv_1043', { amount: 452_000, reasonCode: null, note: '' }]]) },
};
