import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where `pnpm --filter @settle/widget build` writes settle.js, seen from this file. */
export const DEFAULT_WIDGET_DIR = fileURLToPath(new URL('../../../packages/widget/dist/', import.meta.url));

/** settle.js, its lazily loaded pieces (`settle-*.js`) and their source maps; nothing else in dist/. */
export const WIDGET_FILE = /^settle(?:-[a-z0-9-]+)?\.js(?:\.map)?$/;

export interface WidgetFile {
  body: Uint8Array;
  /** The Subresource Integrity value of exactly these bytes, `sha384-<base64>`. */
  integrity: string;
}

/**
 * Reads the built widget from disk. A file is read again only when it changed (a rebuild while
 * the server runs), and the integrity a page names is always that of the bytes served.
 */
export function widgetFiles(dir = DEFAULT_WIDGET_DIR) {
  const cache = new Map<string, { stamp: string; file: WidgetFile }>();

  return {
    dir,
    /** The file, or null when it is not built (or the name is not a widget file). */
    async get(name: string): Promise<WidgetFile | null> {
      if (!WIDGET_FILE.test(name)) return null;
      const path = `${dir.replace(/\/?$/, '/')}${name}`;
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) return null;
      const stamp = `${info.mtimeMs}:${info.size}`;
      const hit = cache.get(name);
      if (hit?.stamp === stamp) return hit.file;
      const body = new Uint8Array(await readFile(path));
      const file = { body, integrity: `sha384-${createHash('sha384').update(body).digest('base64')}` };
      cache.set(name, { stamp, file });
      return file;
    },
  };
}

export type WidgetFiles = ReturnType<typeof widgetFiles>;
