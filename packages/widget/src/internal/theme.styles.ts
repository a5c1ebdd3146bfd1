import { css } from 'lit';

/**
 * The design tokens every component resolves once into private `--_` variables, with the
 * global `--settle-*` token as the override and a light/dark default behind it (material-web's
 * pattern). Dark values apply under `prefers-color-scheme: dark` unless the host says
 * `theme="light"`, and always under `theme="dark"`.
 */
export const themeStyles = css`
  :host {
    --_light-primary: #2450d8;
    --_light-on-primary: #ffffff;
    --_light-text: #141a29;
    --_light-muted: #596079;
    --_light-surface: #ffffff;
    --_light-surface-2: #f4f6fb;
    --_light-border: #d9deea;
    --_light-danger: #b42318;
    --_light-success: #067647;
    --_light-warning: #b54708;
    --_light-focus: #2450d8;
    --_dark-primary: #7ea1ff;
    --_dark-on-primary: #0b1430;
    --_dark-text: #e9ecf5;
    --_dark-muted: #a4abc0;
    --_dark-surface: #141926;
    --_dark-surface-2: #1c2233;
    --_dark-border: #30384f;
    --_dark-danger: #ff8a80;
    --_dark-success: #6ce9a6;
    --_dark-warning: #fdb022;
    --_dark-focus: #7ea1ff;

    --_mode-primary: var(--_light-primary);
    --_mode-on-primary: var(--_light-on-primary);
    --_mode-text: var(--_light-text);
    --_mode-muted: var(--_light-muted);
    --_mode-surface: var(--_light-surface);
    --_mode-surface-2: var(--_light-surface-2);
    --_mode-border: var(--_light-border);
    --_mode-danger: var(--_light-danger);
    --_mode-success: var(--_light-success);
    --_mode-warning: var(--_light-warning);
    --_mode-focus: var(--_light-focus);
  }
  :host([theme='dark']) {
    --_mode-primary: var(--_dark-primary);
    --_mode-on-primary: var(--_dark-on-primary);
    --_mode-text: var(--_dark-text);
    --_mode-muted: var(--_dark-muted);
    --_mode-surface: var(--_dark-surface);
    --_mode-surface-2: var(--_dark-surface-2);
    --_mode-border: var(--_dark-border);
    --_mode-danger: var(--_dark-danger);
    --_mode-success: var(--_dark-success);
    --_mode-warning: var(--_dark-warning);
    --_mode-focus: var(--_dark-focus);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --_mode-primary: var(--_dark-primary);
      --_mode-on-primary: var(--_dark-on-primary);
      --_mode-text: var(--_dark-text);
      --_mode-muted: var(--_dark-muted);
      --_mode-surface: var(--_dark-surface);
      --_mode-surface-2: var(--_dark-surface-2);
      --_mode-border: var(--_dark-border);
      --_mode-danger: var(--_dark-danger);
      --_mode-success: var(--_dark-success);
      --_mode-warning: var(--_dark-warning);
      --_mode-focus: var(--_dark-focus);
    }
  }
  :host {
    --_primary: var(--settle-color-primary, var(--_mode-primary));
    --_on-primary: var(--settle-color-on-primary, var(--_mode-on-primary));
    --_text: var(--settle-color-text, var(--_mode-text));
    --_muted: var(--settle-color-muted, var(--_mode-muted));
    --_surface: var(--settle-color-surface, var(--_mode-surface));
    --_surface-2: var(--settle-color-surface-2, var(--_mode-surface-2));
    --_border: var(--settle-color-border, var(--_mode-border));
    --_danger: var(--settle-color-danger, var(--_mode-danger));
    --_success: var(--settle-color-success, var(--_mode-success));
    --_warning: var(--settle-color-warning, var(--_mode-warning));
    --_focus: var(--settle-color-focus, var(--_mode-focus));
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
    color-scheme: dark;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;
