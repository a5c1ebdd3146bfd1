import { css } from 'lit';

/**
 * Row heights live here as custom properties and are measured from the hidden `.probe`
 * elements, so the windowing arithmetic always agrees with what CSS draws, in either layout.
 */
export const styles = css`
  :host {
    display: block;
    --_max-height: var(--settle-invoice-list-max-height, 420px);
    --_row: var(--settle-invoice-list-row-height, 56px);
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    container: settle-invoice-list / inline-size;
    position: relative;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
    overflow: hidden;
  }
  .table,
  .probes {
    --_pad: 12px;
    --_gap: 12px;
    --_check: 2rem;
    --_row-h: var(--_row);
    --_selected-extra: 0px;
    --_fields-extra: 48px;
    --_messages-extra: 40px;
    --_columns: var(--_check) minmax(0, 1fr) minmax(0, 0.9fr) minmax(8rem, 1.2fr) minmax(0, 0.9fr) minmax(0, 1fr) 8.5rem;
  }
  .table {
    display: flex;
    flex-direction: column;
    max-height: var(--_max-height);
  }
  .grid {
    display: grid;
    grid-template-columns: var(--_columns);
    column-gap: var(--_gap);
    align-items: center;
    padding: 0 var(--_pad);
    box-sizing: border-box;
  }
  .header {
    flex: none;
    overflow: hidden;
    scrollbar-gutter: stable;
    background: var(--_surface-2);
    border-bottom: 1px solid var(--_border);
    color: var(--_muted);
    font-size: 13px;
    font-weight: 600;
    line-height: 18px;
  }
  .header .grid {
    min-height: 44px;
  }
  .select-all {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    cursor: pointer;
  }
  .sort {
    all: unset;
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 6px 2px;
    border-radius: var(--_radius-s);
    cursor: pointer;
  }
  .sort:hover {
    color: var(--_text);
  }
  .sort:focus-visible {
    outline: 2px solid var(--_focus);
  }
  .sort-icon {
    font-size: 10px;
  }
  .viewport {
    min-height: 0;
    overflow-x: hidden;
    overflow-y: auto;
    scrollbar-gutter: stable;
    overscroll-behavior: contain;
  }
  .spacer {
    position: relative;
  }
  .row {
    position: absolute;
    top: 0;
    left: 0;
    right: 0;
    grid-template-rows: var(--_row-h);
    align-content: start;
    border-bottom: 1px solid var(--_border);
    overflow: hidden;
    contain: layout style;
  }
  .row.selected {
    background: color-mix(in srgb, var(--_primary) 5%, var(--_surface));
  }
  .row > [role='cell'] {
    min-width: 0;
  }
  .num {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .header .num {
    justify-self: end;
  }
  input[type='checkbox'] {
    width: 18px;
    height: 18px;
    margin: 0;
    accent-color: var(--_primary);
    cursor: pointer;
  }
  input[type='checkbox']:disabled {
    cursor: not-allowed;
  }
  .c-invoice,
  .c-due,
  .c-balance {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .c-balance {
    align-items: flex-end;
  }
  .number,
  .meta,
  .c-issued,
  .c-due > span,
  .c-balance > span,
  .badge {
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .number {
    font-weight: 600;
  }
  /* Underlined as every link is (the UA's style); only the offset is ours. */
  a.number {
    color: var(--_primary);
    text-underline-offset: 2px;
  }
  .external {
    margin-inline-start: 2px;
    font-size: 12px;
  }
  .meta,
  .pending,
  .cell-label {
    color: var(--_muted);
    font-size: 13px;
    line-height: 18px;
  }
  .badge {
    display: inline-block;
    box-sizing: border-box;
    vertical-align: top;
    padding: 0 8px;
    border-radius: 999px;
    background: color-mix(in srgb, var(--_danger) 10%, var(--_surface));
    color: var(--_danger);
    font-size: 12px;
    font-weight: 600;
    line-height: 20px;
  }
  .select-all-text,
  .issued-inline,
  .cell-label {
    display: none;
  }
  .c-pay {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  input.amount,
  select,
  input.note {
    box-sizing: border-box;
    height: 36px;
    min-width: 0;
    padding: 0 8px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
    font-size: 14px;
  }
  input.amount {
    width: 100%;
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  input::placeholder {
    color: var(--_muted);
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
    box-shadow: inset 0 0 0 1px var(--_danger);
  }
  .detail {
    position: absolute;
    top: var(--_row-h);
    left: calc(var(--_pad) + var(--_check) + var(--_gap));
    right: var(--_pad);
  }
  .row.selected .detail {
    top: calc(var(--_row-h) + var(--_selected-extra));
  }
  .fields {
    display: flex;
    align-items: center;
    gap: 8px;
    height: var(--_fields-extra);
    box-sizing: border-box;
    padding: 2px 0 10px;
  }
  .short {
    color: var(--_muted);
    font-size: 13px;
    white-space: nowrap;
  }
  .fields select {
    flex: 0 1 15rem;
  }
  .fields input.note {
    flex: 1 1 10rem;
  }
  .messages {
    height: var(--_messages-extra);
    box-sizing: border-box;
    padding-bottom: 4px;
    overflow: hidden;
    color: var(--_danger);
    font-size: 13px;
    line-height: 18px;
  }
  .messages span + span::before {
    content: ' · ';
  }
  .empty {
    padding: var(--_space);
    color: var(--_muted);
    text-align: center;
  }
  /* Hidden, and so never the target of a click either. */
  .probes {
    position: absolute;
    visibility: hidden;
    top: 0;
    left: 0;
    width: 0;
  }
  .probe-row {
    height: var(--_row-h);
  }
  .probe-selected {
    height: var(--_selected-extra);
  }
  .probe-fields {
    height: var(--_fields-extra);
  }
  .probe-messages {
    height: var(--_messages-extra);
  }

  /* Medium widths: the issue date moves under the invoice number, which makes rows a line taller. */
  @container settle-invoice-list (max-width: 51.99rem) {
    .table,
    .probes {
      --_gap: 10px;
      --_row-h: calc(var(--_row) + 18px);
      --_columns: var(--_check) minmax(0, 1.3fr) minmax(7.5rem, 1.3fr) minmax(0, 0.8fr) minmax(0, 0.8fr) 7.5rem;
    }
    .c-issued {
      display: none;
    }
    .issued-inline {
      display: block;
    }
  }

  /* Phones: each invoice becomes a card, with a line for the amount when it is selected. */
  @container settle-invoice-list (max-width: 39.99rem) {
    .table,
    .probes {
      --_pad: 10px;
      --_gap: 8px;
      --_check: 1.5rem;
      --_row-h: calc(var(--_row) + 66px);
      --_selected-extra: 48px;
      --_fields-extra: 120px;
      --_messages-extra: 60px;
    }
    .header .grid {
      display: flex;
      flex-wrap: wrap;
      column-gap: 12px;
      padding-block: 4px;
    }
    .select-all-text {
      display: inline;
    }
    .header .c-check {
      margin-inline-end: auto;
    }
    .header .c-amount,
    .header .c-pay {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .row {
      grid-template-columns: var(--_check) minmax(0, 1fr) auto;
      grid-template-areas:
        'check invoice balance'
        'check due due'
        'check amount amount'
        'pay pay pay';
      grid-template-rows: auto auto auto var(--_selected-extra);
      padding-top: 8px;
      row-gap: 4px;
      align-items: start;
    }
    .row > .c-check {
      grid-area: check;
      padding-top: 2px;
    }
    .row > .c-invoice {
      grid-area: invoice;
    }
    .row > .c-due {
      grid-area: due;
      flex-direction: row;
      flex-wrap: wrap;
      align-items: center;
      column-gap: 8px;
    }
    .row > .c-amount {
      grid-area: amount;
      text-align: start;
    }
    .row > .c-balance {
      grid-area: balance;
      font-weight: 600;
    }
    .row > .c-pay {
      grid-area: pay;
      align-self: center;
      padding-inline-start: calc(var(--_check) + var(--_gap));
    }
    .cell-label {
      display: inline;
    }
    .c-pay input.amount {
      flex: 1;
    }
    .fields {
      flex-direction: column;
      align-items: stretch;
      gap: 6px;
    }
    .fields select,
    .fields input.note {
      flex: none;
    }
  }
`;
