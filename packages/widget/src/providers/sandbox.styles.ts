import type { MountOptions } from './provider.js';

/**
 * The fields live in the host page's light DOM (slotted into <settle-pay>), where a strict
 * `style-src 'self'` CSP blocks <style> elements and style attributes. Constructable
 * stylesheets and `style.setProperty` are CSSOM, which CSP allows, so the rules are adopted
 * into the container's root and scoped by the `settle-sbx` class prefix.
 */
const css = `
.settle-sbx{display:grid;gap:14px;color:var(--settle-sbx-text);font-family:var(--settle-sbx-font);line-height:1.4}
.settle-sbx-row{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:14px}
.settle-sbx-field{display:flex;flex-direction:column;min-width:0}
.settle-sbx-field>label{margin-bottom:4px;font-size:.9em;font-weight:600}
.settle-sbx-control{position:relative}
.settle-sbx-input{box-sizing:border-box;width:100%;min-height:44px;margin:0;padding:8px 10px;font:inherit;color:inherit;background:var(--settle-sbx-bg);border:1px solid var(--settle-sbx-border);border-radius:var(--settle-sbx-radius)}
.settle-sbx-input:focus-visible{outline:2px solid var(--settle-sbx-primary);outline-offset:1px}
.settle-sbx-input[aria-invalid=true]{border-color:var(--settle-sbx-danger)}
.settle-sbx-control>.settle-sbx-input{padding-right:6.5em}
.settle-sbx-brand{position:absolute;right:10px;top:50%;transform:translateY(-50%);font-size:.85em;font-weight:600;pointer-events:none}
.settle-sbx-error{margin:0;font-size:.875em;color:var(--settle-sbx-danger)}
.settle-sbx-error:not(:empty){margin-top:4px}
.settle-sbx-check{display:flex;gap:8px;align-items:flex-start}
.settle-sbx-check>input{width:20px;height:20px;margin:2px 0 0;accent-color:var(--settle-sbx-primary);flex:none}
.settle-sbx-check+.settle-sbx-error{margin-left:28px}
.settle-sbx-note,.settle-sbx-mandate{margin:0;font-size:.875em}
.settle-sbx-test{padding:10px 12px;border:1px dashed var(--settle-sbx-border);border-radius:var(--settle-sbx-radius);font-size:.875em}
.settle-sbx-test p{margin:0 0 6px}
.settle-sbx-test ul{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.settle-sbx-test button{min-height:32px;padding:4px 10px;font:inherit;color:var(--settle-sbx-text);background:var(--settle-sbx-bg);border:1px solid var(--settle-sbx-border);border-radius:var(--settle-sbx-radius);cursor:pointer}
.settle-sbx-test button:focus-visible{outline:2px solid var(--settle-sbx-primary);outline-offset:1px}
`;

type StyleRoot = Document | ShadowRoot;

/** Adopts the sandbox rules into the container's document or shadow root; returns the undo. */
export function adoptSandboxStyles(container: HTMLElement): () => void {
  const node = container.getRootNode();
  const root: StyleRoot = node instanceof ShadowRoot || node instanceof Document ? node : document;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  return () => {
    root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
  };
}

/** The theme values <settle-pay> resolved, as private custom properties on the fields' root. */
export function applyAppearance(root: HTMLElement, a: MountOptions['appearance']): void {
  const set = (name: string, value: string) => root.style.setProperty(`--settle-sbx-${name}`, value);
  set('primary', a.colorPrimary);
  set('text', a.colorText);
  set('bg', a.colorBackground);
  set('danger', a.colorDanger);
  set('radius', a.borderRadius);
  set('font', a.fontFamily);
  // Input borders need 3:1 against the background (WCAG 1.4.11); a strong mix of the text colour gets there.
  set('border', `color-mix(in srgb, ${a.colorText} 55%, ${a.colorBackground})`);
}
