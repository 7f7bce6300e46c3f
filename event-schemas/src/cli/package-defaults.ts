import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

function parse(text: string): { name?: unknown; version?: unknown } {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** Defaults derived from where the catalog file lives. */
export interface PackageDefaults {
  /** The folder of the nearest package.json above the catalog file (or the file's folder). */
  root: string;
  /** That package's `version`, or `0.0.0`. */
  version: string;
}

/**
 * Finds the package the catalog file belongs to (the nearest package.json with a `name`), so `--catalog dist/catalog/index.js` keeps its
 * snapshots in `<package>/schemas` and its documents in `<package>/docs/events`, wherever the
 * command runs from.
 */
export async function packageDefaults(catalogFile: string): Promise<PackageDefaults> {
  const start = dirname(catalogFile);
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest !== undefined) {
      const fields = parse(manifest);
      // A package.json without a name only marks a module format (e.g. dist/package.json).
      if (typeof fields.name === 'string') {
        const version = typeof fields.version === 'string' ? fields.version : '0.0.0';
        return { root: dir, version };
      }
    }
    if (dirname(dir) === dir) return { root: start, version: '0.0.0' };
  }
}
