/** Plain-DOM building blocks of the sandbox fields: no Lit, so the lazy chunk stays small. */

type Tag = keyof HTMLElementTagNameMap;

/** An element with properties (never attributes built from strings) and children. */
export function h<K extends Tag>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

export type Control = HTMLInputElement | HTMLSelectElement;

export interface FieldDef {
  /** The field's name in ProviderError.field and in the server's `details[].path`. */
  name: string;
  label: string;
  control: Control;
  /** A sentence saying what is wrong with the value, or null when it is acceptable. */
  check?(): string | null;
  /** Rewrites the value as it is typed (digits only, grouping). */
  format?(): void;
  /** Shown beside the input, inside its box (the card brand). */
  adornment?: HTMLElement;
  /** The id of text that describes the field (the mandate for its checkbox). */
  describedBy?: string;
}

interface Field {
  def: FieldDef;
  error: HTMLElement;
  /** Edited since mount: only then does leaving it show an error. */
  dirty: boolean;
}

/**
 * The fields of one mounted form: labels, errors under each field on blur (with
 * `aria-invalid` and `aria-describedby`), and a callback after every change.
 */
export class SandboxForm {
  readonly #fields = new Map<string, Field>();
  #count = 0;

  constructor(
    private readonly idPrefix: string,
    private readonly signal: AbortSignal,
    private readonly onUpdate: () => void,
  ) {}

  /** Builds a labelled field and wires its events; returns the element to place in the form. */
  add(def: FieldDef): HTMLElement {
    const { control } = def;
    const id = `${this.idPrefix}-${++this.#count}`;
    control.id = id;
    const error = h('p', { id: `${id}-error`, className: 'settle-sbx-error' });
    error.setAttribute('aria-live', 'polite');
    const field: Field = { def, error, dirty: false };
    this.#fields.set(def.name, field);

    const label = h('label', { htmlFor: id }, def.label);
    const isCheck = control instanceof HTMLInputElement && control.type === 'checkbox';
    if (!isCheck) control.classList.add('settle-sbx-input');
    const box = def.adornment ? h('div', { className: 'settle-sbx-control' }, control, def.adornment) : control;
    const body = isCheck ? [h('div', { className: 'settle-sbx-check' }, control, label)] : [label, box];

    const opts = { signal: this.signal };
    control.addEventListener(
      'input',
      () => {
        def.format?.();
        field.dirty = true;
        // Errors already shown follow the typing, so each disappears as soon as it is fixed
        // (in any field: a new account number can fix the confirmation's mismatch).
        for (const f of this.#fields.values()) if (f.error.textContent) this.#show(f, f.def.check?.() ?? null);
        this.onUpdate();
      },
      opts,
    );
    control.addEventListener(
      'blur',
      () => {
        if (!field.dirty) return;
        this.#show(field, def.check?.() ?? null);
        this.onUpdate();
      },
      opts,
    );
    this.#show(field, null);
    return h('div', { className: 'settle-sbx-field' }, ...body, error);
  }

  /** The value of a field, '' when there is none. */
  value(name: string): string {
    const control = this.#fields.get(name)?.def.control;
    if (control instanceof HTMLInputElement && control.type === 'checkbox') return control.checked ? 'on' : '';
    return control?.value ?? '';
  }

  /** Sets a value as if typed (formatted), e.g. from a test-number button. */
  fill(name: string, value: string): void {
    const field = this.#fields.get(name);
    if (!field) return;
    field.def.control.value = value;
    field.def.format?.();
    field.dirty = true;
    this.#show(field, field.def.check?.() ?? null);
  }

  /** Shows a message under a field (e.g. one the server sent); null clears it. */
  setError(name: string, message: string | null): void {
    const field = this.#fields.get(name);
    if (field) this.#show(field, message);
  }

  /** Re-checks every field; errors are shown when `show` is set. Returns the first problem. */
  validate(show: boolean): { name: string; message: string } | null {
    let first: { name: string; message: string } | null = null;
    for (const field of this.#fields.values()) {
      const message = field.def.check?.() ?? null;
      if (show) this.#show(field, message);
      if (message && !first) first = { name: field.def.name, message };
    }
    return first;
  }

  /** The first error currently shown, for onChange. */
  shownError(): string | null {
    for (const field of this.#fields.values()) if (field.error.textContent) return field.error.textContent;
    return null;
  }

  focus(name: string): void {
    this.#fields.get(name)?.def.control.focus();
  }

  /** Forgets every value typed, so nothing of a number outlives the form. */
  clear(): void {
    for (const { def } of this.#fields.values()) {
      if (def.control instanceof HTMLInputElement) {
        def.control.value = '';
        def.control.checked = false;
      }
    }
  }

  /** Keeps only digits, at most `max`, rewritten by `format`, with the caret after the same digit. */
  static reformat(input: HTMLInputElement, max: number, format: (digits: string) => string = (d) => d): void {
    const caret = input.selectionStart ?? input.value.length;
    const before = input.value.slice(0, caret).replace(/\D/g, '').length;
    const next = format(input.value.replace(/\D/g, '').slice(0, max));
    if (next === input.value) return;
    input.value = next;
    let at = 0;
    for (let seen = 0; at < next.length && seen < before; at++) if (/\d/.test(next.charAt(at))) seen++;
    // Only while typing: Safari moves focus to an input whose selection is set.
    if ((input.getRootNode() as Document | ShadowRoot).activeElement === input) input.setSelectionRange(at, at);
  }

  #show(field: Field, message: string | null): void {
    const { control } = field.def;
    // Rewriting the same text would make screen readers repeat it on every key.
    if (field.error.textContent !== (message ?? '')) field.error.textContent = message ?? '';
    const described = [field.def.describedBy, message ? field.error.id : undefined].filter(Boolean).join(' ');
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    if (described) control.setAttribute('aria-describedby', described);
    else control.removeAttribute('aria-describedby');
  }
}
