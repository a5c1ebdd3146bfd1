import { formatMoney } from '@settle/schema';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadPiece } from '../pieces/load-piece.js';
import { en, type Messages } from './en.js';

type Key = keyof Messages;
type Params<K extends Key> = Messages[K] extends (...args: infer A) => string ? A : [];

const loaded = new Map<string, Promise<Messages>>();

/**
 * The messages for a locale: English at once, others loaded on first use ("de-CH" -> de). When a
 * locale's file cannot be loaded (offline) the element stays in English, and a later element tries again.
 */
export function loadMessages(locale: string): Promise<Messages> {
  const lang = locale.toLowerCase().split('-')[0] ?? 'en';
  let messages = loaded.get(lang);
  if (!messages) {
    messages =
      lang === 'de'
        ? loadPiece('de').then(
            (m) => m.de,
            () => {
              loaded.delete(lang);
              return en;
            },
          )
        : Promise.resolve(en);
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
  #messages: Messages = en;
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

  t<K extends Key>(key: K, ...params: Params<K>): string {
    const message = this.#messages[key] as string | ((...args: unknown[]) => string);
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
