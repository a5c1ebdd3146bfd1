import { css } from 'lit';

/**
 * The payment panel's styles, in the checkout piece: <settle-pay> adopts them into its shadow
 * root when the piece arrives (constructable style sheets, which a strict CSP allows). One
 * column on phones; credits and method beside the summary once the element itself (not the
 * viewport) is wide enough, since a merchant may put it in a sidebar.
 */
export const checkoutStyles = css`
  .columns {
    display: grid;
    gap: var(--_space);
    margin-top: var(--_space);
  }
  @container (min-width: 600px) {
    .columns {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      align-items: start;
    }
  }
  .column {
    display: grid;
    gap: var(--_space);
    min-width: 0;
  }
  @container (min-width: 600px) {
    /* The total and Pay stay in view while the payer works down the left column. */
    .column + .column {
      position: sticky;
      top: var(--_space);
    }
  }
  .panel {
    padding: var(--_space);
    background: var(--_surface-2);
    border-radius: var(--_radius-m);
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .block {
    display: block;
  }
  .credit,
  .method {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    column-gap: 0.6em;
    align-items: baseline;
    padding: 0.4em 0;
  }
  .credit-label span {
    display: block;
  }
  .credit-name {
    font-weight: 600;
  }
  .credit-amount,
  .method-reason {
    grid-column: 2;
  }
  .method.unavailable label {
    color: var(--_muted);
  }
  .method-reason {
    margin: 0.2em 0 0;
    font-size: 0.9em;
    color: var(--_muted);
  }
  .disclosure {
    margin: 0.6em 0 0;
    font-size: 0.9em;
  }
  .fields {
    margin-top: 0.6em;
  }
  .rows {
    margin: 0;
  }
  .rows .row {
    display: flex;
    justify-content: space-between;
    gap: 1em;
    padding: 0.3em 0;
  }
  .rows dt,
  .rows dd {
    margin: 0;
  }
  .rows dd {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .rows .subtotal,
  .rows .total {
    border-top: 1px solid var(--_border);
  }
  .rows .total {
    font-weight: 700;
    font-size: 1.1em;
  }
  .pay-area {
    display: grid;
    gap: calc(var(--_space) / 2);
  }
  .facts {
    display: grid;
    gap: 0.3em;
    margin: 0;
  }
  .facts div {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.5em;
  }
  .facts dt {
    color: var(--_muted);
  }
  .facts dd {
    margin: 0;
  }
  .reference {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) / 2);
  }
  .actions:empty {
    display: none;
  }
  .statement {
    margin: var(--_space) 0 0;
    font-size: 0.9em;
  }
  .statement a {
    color: var(--_primary);
  }
  .receipt .rows,
  .pending .rows {
    width: 100%;
  }
  input[type='checkbox'],
  input[type='radio'] {
    width: 1.1em;
    height: 1.1em;
    accent-color: var(--_primary);
  }
  .amount-input {
    width: 100%;
    max-width: 12em;
    margin-top: 0.3em;
    padding: 0.45em 0.6em;
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
  }
  .amount-input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field-error {
    margin: 0.3em 0 0;
    color: var(--_danger);
    font-size: 0.9em;
  }
  .confirm {
    padding: 0.75em var(--_space);
    border: 1px solid var(--_warning);
    border-inline-start-width: 4px;
    border-radius: var(--_radius-s);
    margin: 0;
  }
  .hint {
    margin: 0;
    font-size: 0.9em;
  }
  .pay {
    width: 100%;
    font-size: 1.05em;
  }
  .pay:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .pay[aria-busy='true'] {
    cursor: progress;
  }
  @container (max-width: 400px) {
    .panel {
      padding: calc(var(--_space) * 0.75);
    }
  }
`;
