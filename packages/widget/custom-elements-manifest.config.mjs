// @custom-elements-manifest/analyzer: `pnpm run build:manifest` writes custom-elements.json.
// Elements are registered in one place (src/define.ts calls define('settle-x', SettleX)), not
// with @customElement, so a small plugin reads those calls to give each class its tag name.
import { readFileSync } from 'node:fs';

const DEFINE_CALL = /\bdefine\(\s*['"]([a-z][a-z0-9-]*-[a-z0-9-]+)['"]\s*,\s*(\w+)\s*\)/g;

function tagNamesFromDefine() {
  const registrations = new Map();
  const source = readFileSync(new URL('./src/define.ts', import.meta.url), 'utf8');
  for (const [, tag, className] of source.matchAll(DEFINE_CALL)) registrations.set(className, tag);
  return {
    name: 'settle-tag-names-from-define',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          const tag = registrations.get(declaration.name);
          if (!tag || declaration.kind !== 'class') continue;
          declaration.tagName = tag;
          declaration.customElement = true;
          mod.exports = [
            ...(mod.exports ?? []),
            { kind: 'custom-element-definition', name: tag, declaration: { name: declaration.name, module: mod.path } },
          ];
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: [
    'src/**/*.test.ts',
    'src/internal/test-*.ts',
    'src/internal/define.ts',
    'src/settle.ts',
    'src/define.ts',
    // The script-tag build's piece entries and loader (vite.config.ts): no API of the package.
    'src/pieces/settle-*.ts',
    'src/pieces/load-piece-script.ts',
  ],
  outdir: '.',
  litelement: true,
  plugins: [tagNamesFromDefine()],
};
