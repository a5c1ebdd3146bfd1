import { type Invoice, payableAmount, type ReasonCode } from '@settle/schema';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { LocalizeController } from '../../i18n/localize.js';
import { styleProps } from '../../internal/style-props.js';
import { themeStyles } from '../../internal/theme.styles.js';
import { amountExample, editableAmount, parseAmount } from './amount-text.js';
import { styles } from './invoice-list.styles.js';
import { InvoiceOrder, type InvoiceSortKey, type SortDirection } from './invoice-order.js';
import { lineProblems } from './line-check.js';
import { amountInput, type LineFieldsHost, lineDetail } from './line-fields.js';
import { type LineDraft, SettleLinesChangeEvent } from './lines-change.js';
import { type LineField, type RowMessages, rowMessages } from './row-messages.js';
import { RowTextCache } from './row-text.js';
import { WindowController } from './window-controller.js';

export type { InvoiceSortKey, SortDirection } from './invoice-order.js';
export type { LineDraft } from './lines-change.js';

/**
 * The customer's open invoices: select what to pay, change the amount per invoice, and give a
 * reason (and a note when the reason needs one) right on the line when paying less. Renders
 * only the rows in view, so ten thousand invoices scroll like ten. It updates its own `lines`
 * and announces every change, whether or not the listener writes `lines` back; it never
 * computes totals.
 *
 * @summary A sortable, windowed table of open invoices with per-line amounts and short-pay reasons.
 *
 * @event {SettleLinesChangeEvent} settle-lines-change - The selection or a line changed; `detail.lines` is a new map, `detail.valid` says whether every line can be paid as shown.
 *
 * @csspart base - The bordered frame around the table.
 * @csspart header - The column headers: select all and the sort buttons.
 * @csspart row - One invoice.
 * @csspart amount - The amount-to-pay input of a selected invoice.
 * @csspart badge - The "Overdue N days" badge.
 * @csspart reason - The reason select of a short-paid invoice.
 * @csspart note - The note input of a short-paid invoice.
 *
 * @cssproperty [--settle-invoice-list-max-height=420px] - The height past which the list scrolls.
 * @cssproperty [--settle-invoice-list-row-height=56px] - The height of one row in the wide table layout; narrower layouts add room for the lines they stack.
 */
export class SettleInvoiceList extends LitElement {
  static override styles = [themeStyles, styles];
  // Reactive properties declared here rather than with @property/@state: the decorators' runtime
  // costs settle.js about 400 B brotli of its 20 KB budget (docs/decisions/0008). Each keeps its doc on its field.
  static override properties = {
    focusedId: { state: true },
    editingId: { state: true },
    invoices: { attribute: false },
    currency: {},
    reasonCodes: { attribute: false },
    lines: { attribute: false },
    locale: {},
    today: {},
    issues: { attribute: false },
    disabled: { type: Boolean, reflect: true },
    sortBy: { attribute: 'sort-by' },
    sortDirection: { attribute: 'sort-direction' },
  };

  readonly #lc = new LocalizeController(this, () => this.locale);
  readonly #window = new WindowController(this);
  readonly #fields: LineFieldsHost = {
    lc: this.#lc,
    disabled: () => this.disabled,
    reasonCodes: () => this.reasonCodes,
    onAmountFocus: (invoice, input) => this.handleAmountFocus(invoice, input),
    onAmountInput: (invoice, text) => this.handleAmountInput(invoice, text),
    onAmountBlur: (invoice) => this.handleAmountBlur(invoice),
    onReason: (id, reasonCode) => this.#updateLine(id, { reasonCode }),
    onNote: (id, note) => this.#updateLine(id, { note }),
    onLeave: (id, field) => this.handleTouched(id, field),
  };
  /** Text of amount inputs being edited, and of those left with text that does not parse. */
  readonly #texts = new Map<string, string>();
  /** Reason and note fields the payer has left, so their "missing" messages may show. */
  readonly #touched = new Set<string>();
  #revealAll = false;
  /** Set when the private maps above change: messages and row heights need a new layout. */
  #dirty = true;
  #localeKey = '';
  readonly #order = new InvoiceOrder();
  readonly #text = new RowTextCache();
  #sorted: Invoice[] = [];
  #indexOf = new Map<string, number>();
  #payable: Invoice[] = [];
  #payableIds = new Set<string>();
  #messages = new Map<string, RowMessages>();

  /** The row that has focus, kept rendered when it scrolls out of the window. */
  private focusedId: string | null = null;
  /** The row whose amount is being edited: its text is left as typed, not formatted, meanwhile. */
  private editingId: string | null = null;

  /** The open invoices to list. */
  invoices: Invoice[] = [];
  /** The session's currency (ISO 4217); amounts are typed and parsed in it. */
  currency = '';
  /** The merchant's reasons for paying less. */
  reasonCodes: ReasonCode[] = [];
  /** The selected invoices (id -> draft). Replaced, never mutated, on every change. */
  lines: ReadonlyMap<string, LineDraft> = new Map();
  /** A BCP 47 locale for strings, amounts and dates; defaults to the page's. */
  locale?: string;
  /** The date overdue days count to (YYYY-MM-DD); defaults to today in UTC. */
  today?: string;
  /** Messages by field path (`allocations.<invoiceId>.amount|reasonCode|note`), shown on that line. */
  issues: Record<string, string> = {};
  /** Disables every control, e.g. while a payment is processing. */
  disabled = false;
  /** The column the rows are ordered by. */
  sortBy: InvoiceSortKey = 'dueDate';
  /** The order of the rows. */
  sortDirection: SortDirection = 'asc';

  /**
   * Derives the order and the layout before rendering. In `update` rather than `willUpdate`
   * because the LocalizeController settles the locale in `hostUpdate`, which runs in between.
   */
  protected override update(changed: PropertyValues<this>): void {
    const lc = this.#lc;
    const localeKey = `${lc.locale}\u0000${lc.t('listLabel')}`;
    const relocalized = localeKey !== this.#localeKey;
    this.#localeKey = localeKey;
    if (changed.has('lines')) this.#forgetUnselected();
    if (changed.has('invoices')) {
      this.#payable = this.invoices.filter((i) => payableAmount(i) > 0);
      this.#payableIds = new Set(this.#payable.map((i) => i.id));
    }
    if (relocalized || changed.has('invoices') || changed.has('sortBy') || changed.has('sortDirection')) this.#sort();
    const viewOnly = ['focusedId', 'editingId'];
    const relayout = relocalized || this.#dirty || this.#window.stale;
    if (relayout || [...changed.keys()].some((k) => !viewOnly.includes(k as string))) this.#layout();
    this.#dirty = false;
    super.update(changed);
  }

  /** True when every selected line can be paid as shown. */
  checkValidity(): boolean {
    return this.#isValid(this.lines);
  }

  /** Like `checkValidity`, and also shows every line's problems and moves focus to the first. */
  reportValidity(): boolean {
    const first = this.#firstInvalid();
    this.#revealAll = true;
    this.#invalidate();
    if (first) void this.#focusField(first.id, first.field);
    return first === undefined;
  }

  #sort(): void {
    this.#sorted = this.#order.sorted(this.invoices, this.sortBy, this.sortDirection, this.#lc.locale);
    this.#indexOf = new Map(this.#sorted.map((invoice, i) => [invoice.id, i]));
  }

  /** Row messages and the prefix sums of row heights (a selected row may grow by fixed extras). */
  #layout(): void {
    this.#messages = rowMessages(
      this.issues,
      this.lines,
      (id) => this.#indexOf.has(id),
      (id, line) => {
        const index = this.#indexOf.get(id);
        return index === undefined ? {} : this.#localMessages(id, this.#sorted[index]!, line);
      },
    );
    this.#window.layout(this.#sorted.length, (i, { row, selected, fields, messages }) => {
      const invoice = this.#sorted[i]!;
      const line = this.lines.get(invoice.id);
      let height = row + (this.#messages.has(invoice.id) ? messages : 0);
      if (line) height += selected + (line.amount < payableAmount(invoice) ? fields : 0);
      return height;
    });
  }

  /** The amount input's text read as minor units; the line's amount when nothing is being typed. */
  #typed(invoice: Invoice, line: LineDraft): number | undefined {
    const text = this.#texts.get(invoice.id);
    return text === undefined ? line.amount : parseAmount(text, this.#currencyOf(invoice), this.#lc.locale);
  }

  /** The element's own messages for a line. "Missing" ones wait until the field was left or reportValidity(). */
  #localMessages(id: string, invoice: Invoice, line: LineDraft): Partial<Record<LineField, string>> {
    const t = this.#lc;
    const currency = this.#currencyOf(invoice);
    const out: Partial<Record<LineField, string>> = {};
    for (const problem of lineProblems(invoice, line, this.#typed(invoice, line), this.reasonCodes)) {
      if (problem.field === 'amount') {
        out.amount =
          problem.code === 'unreadable'
            ? t.t('listAmountInvalid', amountExample(currency, t.locale))
            : problem.code === 'zero'
              ? t.t('listAmountZero')
              : t.t('listAmountOver', t.money(payableAmount(invoice), currency));
      } else if (this.#revealAll || this.#touched.has(`${id}.${problem.field}`)) {
        out[problem.field] = problem.field === 'reasonCode' ? t.t('listReasonMissing') : t.t('listNoteMissing');
      }
    }
    return out;
  }

  #problemsOf(invoice: Invoice, lines: ReadonlyMap<string, LineDraft>) {
    const line = lines.get(invoice.id);
    return line ? lineProblems(invoice, line, this.#typed(invoice, line), this.reasonCodes) : [];
  }

  #isValid(lines: ReadonlyMap<string, LineDraft>): boolean {
    for (const id of lines.keys()) {
      const invoice = this.#sorted[this.#indexOf.get(id) ?? -1];
      if (invoice && this.#problemsOf(invoice, lines).length > 0) return false;
    }
    return true;
  }

  /** The first line, in the order shown, that cannot be paid as shown, and its first field to fix. */
  #firstInvalid(): { id: string; field: LineField } | undefined {
    for (const invoice of this.#sorted) {
      const [problem] = this.#problemsOf(invoice, this.lines);
      if (problem) return { id: invoice.id, field: problem.field };
    }
    return undefined;
  }

  async #focusField(id: string, field: LineField): Promise<void> {
    const index = this.#indexOf.get(id);
    if (index === undefined) return;
    await this.#window.reveal(index);
    const row = [...this.renderRoot.querySelectorAll<HTMLElement>('[role="row"][data-id]')].find(
      (r) => r.dataset.id === id,
    );
    row?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus();
  }

  /** Drops what was typed on lines the listener has since removed (after a payment, say). */
  #forgetUnselected(): void {
    for (const id of this.#texts.keys()) if (!this.lines.has(id)) this.#texts.delete(id);
    for (const key of this.#touched) if (!this.lines.has(key.slice(0, key.lastIndexOf('.')))) this.#touched.delete(key);
  }

  /** The amount input's value: the text being typed or left unreadable, else the formatted amount. */
  #shownAmount(invoice: Invoice, line: LineDraft): string {
    const text = this.#texts.get(invoice.id);
    if (text !== undefined) return text;
    return this.editingId === invoice.id ? '' : this.#lc.money(line.amount, this.#currencyOf(invoice));
  }

  #invalidate(): void {
    this.#dirty = true;
    this.requestUpdate();
  }

  #currencyOf(invoice: Invoice): string {
    return this.currency || invoice.currency;
  }

  #commit(next: ReadonlyMap<string, LineDraft>): void {
    this.lines = next;
    const lines = next instanceof Map ? next : new Map(next);
    const event = new SettleLinesChangeEvent({ lines, valid: this.#isValid(next) });
    this.dispatchEvent(event);
  }

  #draftFor(invoice: Invoice): LineDraft {
    return { amount: payableAmount(invoice), reasonCode: null, note: '' };
  }

  #updateLine(id: string, patch: Partial<LineDraft>): void {
    const line = this.lines.get(id);
    if (!line) return;
    this.#commit(new Map(this.lines).set(id, { ...line, ...patch }));
  }

  private handleFocusIn(event: FocusEvent): void {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-id]');
    this.focusedId = row?.dataset.id ?? null;
  }

  private handleFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (!next || !(event.currentTarget as HTMLElement).contains(next)) this.focusedId = null;
  }

  private handleSelectAll(): void {
    const allSelected = this.#payable.length > 0 && this.#payable.every((i) => this.lines.has(i.id));
    if (allSelected) {
      this.#commit(new Map());
      return;
    }
    const next = new Map(this.lines);
    for (const invoice of this.#payable) if (!next.has(invoice.id)) next.set(invoice.id, this.#draftFor(invoice));
    this.#commit(next);
  }

  private handleSelect(invoice: Invoice, checked: boolean): void {
    const next = new Map(this.lines);
    if (checked) next.set(invoice.id, this.#draftFor(invoice));
    else next.delete(invoice.id);
    this.#commit(next);
  }

  private handleAmountFocus(invoice: Invoice, input: HTMLInputElement): void {
    const line = this.lines.get(invoice.id);
    if (line && !this.#texts.has(invoice.id)) {
      this.#texts.set(invoice.id, editableAmount(line.amount, this.#currencyOf(invoice), this.#lc.locale));
      this.#dirty = true;
    }
    this.editingId = invoice.id;
    void this.updateComplete.then(() => input.select());
  }

  private handleAmountInput(invoice: Invoice, text: string): void {
    this.#texts.set(invoice.id, text);
    const amount = parseAmount(text, this.#currencyOf(invoice), this.#lc.locale);
    // An unreadable or zero amount keeps the last good one in `lines` and reports `valid: false`.
    if (amount && amount !== this.lines.get(invoice.id)?.amount) this.#updateLine(invoice.id, { amount });
    else this.#commit(new Map(this.lines));
  }

  private handleAmountBlur(invoice: Invoice): void {
    const text = this.#texts.get(invoice.id);
    if (text !== undefined && parseAmount(text, this.#currencyOf(invoice), this.#lc.locale)) {
      this.#texts.delete(invoice.id);
    }
    this.editingId = null;
    this.#invalidate();
  }

  private handleTouched(id: string, field: LineField): void {
    this.#touched.add(`${id}.${field}`);
    this.#invalidate();
  }

  protected override render(): TemplateResult {
    const t = this.#lc;
    const range = this.#window.range();
    const indices: number[] = [];
    const focused = this.focusedId === null ? undefined : this.#indexOf.get(this.focusedId);
    if (focused !== undefined && focused < range.start) indices.push(focused);
    for (let i = range.start; i < range.end; i++) indices.push(i);
    if (focused !== undefined && focused >= range.end) indices.push(focused);
    const total = this.#window.total;
    const today = this.today ?? new Date().toISOString().slice(0, 10);
    return html`
      <div part="base" class="base">
        <div class="table" role="table" aria-label=${t.t('listLabel')} aria-rowcount=${this.#sorted.length + 1}>
          ${this.renderHeader()}
          <div
            class="viewport"
            role="rowgroup"
            @scroll=${this.#window.handleScroll}
            @focusin=${this.handleFocusIn}
            @focusout=${this.handleFocusOut}
          >
            ${
              this.#sorted.length === 0
                ? html`<div role="row"><div role="cell" class="empty">${t.t('listEmpty')}</div></div>`
                : html`<div class="spacer" ${styleProps({ height: `${total}px` })}>
                  ${repeat(
                    indices,
                    (i) => this.#sorted[i]!.id,
                    (i) => this.renderRow(this.#sorted[i]!, i, today),
                  )}
                </div>`
            }
          </div>
        </div>
        <div class="probes" aria-hidden="true">
          <div class="probe probe-row"></div>
          <div class="probe probe-selected"></div>
          <div class="probe probe-fields"></div>
          <div class="probe probe-messages"></div>
        </div>
      </div>
    `;
  }

  private renderHeader(): TemplateResult {
    const t = this.#lc;
    let selected = 0;
    for (const id of this.lines.keys()) if (this.#payableIds.has(id)) selected++;
    const all = selected > 0 && selected === this.#payable.length;
    return html`
      <div part="header" class="header" role="rowgroup">
        <div class="grid" role="row" aria-rowindex="1">
          <div class="c-check" role="columnheader">
            <label class="select-all">
              <input
                type="checkbox"
                aria-label=${t.t('listSelectAllLabel')}
                .checked=${live(all)}
                .indeterminate=${selected > 0 && !all}
                ?disabled=${this.disabled || this.#payable.length === 0}
                @change=${this.handleSelectAll}
              />
              <span class="select-all-text" aria-hidden="true">${t.t('listSelectAll')}</span>
            </label>
          </div>
          ${this.renderSortHeader('number', t.t('listColInvoice'), 'c-invoice')}
          <div class="c-issued" role="columnheader">${t.t('listColIssued')}</div>
          ${this.renderSortHeader('dueDate', t.t('listColDue'), 'c-due')}
          <div class="c-amount num" role="columnheader">${t.t('listColAmount')}</div>
          ${this.renderSortHeader('amount', t.t('listColBalance'), 'c-balance num')}
          <div class="c-pay num" role="columnheader">${t.t('listColPay')}</div>
        </div>
      </div>
    `;
  }

  private renderSortHeader(key: InvoiceSortKey, label: string, cls: string): TemplateResult {
    const active = this.sortBy === key;
    const sort = active ? (this.sortDirection === 'asc' ? 'ascending' : 'descending') : 'none';
    const icon = active ? (this.sortDirection === 'asc' ? '▲' : '▼') : '↕';
    const toggle = () => {
      this.sortDirection = active && this.sortDirection === 'asc' ? 'desc' : 'asc';
      this.sortBy = key;
      this.#window.scrollToTop();
    };
    return html`
      <div class=${cls} role="columnheader" aria-sort=${sort}>
        <button type="button" class="sort" @click=${toggle}>
          ${label}<span class="sort-icon" aria-hidden="true">${icon}</span>
        </button>
      </div>
    `;
  }

  private renderRow(invoice: Invoice, index: number, today: string): TemplateResult {
    const text = this.#text.get(invoice, this.#lc, this.currency, today);
    const line = this.lines.get(invoice.id);
    const payable = payableAmount(invoice);
    const top = this.#window.top(index);
    const height = this.#window.height(index);
    const messages = this.#messages.get(invoice.id);
    const short = line ? payable - line.amount : 0;
    const shortText = short > 0 ? this.#lc.money(short, this.#currencyOf(invoice)) : null;
    return html`
      <div
        part="row"
        class="grid row ${line ? 'selected' : ''}"
        role="row"
        aria-rowindex=${index + 2}
        data-id=${invoice.id}
        ${styleProps({ transform: `translateY(${top}px)`, height: `${height}px` })}
      >
        <div class="c-check" role="cell">
          <input
            type="checkbox"
            aria-label=${text.selectLabel}
            .checked=${live(line !== undefined)}
            ?disabled=${this.disabled || (payable === 0 && !line)}
            @change=${(e: Event) => this.handleSelect(invoice, (e.target as HTMLInputElement).checked)}
          />
        </div>
        <div class="c-invoice" role="cell">
          ${
            text.documentUrl
              ? html`<a class="number" href=${text.documentUrl} target="_blank" rel="noopener noreferrer" aria-label=${text.documentLabel}
                  >${invoice.number}<span class="external" aria-hidden="true">↗</span></a
                >`
              : html`<span class="number">${invoice.number}</span>`
          }
          ${text.po ? html`<span class="meta">${text.po}</span>` : nothing}
          <span class="meta issued-inline">${text.issued}</span>
        </div>
        <div class="c-issued" role="cell">${text.issuedDate}</div>
        <div class="c-due" role="cell">
          <span>${text.due}</span>
          ${text.overdue ? html`<span><span part="badge" class="badge">${text.overdue}</span></span>` : nothing}
        </div>
        <div class="c-amount num" role="cell">
          <span class="cell-label">${this.#lc.t('listColAmount')}</span> ${text.amount}
        </div>
        <div class="c-balance num" role="cell">
          <span>${text.open}</span>
          ${text.pending ? html`<span class="pending">${text.pending}</span>` : nothing}
        </div>
        <div class="c-pay" role="cell">
          ${line ? amountInput(this.#fields, invoice, this.#shownAmount(invoice, line), messages) : nothing}
          ${short > 0 || messages ? lineDetail(this.#fields, invoice, line, shortText, messages) : nothing}
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'settle-invoice-list': SettleInvoiceList;
  }
}
