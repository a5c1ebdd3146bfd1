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

/**
 * Lit's private reactive state declared in `static properties` (`{ state: true }`; the elements
 * avoid the decorators, docs/decisions/0008) is no attribute and no API: the analyzer would list it
 * as both, so it is taken out of the class's attributes and members here.
 */
function internalState() {
  return {
    name: 'settle-internal-state',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const properties = node.members.find(
        (m) => ts.isPropertyDeclaration(m) && m.name.getText() === 'properties' && m.initializer,
      );
      if (!properties || !ts.isObjectLiteralExpression(properties.initializer)) return;
      const states = new Set();
      for (const entry of properties.initializer.properties) {
        if (!ts.isPropertyAssignment(entry) || !ts.isObjectLiteralExpression(entry.initializer)) continue;
        const isState = entry.initializer.properties.some(
          (o) =>
            ts.isPropertyAssignment(o) &&
            o.name.getText() === 'state' &&
            o.initializer.kind === ts.SyntaxKind.TrueKeyword,
        );
        if (isState) states.add(entry.name.getText());
      }
      const declaration = moduleDoc.declarations?.find((d) => d.name === node.name.getText());
      if (!declaration || states.size === 0) return;
      declaration.attributes = declaration.attributes?.filter((a) => !states.has(a.fieldName ?? a.name));
      declaration.members = declaration.members?.filter((m) => !states.has(m.name));
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
    // The React wrapper (@lit/react) of <settle-pay>, whose API the manifest already describes.
    'src/react.ts',
    // The script-tag build's piece entries and loader (vite.config.ts): no API of the package.
    'src/pieces/settle-*.ts',
    'src/pieces/load-piece-script.ts',
  ],
  outdir: '.',
  litelement: true,
  plugins: [tagNamesFromDefine(), internalState()],
};
