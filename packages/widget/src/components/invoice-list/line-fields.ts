import type { Invoice, ReasonCode } from '@settle/schema';
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import type { LocalizeController } from '../../i18n/localize.js';
import type { LineDraft } from './lines-change.js';
import type { LineField, RowMessages } from './row-messages.js';

/** What the editable parts of a selected line need from `<settle-invoice-list>`. */
export interface LineFieldsHost {
  lc: LocalizeController;
  disabled(): boolean;
  reasonCodes(): readonly ReasonCode[];
  onAmountFocus(invoice: Invoice, input: HTMLInputElement): void;
  onAmountInput(invoice: Invoice, text: string): void;
  onAmountBlur(invoice: Invoice): void;
  onReason(id: string, code: string | null): void;
  onNote(id: string, note: string): void;
  /** The payer left a field: its "missing" message may show from now on. */
  onLeave(id: string, field: LineField): void;
}

const FIELDS: readonly LineField[] = ['amount', 'reasonCode', 'note'];

const describedBy = (id: string, field: LineField, messages: RowMessages | undefined) =>
  messages?.[field] ? `msg-${field}-${id}` : undefined;

/** The amount to pay on a selected invoice: `shown` is the formatted amount, or the text being typed. */
export function amountInput(
  host: LineFieldsHost,
  invoice: Invoice,
  shown: string,
  messages: RowMessages | undefined,
): TemplateResult {
  const t = host.lc;
  return html`
    <span class="cell-label" aria-hidden="true">${t.t('listColPay')}</span>
    <input
      part="amount"
      class="amount"
      type="text"
      inputmode="decimal"
      autocomplete="off"
      data-field="amount"
      aria-label=${t.t('listAmountLabel', invoice.number)}
      aria-invalid=${messages?.amount ? 'true' : 'false'}
      aria-describedby=${ifDefined(describedBy(invoice.id, 'amount', messages))}
      .value=${live(shown)}
      ?disabled=${host.disabled()}
      @focus=${(e: FocusEvent) => host.onAmountFocus(invoice, e.target as HTMLInputElement)}
      @input=${(e: InputEvent) => host.onAmountInput(invoice, (e.target as HTMLInputElement).value)}
      @blur=${() => host.onAmountBlur(invoice)}
    />
  `;
}

/** Below a line: the reason and note of a short payment (`shortText`: how much less, formatted), then its messages. */
export function lineDetail(
  host: LineFieldsHost,
  invoice: Invoice,
  line: LineDraft | undefined,
  shortText: string | null,
  messages: RowMessages | undefined,
): TemplateResult {
  const t = host.lc;
  const id = invoice.id;
  const reason = host.reasonCodes().find((r) => r.code === line?.reasonCode);
  const fields =
    line && shortText
      ? html`<div class="fields">
          <span class="short">${t.t('listShortBy', shortText)}</span>
          <select
            part="reason"
            data-field="reasonCode"
            aria-label=${t.t('listReasonLabel', invoice.number)}
            aria-required="true"
            aria-invalid=${messages?.reasonCode ? 'true' : 'false'}
            aria-describedby=${ifDefined(describedBy(id, 'reasonCode', messages))}
            ?disabled=${host.disabled()}
            @change=${(e: Event) => host.onReason(id, (e.target as HTMLSelectElement).value || null)}
            @blur=${() => host.onLeave(id, 'reasonCode')}
          >
            <option value="" ?selected=${!reason}>${t.t('listReasonPlaceholder')}</option>
            ${host.reasonCodes().map((r) => html`<option value=${r.code} ?selected=${r === reason}>${r.label}</option>`)}
          </select>
          <input
            part="note"
            class="note"
            type="text"
            maxlength="500"
            data-field="note"
            aria-label=${t.t('listNoteLabel', invoice.number)}
            placeholder=${reason?.requiresNote ? t.t('listNoteRequired') : t.t('listNoteOptional')}
            ?required=${reason?.requiresNote ?? false}
            aria-invalid=${messages?.note ? 'true' : 'false'}
            aria-describedby=${ifDefined(describedBy(id, 'note', messages))}
            .value=${live(line.note)}
            ?disabled=${host.disabled()}
            @input=${(e: InputEvent) => host.onNote(id, (e.target as HTMLInputElement).value)}
            @blur=${() => host.onLeave(id, 'note')}
          />
        </div>`
      : nothing;
  // Not a live region: a half-typed amount would be announced on every key. The fields point at
  // these messages with aria-describedby, and reportValidity() moves focus to the first one.
  const list = messages
    ? html`<div class="messages">
        ${FIELDS.map((f) => (messages[f] ? html`<span id="msg-${f}-${id}">${messages[f]}</span>` : nothing))}
        ${messages.row.map((m) => html`<span>${m}</span>`)}
      </div>`
    : nothing;
  return html`<div class="detail">${fields}${list}</div>`;
}
