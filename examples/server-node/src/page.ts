import { readFile } from 'node:fs/promises';

/** examples/script-tag: the merchant page this backend serves, with its placeholders filled in. */
export const SCRIPT_TAG_DIR = new URL('../../script-tag/', import.meta.url);

export interface PageValues {
  /** Settle's base URL, where settle.js and the API are (`https://pay.example.com`). */
  settleUrl: string;
  /** settle.js's `sha384-…` Subresource Integrity value. */
  integrity: string;
  /** The session's `ct_…` token, for this customer only. */
  clientToken: string;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** index.html with every `{{name}}` replaced by its value, HTML-escaped; an unknown name throws. */
export async function renderScriptTagPage(values: PageValues): Promise<string> {
  const template = await readFile(new URL('index.html', SCRIPT_TAG_DIR), 'utf8');
  const filled: Record<string, string> = { ...values, settleOrigin: new URL(values.settleUrl).origin };
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = filled[name];
    if (value === undefined) throw new Error(`index.html names an unknown value {{${name}}}`);
    return escapeHtml(value);
  });
}

/** The page's other files, served as they are. */
export const STATIC_FILES: Record<string, string> = {
  '/app.js': 'text/javascript; charset=utf-8',
  '/style.css': 'text/css; charset=utf-8',
};

export async function readStatic(path: string): Promise<Buffer> {
  return readFile(new URL(`.${path}`, SCRIPT_TAG_DIR));
}
