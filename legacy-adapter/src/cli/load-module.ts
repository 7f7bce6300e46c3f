import { isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LegacyAdapterError } from '../errors.js';
import { checkMapper, type CheckedMapper } from '../mapping/define-mapper.js';
import { oneLine } from '../mapping/describe.js';
import type { WriteBackMapping } from '../types.js';
import { checkWriteBack } from '../write-back/define-write-back.js';

type Module = Record<string, unknown>;

const fail = (flag: string, path: string, why: string) =>
  new LegacyAdapterError('INVALID_CONFIG', `${flag} ${path}: ${oneLine(why)}`);

/** Why Node could not load a file, with the one change that fixes it when we know it. */
function loadError(e: unknown, path: string): string {
  const err = e as { code?: string; message?: string; name?: string };
  const message = String(err?.message ?? e).split('\n')[0]!;
  if (
    err?.name === 'SyntaxError' &&
    /Cannot use import statement|Unexpected token 'export'|import\.meta/.test(message)
  ) {
    return extname(path) === '.cjs'
      ? 'this .cjs file uses ES module syntax (import/export): rename it to .mjs'
      : 'Node loaded this file as CommonJS, but it uses ES module syntax (import/export): rename it to .mjs, or add "type": "module" to the package.json it belongs to';
  }
  if (/\b(require|module|exports) is not defined in ES module scope/.test(message)) {
    return extname(path) === '.mjs'
      ? 'this .mjs file uses CommonJS (require/module.exports): rename it to .cjs'
      : 'Node loaded this file as an ES module, but it uses CommonJS (require/module.exports): rename it to .cjs, or remove "type": "module" from the package.json it belongs to';
  }
  if (err?.code === 'ERR_UNKNOWN_FILE_EXTENSION' || /^\.[mc]?ts$/.test(extname(path))) {
    return `Node cannot load it (${message}): compile it to JavaScript (tsc) and pass the .js file`;
  }
  return `loading it failed: ${message}`;
}

/** Imports an ES module or a CommonJS file (`.mjs`, `.cjs`, `.js` of either kind). */
async function load(flag: string, path: string): Promise<Module> {
  const file = resolve(path);
  if (!existsSync(file)) throw fail(flag, path, `no such file (looked at ${file})`);
  try {
    return (await import(pathToFileURL(file).href)) as Module;
  } catch (e) {
    throw fail(flag, path, loadError(e, path));
  }
}

/**
 * What a module offers under `name`, most specific first: the named export, then the default
 * export (ESM `export default`, or CommonJS `module.exports`), then what a CommonJS module has
 * under `exports.default` (TypeScript's and Babel's output) or `exports.<name>`.
 */
function candidates(mod: Module, name: string): unknown[] {
  const def = mod.default as Module | undefined;
  const nested = typeof def === 'object' && def !== null ? [def.default, def[name]] : [];
  return [mod[name], def, ...nested].filter((v) => v !== undefined);
}

function exportsOf(mod: Module): string {
  const names = Object.keys(mod).filter((k) => k !== '__esModule');
  return names.length > 0 ? names.join(', ') : 'nothing';
}

/** The event catalog a `--catalog` file exports. */
export async function loadCatalog(path: string): Promise<AnyCatalog> {
  const mod = await load('--catalog', path);
  const catalog = candidates(mod, 'catalog').find(isCatalog);
  if (catalog) return catalog;
  throw fail(
    '--catalog',
    path,
    `must export the event catalog made with defineCatalog, as the default export or as "catalog" ` +
      `(CommonJS: module.exports = catalog, or exports.catalog = catalog); it exports ${exportsOf(mod)}`,
  );
}

/** The mapper a `--mapper` file exports. */
export async function loadMapper(path: string): Promise<CheckedMapper> {
  const mod = await load('--mapper', path);
  const found = candidates(mod, 'mapper');
  const looksLike = (v: unknown) =>
    typeof v === 'object' && v !== null && ('mapChange' in v || 'tables' in v);
  const mapper = found.find(looksLike);
  if (mapper) {
    try {
      return checkMapper(mapper, 'mapper');
    } catch (e) {
      throw fail('--mapper', path, (e as Error).message);
    }
  }
  throw fail(
    '--mapper',
    path,
    `must export a mapper made with defineMapper(catalog, { tables, mapChange }), as the default export or as "mapper" ` +
      `(CommonJS: module.exports = mapper, or exports.mapper = mapper); it exports ${exportsOf(mod)}`,
  );
}

/** The write-back mapping a `--mapping` file exports. */
export async function loadWriteBack(path: string): Promise<WriteBackMapping> {
  const mod = await load('--mapping', path);
  const mapping = candidates(mod, 'writeBack').find(
    (v) => typeof v === 'object' && v !== null && 'apply' in v,
  );
  if (mapping) return checkWriteBack(mapping);
  throw fail(
    '--mapping',
    path,
    `must export a write-back mapping made with defineWriteBack(catalog, { apply }), as the default export or as "writeBack"; it exports ${exportsOf(mod)}`,
  );
}
