/**
 * Registers an element once. A page that loads the widget twice (a script tag and an npm
 * bundle, or the same tag twice) gets a console warning, not a "name already used" crash.
 */
export function define(name: string, element: CustomElementConstructor): void {
  const existing = customElements.get(name);
  if (existing) {
    if (existing !== element) {
      console.warn(
        `[settle] SETTLE_ALREADY_DEFINED: <${name}> was already registered by another copy of Settle; keeping that one.`,
      );
    }
    return;
  }
  customElements.define(name, element);
}
