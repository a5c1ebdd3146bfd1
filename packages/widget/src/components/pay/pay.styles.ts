import { css } from 'lit';

/**
 * <settle-pay>'s first screen on top of themeStyles' tokens: the frame, the header, the screens
 * around the payment (loading, ended, empty, network error), the selection bar and the buttons.
 * The payment panel's styles arrive with the checkout piece (checkout.styles.ts).
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
  h3:focus,
  .selection:focus {
    outline: none;
  }
  h2:focus-visible,
  h3:focus-visible,
  .selection:focus-visible {
    outline: 2px solid var(--_focus);
  }
  p {
    margin: 0 0 calc(var(--_space) / 2);
  }
  .muted {
    color: var(--_muted);
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
  .header {
    margin-bottom: var(--_space);
  }
  .header p {
    margin: 0;
  }
  .state {
    display: grid;
    gap: calc(var(--_space) / 2);
    justify-items: start;
  }
  .selection {
    margin: var(--_space) 0 0;
    font-weight: 600;
  }
  .checkout > .notice,
  .checkout > .skeleton {
    margin-top: var(--_space);
  }
  .notice {
    display: grid;
    gap: calc(var(--_space) / 2);
    justify-items: start;
    padding: 0.75em var(--_space);
    border: 1px solid var(--_danger);
    border-inline-start-width: 4px;
    border-radius: var(--_radius-s);
    background: var(--_surface);
  }
  .notice > * {
    margin: 0;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 44px;
    padding: 0.5em 1.1em;
    font: inherit;
    font-weight: 600;
    color: var(--_primary);
    text-decoration: none;
    background: var(--_surface);
    border: 1px solid var(--_primary);
    border-radius: var(--_radius-s);
    cursor: pointer;
  }
  .button.primary {
    color: var(--_on-primary);
    background: var(--_primary);
  }
  .skeleton-title,
  .skeleton-row span {
    display: block;
    height: 1em;
    border-radius: var(--_radius-s);
    background: linear-gradient(90deg, var(--_surface-2), var(--_border), var(--_surface-2));
    background-size: 200% 100%;
    animation: shimmer 1.4s ease-in-out infinite;
  }
  .skeleton-title {
    width: 40%;
    height: 1.5em;
    margin-bottom: var(--_space);
  }
  .skeleton-row {
    display: grid;
    grid-template-columns: 2fr 1fr 1fr;
    gap: var(--_space);
    padding: 0.6em 0;
  }
  @keyframes shimmer {
    from {
      background-position: 100% 0;
    }
    to {
      background-position: -100% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton-title,
    .skeleton-row span {
      animation: none;
    }
  }
  @container (max-width: 400px) {
    .base {
      padding: calc(var(--_space) * 0.75);
    }
  }
`;
