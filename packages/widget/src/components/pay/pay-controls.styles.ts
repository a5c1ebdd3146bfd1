import { css } from 'lit';

/** <settle-pay>'s controls: inputs, buttons, the decline and confirm banners, and the loading skeleton. */
export const payControlStyles = css`
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
  .notice {
    padding: 0.75em var(--_space);
    border: 1px solid var(--_danger);
    border-inline-start-width: 4px;
    border-radius: var(--_radius-s);
    background: var(--_surface);
  }
  .notice p {
    margin: 0;
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
  .button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .button[aria-busy='true'] {
    cursor: progress;
  }
  .pay {
    width: 100%;
    font-size: 1.05em;
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
`;
