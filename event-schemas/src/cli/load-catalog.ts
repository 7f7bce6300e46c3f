import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isCatalog } from '../catalog.js';
import type { AnyCatalog } from '../types.js';
import { messageOf, usageError } from './json-file.js';

/** Where a module may keep its catalog: ESM default or named, CommonJS, transpiled CommonJS. */
const EXPORTS: readonly (readonly string[])[] = [
  ['default'],
  ['catalog'],
  ['default', 'default'],
  ['default', 'catalog'],
];

/**
 * Imports the JavaScript module `file` (ESM `.js`/`.mjs`, CommonJS `.cjs` or `.js`, a transpiled
 * module with `exports.default`) and returns the catalog it exports as default or as `catalog`.
 * Every failure is one error naming the file and what to do.
 */
export async function loadCatalog(file: string): Promise<AnyCatalog> {
  const path = resolve(file);
  const kind = await stat(path).then(
    (found) => (found.isDirectory() ? 'folder' : 'file'),
    () => 'missing',
  );
  if (kind === 'missing') {
    throw usageError(
      `--catalog ${file}: no such file; give the JavaScript module that exports your catalog (build TypeScript first, e.g. npx tsc -b, and point at the .js file)`,
    );
  }
  if (kind === 'folder') {
    throw usageError(`--catalog ${file} is a folder; give the module file, e.g. ${file}/index.js`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const hint = /\.[cm]?ts$/.test(path)
      ? 'Node cannot import TypeScript here: build it and give the .js file'
      : 'fix the module (or build the project again) and retry';
    throw usageError(`cannot load the catalog module ${file}: ${oneLine(error)}; ${hint}`, error);
  }
  for (const keys of EXPORTS) {
    const value = keys.reduce<unknown>(
      (found, key) =>
        typeof found === 'object' && found !== null
          ? (found as Record<string, unknown>)[key]
          : undefined,
      module,
    );
    if (isCatalog(value)) return value as AnyCatalog;
  }
  const names = Object.keys(module).filter((name) => name !== '__esModule');
  const listed = names.length > 0 ? names.join(', ') : 'none';
  throw usageError(
    `${file} exports no catalog (its exports: ${listed}); export the value of defineCatalog([...]) as the default export or as "catalog"`,
  );
}

/** The first line of an import error, with the place of a syntax error when Node gives one. */
function oneLine(error: unknown): string {
  const first = messageOf(error).split('\n')[0] ?? '';
  const top = error instanceof Error ? (error.stack?.split('\n')[0] ?? '') : '';
  const place = /^(file:\/\/\S+|\/\S+):(\d+)$/.exec(top);
  if (!(error instanceof SyntaxError) || place === null) return first;
  const path = place[1]?.startsWith('file:') ? fileURLToPath(place[1]) : place[1];
  return `${error.name}: ${first} (${path}:${place[2]})`;
}
