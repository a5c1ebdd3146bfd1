import { css } from 'lit';

/**
 * The design tokens every component resolves once into private `--_` variables, with the
 * global `--settle-*` token as the override and a light/dark default behind it (material-web's
 * pattern). Dark values apply under `prefers-color-scheme: dark` unless the host says
 * `theme="light"`, and always under `theme="dark"`.
 *
 * Each token is written straight into its `--_` variable (no light/dark intermediates), so the
 * variables stay concrete colours for getComputedStyle (pay-provider.ts's `appearanceOf()`).
 * The dark block is written twice, once per way into dark mode; keep the two identical.
 */
export const themeStyles = css`
  :host {
    --_primary: var(--settle-color-primary, #2450d8);
    --_on-primary: var(--settle-color-on-primary, #ffffff);
    --_text: var(--settle-color-text, #141a29);
    --_muted: var(--settle-color-muted, #596079);
    --_surface: var(--settle-color-surface, #ffffff);
    --_surface-2: var(--settle-color-surface-2, #f4f6fb);
    --_border: var(--settle-color-border, #d9deea);
    --_danger: var(--settle-color-danger, #b42318);
    --_success: var(--settle-color-success, #067647);
    --_warning: var(--settle-color-warning, #b54708);
    --_focus: var(--settle-color-focus, #2450d8);
    --_radius-s: var(--settle-radius-s, 6px);
    --_radius-m: var(--settle-radius-m, 10px);
    --_font: var(--settle-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--settle-font-size-m, 15px);
    --_space: var(--settle-space-m, 16px);
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.45;
    color-scheme: light dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    --_primary: var(--settle-color-primary, #7ea1ff);
    --_on-primary: var(--settle-color-on-primary, #0b1430);
    --_text: var(--settle-color-text, #e9ecf5);
    --_muted: var(--settle-color-muted, #a4abc0);
    --_surface: var(--settle-color-surface, #141926);
    --_surface-2: var(--settle-color-surface-2, #1c2233);
    --_border: var(--settle-color-border, #30384f);
    --_danger: var(--settle-color-danger, #ff8a80);
    --_success: var(--settle-color-success, #6ce9a6);
    --_warning: var(--settle-color-warning, #fdb022);
    --_focus: var(--settle-color-focus, #7ea1ff);
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --_primary: var(--settle-color-primary, #7ea1ff);
      --_on-primary: var(--settle-color-on-primary, #0b1430);
      --_text: var(--settle-color-text, #e9ecf5);
      --_muted: var(--settle-color-muted, #a4abc0);
      --_surface: var(--settle-color-surface, #141926);
      --_surface-2: var(--settle-color-surface-2, #1c2233);
      --_border: var(--settle-color-border, #30384f);
      --_danger: var(--settle-color-danger, #ff8a80);
      --_success: var(--settle-color-success, #6ce9a6);
      --_warning: var(--settle-color-warning, #fdb022);
      --_focus: var(--settle-color-focus, #7ea1ff);
    }
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;
