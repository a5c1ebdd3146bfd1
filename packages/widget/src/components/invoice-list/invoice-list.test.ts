import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { Invoice, ReasonCode } from '@settle/schema';
import { define } from '../../internal/define.js';
import { type LineDraft, SettleInvoiceList } from './invoice-list.js';
import type { SettleLinesChangeEvent } from './lines-change.js';

define('settle-invoice-list', SettleInvoiceList);

const invoice = (over: Partial<Invoice> & Pick<Invoice, 'id'>): Invoice => ({
  number: over.id.toUpperCase(),
  issueDate: '2026-01-05',
  dueDate: '2026-02-04',
  currency: 'USD',
  amount: 50_000,
  openAmount: 45_635,
  pendingAmount: 0,
  documentUrl: null,
  poNumber: null,
  ...over,
});

const INVOICES: Invoice[] = [
  invoice({ id: 'inv-10231', amount: 123_450, openAmount: 45_635, dueDate: '2026-03-07', poNumber: 'PO-7781' }),
  invoice({
    id: 'inv-10240',
    amount: 200_000,
    openAmount: 200_000,
    dueDate: '2026-04-15',
    documentUrl: 'https://erp.example.com/docs/inv-10240.pdf',
  }),
  invoice({ id: 'inv-10250', amount: 30_000, openAmount: 30_000, pendingAmount: 30_000, dueDate: '2026-05-01' }),
  invoice({ id: 'inv-9999', amount: 80_000, openAmount: 80_000, pendingAmount: 20_000, dueDate: '2026-03-20' }),
];

const REASONS: ReasonCode[] = [
  { code: 'pricing', label: 'Pricing dispute', requiresNote: false, erpCode: null, leavesOpen: false },
  { code: 'damaged', label: 'Damaged goods', requiresNote: true, erpCode: 'DMG', leavesOpen: false },
];

async function list(props: Partial<SettleInvoiceList> = {}, width?: number): Promise<SettleInvoiceList> {
  const frame = await fixture<HTMLDivElement>(html`<div></div>`);
  if (width) frame.style.width = `${width}px`;
  const el = document.createElement('settle-invoice-list');
  Object.assign(el, { invoices: INVOICES, currency: 'USD', locale: 'en-US', today: '2026-03-10' }, props);
  el.reasonCodes = props.reasonCodes ?? REASONS;
  frame.append(el);
  await settle(el);
  return el;
}

/** Lets the element render, measure its rows on the next frame, and render again. */
async function settle(el: SettleInvoiceList): Promise<void> {
  await el.updateComplete;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await el.updateComplete;
}

const $ = <T extends Element = HTMLElement>(root: ParentNode, selector: string): T => {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
};
const rows = (el: SettleInvoiceList) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="row"][data-id]')];
const row = (el: SettleInvoiceList, id: string) => {
  const found = rows(el).find((r) => r.dataset.id === id);
  if (!found) throw new Error(`row ${id} is not rendered`);
  return found;
};
const text = (node: Element) => (node.textContent ?? '').replace(/\s+/g, ' ').trim();
const checkbox = (el: SettleInvoiceList, id: string) => $<HTMLInputElement>(row(el, id), 'input[type="checkbox"]');
const selectAll = (el: SettleInvoiceList) => $<HTMLInputElement>(el.shadowRoot!, '[role="columnheader"] input');

async function change(el: SettleInvoiceList, act: () => void): Promise<SettleLinesChangeEvent['detail']> {
  const event = oneEvent(el, 'settle-lines-change');
  act();
  const { detail } = await event;
  await el.updateComplete;
  return detail;
}

async function typeAmount(el: SettleInvoiceList, id: string, value: string) {
  const input = $<HTMLInputElement>(row(el, id), 'input.amount');
  input.focus();
  await el.updateComplete;
  return change(el, () => {
    input.value = value;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  });
}

const selected = (id: string, amount: number): ReadonlyMap<string, LineDraft> =>
  new Map([[id, { amount, reasonCode: null, note: '' }]]);

describe('<settle-invoice-list>', () => {
  it('lists each invoice with its number, dates and amounts formatted for the locale', async () => {
    const el = await list();
    const first = row(el, 'inv-10231');
    expect(text(first)).to.contain('INV-10231');
    expect(text(first)).to.contain('PO PO-7781');
    expect(text(first)).to.contain('Mar 7, 2026');
    expect(text(first)).to.contain('Issued Jan 5, 2026');
    expect(text(first)).to.contain('$1,234.50');
    expect(text(first)).to.contain('$456.35');
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(['inv-10231', 'inv-9999', 'inv-10240', 'inv-10250']);
    await expect(el).to.be.accessible();
  });

  it('marks an invoice past its due date with the number of days overdue', async () => {
    const el = await list();
    expect(text($(row(el, 'inv-10231'), '[part="badge"]'))).to.equal('Overdue 3 days');
    expect(row(el, 'inv-10240').querySelector('[part="badge"]')).to.equal(null);
    el.today = '2026-04-16';
    await el.updateComplete;
    expect(text($(row(el, 'inv-10240'), '[part="badge"]'))).to.equal('Overdue 1 day');
    await expect(el).to.be.accessible();
  });

  it('selects an invoice for its payable balance and says so in a new map', async () => {
    const el = await list();
    const before = el.lines;
    const box = checkbox(el, 'inv-9999');
    expect(box.getAttribute('aria-label')).to.equal('Pay invoice INV-9999, $600.00 open');
    const detail = await change(el, () => box.click());
    expect([...detail.lines]).to.deep.equal([['inv-9999', { amount: 60_000, reasonCode: null, note: '' }]]);
    expect(detail.valid).to.equal(true);
    expect(detail.lines).not.to.equal(before);
    expect(before.size).to.equal(0);
    expect($<HTMLInputElement>(row(el, 'inv-9999'), 'input.amount').value).to.equal('$600.00');
    await expect(el).to.be.accessible();

    const again = await change(el, () => checkbox(el, 'inv-9999').click());
    expect(again.lines.size).to.equal(0);
    expect(row(el, 'inv-9999').querySelector('input.amount')).to.equal(null);
  });

  it('selects every payable invoice from the tri-state header, and deselects them all', async () => {
    const el = await list();
    const all = selectAll(el);
    expect(all.getAttribute('aria-label')).to.equal('Select all payable invoices');
    await change(el, () => checkbox(el, 'inv-10240').click());
    expect(all.indeterminate).to.equal(true);
    expect(all.checked).to.equal(false);
    await expect(el).to.be.accessible();

    const everything = await change(el, () => all.click());
    expect([...everything.lines.keys()].sort()).to.deep.equal(['inv-10231', 'inv-10240', 'inv-9999']);
    expect(everything.lines.get('inv-9999')?.amount).to.equal(60_000);
    expect(all.checked).to.equal(true);
    expect(all.indeterminate).to.equal(false);
    await expect(el).to.be.accessible();

    const none = await change(el, () => all.click());
    expect(none.lines.size).to.equal(0);
    expect(all.checked).to.equal(false);
  });

  it('reads a typed amount exactly and refuses text that is not an amount', async () => {
    const el = await list({ lines: selected('inv-10240', 200_000) });
    const input = $<HTMLInputElement>(row(el, 'inv-10240'), 'input.amount');
    expect(input.getAttribute('inputmode')).to.equal('decimal');
    expect((await typeAmount(el, 'inv-10240', '1,234.5')).lines.get('inv-10240')?.amount).to.equal(123_450);
    expect((await typeAmount(el, 'inv-10240', '0.07')).lines.get('inv-10240')?.amount).to.equal(7);

    const refused = await typeAmount(el, 'inv-10240', '12.345');
    expect(refused.valid).to.equal(false);
    expect(refused.lines.get('inv-10240')?.amount).to.equal(7);
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    const message = el.shadowRoot!.getElementById(input.getAttribute('aria-describedby')!);
    expect(text(message!)).to.equal('Enter an amount such as 1,234.56');
    expect(el.checkValidity()).to.equal(false);
    await expect(el).to.be.accessible();

    await typeAmount(el, 'inv-10240', '2000');
    input.blur();
    await el.updateComplete;
    expect(input.value).to.equal('$2,000.00');
    expect(input.getAttribute('aria-invalid')).to.equal('false');
  });

  it('asks for a reason code, and a note when the reason needs one, when an invoice is short-paid', async () => {
    const el = await list({ lines: selected('inv-10231', 45_635) });
    expect(row(el, 'inv-10231').querySelector('[part="reason"]')).to.equal(null);
    const short = await typeAmount(el, 'inv-10231', '400');
    expect(short.lines.get('inv-10231')?.amount).to.equal(40_000);
    expect(short.valid).to.equal(false);
    const line = row(el, 'inv-10231');
    const reason = $<HTMLSelectElement>(line, '[part="reason"]');
    expect(text(line)).to.contain('Paying $56.35 less');
    expect([...reason.options].map((o) => o.text)).to.deep.equal([
      'Choose a reason',
      'Pricing dispute',
      'Damaged goods',
    ]);
    await expect(el).to.be.accessible();

    const withReason = await change(el, () => {
      reason.value = 'damaged';
      reason.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(withReason.lines.get('inv-10231')).to.deep.equal({ amount: 40_000, reasonCode: 'damaged', note: '' });
    expect(withReason.valid).to.equal(false);
    const note = $<HTMLInputElement>(line, '[part="note"]');
    expect(note.required).to.equal(true);
    expect(note.placeholder).to.equal('Note (required)');
    note.focus();
    note.blur();
    await el.updateComplete;
    expect(note.getAttribute('aria-invalid')).to.equal('true');
    expect(text(el.shadowRoot!.getElementById(note.getAttribute('aria-describedby')!)!)).to.equal(
      'This reason needs a note',
    );
    await expect(el).to.be.accessible();

    const withNote = await change(el, () => {
      note.value = 'Two cartons crushed';
      note.dispatchEvent(new InputEvent('input', { bubbles: true }));
    });
    expect(withNote.lines.get('inv-10231')?.note).to.equal('Two cartons crushed');
    expect(withNote.valid).to.equal(true);
    expect(note.getAttribute('aria-invalid')).to.equal('false');
  });

  it('brings the first line that cannot be paid into view and focuses it on reportValidity()', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      invoice({
        id: `inv-${i}`,
        number: `INV-${i}`,
        dueDate: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10),
      }),
    );
    const lines = new Map([
      ['inv-9000', { amount: 100, reasonCode: null, note: '' }],
      ['inv-9500', { amount: 45_635, reasonCode: null, note: '' }],
    ]);
    const el = await list({ invoices: many, lines });
    expect(el.checkValidity()).to.equal(false);
    expect(rows(el).some((r) => r.dataset.id === 'inv-9000')).to.equal(false);
    expect(el.reportValidity()).to.equal(false);
    await waitUntil(() => el.shadowRoot!.activeElement?.getAttribute('part') === 'reason', 'the reason is focused');
    const reason = $<HTMLSelectElement>(row(el, 'inv-9000'), '[part="reason"]');
    expect(el.shadowRoot!.activeElement).to.equal(reason);
    expect(text(el.shadowRoot!.getElementById(reason.getAttribute('aria-describedby')!)!)).to.equal(
      'Choose why you are paying less',
    );
    await expect(el).to.be.accessible();
  });

  it('disables every control while disabled', async () => {
    const el = await list({
      disabled: true,
      lines: new Map([['inv-10231', { amount: 100, reasonCode: null, note: '' }]]),
    });
    const controls = [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('input, select')];
    expect(controls.length).to.be.greaterThan(5);
    expect(controls.every((c) => c.disabled)).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('keeps the controls of a line in Tab order: checkbox, amount, reason, note', async () => {
    const el = await list({ lines: new Map([['inv-10231', { amount: 100, reasonCode: null, note: '' }]]) });
    const focusable = [...row(el, 'inv-10231').querySelectorAll<HTMLElement>('input, select, a, button')];
    expect(focusable.map((f) => f.getAttribute('part') ?? f.getAttribute('type'))).to.deep.equal([
      'checkbox',
      'amount',
      'reason',
      'note',
    ]);
    expect(focusable.every((f) => !f.hasAttribute('tabindex'))).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('shows an error on the line when the amount is above the open balance', async () => {
    const el = await list({ lines: selected('inv-10231', 45_635) });
    const over = await typeAmount(el, 'inv-10231', '500');
    expect(over.lines.get('inv-10231')?.amount).to.equal(50_000);
    expect(over.valid).to.equal(false);
    const input = $<HTMLInputElement>(row(el, 'inv-10231'), 'input.amount');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(text(el.shadowRoot!.getElementById(input.getAttribute('aria-describedby')!)!)).to.equal(
      'That is more than the open balance of $456.35',
    );
    expect(row(el, 'inv-10231').querySelector('[part="reason"]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows the listener’s issues on their line', async () => {
    const el = await list({
      lines: new Map([['inv-10231', { amount: 100, reasonCode: null, note: '' }]]),
      issues: {
        'allocations.inv-10231.reasonCode': 'Paying less than $456.35 on invoice INV-10231 needs a reason',
        'allocations.inv-10240.invoiceId': 'Invoice INV-10240 already has a payment pending',
      },
    });
    const reason = $<HTMLSelectElement>(row(el, 'inv-10231'), '[part="reason"]');
    expect(reason.getAttribute('aria-invalid')).to.equal('true');
    expect(text(el.shadowRoot!.getElementById(reason.getAttribute('aria-describedby')!)!)).to.contain('needs a reason');
    expect(text(row(el, 'inv-10240'))).to.contain('Invoice INV-10240 already has a payment pending');
    await expect(el).to.be.accessible();
  });

  it('shows a pending payment and does not let an invoice with nothing payable be selected', async () => {
    const el = await list();
    const pending = checkbox(el, 'inv-10250');
    expect(pending.disabled).to.equal(true);
    expect(pending.getAttribute('aria-label')).to.equal('Invoice INV-10250: a payment is pending, nothing left to pay');
    expect(text(row(el, 'inv-10250'))).to.contain('$300.00 pending');
    expect(text(row(el, 'inv-9999'))).to.contain('$200.00 pending');
    expect(checkbox(el, 'inv-9999').disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('sorts by number, due date and balance, and tells assistive technology the order', async () => {
    const el = await list();
    const header = (name: string) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="columnheader"]')].find((h) => text(h).startsWith(name))!;
    expect(header('Due date').getAttribute('aria-sort')).to.equal('ascending');
    expect(header('Invoice').getAttribute('aria-sort')).to.equal('none');

    $<HTMLButtonElement>(header('Invoice'), 'button').click();
    await el.updateComplete;
    expect(header('Invoice').getAttribute('aria-sort')).to.equal('ascending');
    expect(header('Due date').getAttribute('aria-sort')).to.equal('none');
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(['inv-9999', 'inv-10231', 'inv-10240', 'inv-10250']);
    await expect(el).to.be.accessible();

    $<HTMLButtonElement>(header('Invoice'), 'button').click();
    await el.updateComplete;
    expect(header('Invoice').getAttribute('aria-sort')).to.equal('descending');
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(['inv-10250', 'inv-10240', 'inv-10231', 'inv-9999']);

    $<HTMLButtonElement>(header('Open balance'), 'button').click();
    await el.updateComplete;
    expect(header('Open balance').getAttribute('aria-sort')).to.equal('ascending');
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(['inv-10250', 'inv-10231', 'inv-9999', 'inv-10240']);
    await expect(el).to.be.accessible();
  });

  it('links to the invoice document in a new tab, and only over http(s)', async () => {
    const el = await list({
      invoices: [...INVOICES, invoice({ id: 'inv-evil', documentUrl: 'javascript:alert(1)' })],
    });
    const link = $<HTMLAnchorElement>(row(el, 'inv-10240'), 'a');
    expect(link.href).to.equal('https://erp.example.com/docs/inv-10240.pdf');
    expect(link.target).to.equal('_blank');
    expect(link.rel.split(' ')).to.include('noopener');
    expect(link.getAttribute('aria-label')).to.equal('Invoice INV-10240 document (opens in a new tab)');
    expect(row(el, 'inv-evil').querySelector('a')).to.equal(null);
    expect(row(el, 'inv-10231').querySelector('a')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('renders only the rows in view of 10,000 invoices and scrolls to the last', async () => {
    const start = Date.UTC(2020, 0, 1);
    const many = Array.from({ length: 10_000 }, (_, i) =>
      invoice({
        id: `inv-${i + 1}`,
        number: `INV-${String(i + 1).padStart(5, '0')}`,
        dueDate: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
        issueDate: '2019-12-01',
      }),
    );
    const el = await list({ invoices: many });
    expect(rows(el).length).to.be.greaterThan(5).and.lessThan(60);
    expect(el.shadowRoot!.querySelector('[role="table"]')!.getAttribute('aria-rowcount')).to.equal('10001');
    await expect(el).to.be.accessible();

    const first = checkbox(el, 'inv-1');
    first.focus();
    const viewport = $(el.shadowRoot!, '.viewport');
    viewport.scrollTop = viewport.scrollHeight;
    await waitUntil(() => rows(el).some((r) => r.dataset.id === 'inv-10000'), 'the last invoice is shown');
    const last = row(el, 'inv-10000');
    expect(text(last)).to.contain('INV-10000');
    expect(last.getAttribute('aria-rowindex')).to.equal('10001');
    const viewBox = viewport.getBoundingClientRect();
    expect(last.getBoundingClientRect().bottom).to.be.within(viewBox.top, viewBox.bottom + 1);
    expect(rows(el).length).to.be.lessThan(60);
    // The focused row stays rendered while it is scrolled away, so focus is not lost.
    expect(el.shadowRoot!.activeElement).to.equal(first);
    await expect(el).to.be.accessible();
  });

  it('formats amounts, dates and words in German, and reads German amounts', async () => {
    const el = await list({ locale: 'de', lines: selected('inv-10240', 200_000) });
    await waitUntil(() => text(row(el, 'inv-10231')).includes('Ausgestellt'), 'German strings load');
    const first = row(el, 'inv-10231');
    expect(text(first).replace(/\u00a0/g, ' ')).to.contain('1.234,50 $');
    expect(text(first)).to.contain('07.03.2026');
    expect(text($(first, '[part="badge"]'))).to.equal('3 Tage überfällig');
    expect((await typeAmount(el, 'inv-10240', '1.234,5')).lines.get('inv-10240')?.amount).to.equal(123_450);
    await expect(el).to.be.accessible();
  });

  it('lays each invoice out as a card at 320px without overflowing', async () => {
    const el = await list({ lines: selected('inv-10231', 40_000) }, 320);
    expect(el.getBoundingClientRect().width).to.equal(320);
    const card = row(el, 'inv-10231');
    expect(getComputedStyle(card).gridTemplateAreas).to.contain('check invoice balance');
    expect(getComputedStyle($(el.shadowRoot!, '.select-all-text')).display).not.to.equal('none');
    const box = card.getBoundingClientRect();
    for (const part of [
      '.number',
      '.c-balance',
      '[part="badge"]',
      'input.amount',
      '[part="reason"]',
      '[part="note"]',
    ]) {
      const r = $(card, part).getBoundingClientRect();
      expect(r.left, part).to.be.at.least(box.left);
      expect(r.right, part).to.be.at.most(box.right);
      expect(r.bottom, part).to.be.at.most(box.bottom);
    }
    const next = row(el, 'inv-9999').getBoundingClientRect();
    expect(next.top).to.be.at.least(box.bottom - 1);
    await expect(el).to.be.accessible();
  });
});
