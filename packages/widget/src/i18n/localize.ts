import { formatMoney } from '@settle/schema';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadPiece } from '../pieces/load-piece.js';
import { en, type Messages } from './en.js';

type Key = keyof Messages;
type Params<K extends Key> = Messages[K] extends (...args: infer A) => string ? A : [];

/**
 * The English messages known so far: settle.js's own, and the payment panel's once the checkout
 * piece added them (`addEnglish`). A German page has every message in settle-de.js.
 */
const english: Partial<Messages> = { ...en };
const loaded = new Map<string, Promise<Partial<Messages>>>();

/** Called when the checkout piece arrives, before anything renders its messages. */
export function addEnglish(messages: Partial<Messages>): void {
  Object.assign(english, messages);
}

/**
 * The messages for a locale: English at once, others loaded on first use ("de-CH" -> de). When a
 * locale's file cannot be loaded (offline) the element stays in English, and a later element tries again.
 */
export function loadMessages(locale: string): Promise<Partial<Messages>> {
  const lang = locale.toLowerCase().split('-')[0] ?? 'en';
  let messages = loaded.get(lang);
  if (!messages) {
    messages =
      lang === 'de'
        ? loadPiece('de').then(
            (m) => m.de,
            () => {
              loaded.delete(lang);
              return english;
            },
          )
        : Promise.resolve(english);
    loaded.set(lang, messages);
  }
  return messages;
}

/**
 * Gives a component its strings and Intl formatting for the locale it is told (its `locale`
 * property, else the page's `<html lang>`, else the browser's). Re-renders the host when a
 * lazily loaded locale arrives.
 */
export class LocalizeController implements ReactiveController {
  #messages: Partial<Messages> = english;
  #locale = 'en';

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly getLocale: () => string | undefined,
  ) {
    host.addController(this);
  }

  get locale(): string {
    return this.#locale;
  }

  hostUpdate(): void {
    const wanted = this.getLocale() || document.documentElement.lang || navigator.language || 'en';
    if (wanted === this.#locale) return;
    this.#locale = wanted;
    void loadMessages(wanted).then((messages) => {
      if (this.#locale !== wanted || messages === this.#messages) return;
      this.#messages = messages;
      this.host.requestUpdate();
    });
  }

  /** A message; the key itself for a panel message asked before the checkout piece brought it (a bug, not a state). */
  t<K extends Key>(key: K, ...params: Params<K>): string {
    const message = (this.#messages[key] ?? english[key] ?? key) as string | ((...args: unknown[]) => string);
    return typeof message === 'function' ? message(...params) : message;
  }

  money(amount: number, currency: string): string {
    return formatMoney(amount, currency, this.#locale);
  }

  /** A calendar date (YYYY-MM-DD) in the locale's medium style, without time-zone drift. */
  date(isoDate: string): string {
    const [y, m, d] = isoDate.split('-').map(Number);
    return new Intl.DateTimeFormat(this.#locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)),
    );
  }
}
