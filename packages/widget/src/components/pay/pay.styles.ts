import { css } from 'lit';

/**
 * <settle-pay>'s layout on top of themeStyles' tokens. One column on phones; credits and
 * method beside the summary once the element itself (not the viewport) is wide enough, since a
 * merchant may put it in a sidebar.
 */
export const payStyles = css`
  :host {
    --_max-width: var(--settle-pay-max-width, 760px);
    display: block;
    container-type: inline-size;
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  .base {
    max-width: var(--_max-width);
    margin-inline: auto;
    padding: var(--_space);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
  }
  h2,
  h3 {
    margin: 0 0 calc(var(--_space) / 2);
    line-height: 1.25;
  }
  h2 {
    font-size: 1.35em;
  }
  h3 {
    font-size: 1.05em;
  }
  h2:focus,
  h3:focus {
    outline: none;
  }
  h2:focus-visible,
  h3:focus-visible {
    outline: 2px solid var(--_focus);
  }
  p {
    margin: 0 0 calc(var(--_space) / 2);
  }
  .muted {
    color: var(--_muted);
  }
  .block {
    display: block;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .header {
    margin-bottom: var(--_space);
  }
  .header p {
    margin: 0;
  }
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
  .state {
    display: grid;
    gap: calc(var(--_space) / 2);
    justify-items: start;
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
  .receipt .rows,
  .pending .rows {
    width: 100%;
  }
  @container (max-width: 400px) {
    .base {
      padding: calc(var(--_space) * 0.75);
    }
    .panel {
      padding: calc(var(--_space) * 0.75);
    }
  }
`;
