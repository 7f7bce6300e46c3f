import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExportFiles } from '../types.js';

/** A file on disk that differs from what `export` generates. */
export interface StaleFile {
  /** Relative to the output folder. */
  path: string;
  /** `missing`, `differs`, or `extra` (in a generated folder but no longer generated). */
  reason: 'missing' | 'differs' | 'extra';
}

/** The generated folders whose every `.json` file is ours, so leftovers there are stale. */
const OWNED_FOLDERS = ['json-schema'];

/** The files under `out` that do not match `files` (empty: up to date). */
export async function staleFiles(out: string, files: ExportFiles): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  for (const [path, content] of files) {
    const onDisk = await readFile(join(out, path), 'utf8').catch(() => undefined);
    if (onDisk === undefined) stale.push({ path, reason: 'missing' });
    else if (onDisk !== content) stale.push({ path, reason: 'differs' });
  }
  for (const path of await leftovers(out, files)) stale.push({ path, reason: 'extra' });
  return stale;
}

async function leftovers(out: string, files: ExportFiles): Promise<string[]> {
  const found: string[] = [];
  for (const folder of OWNED_FOLDERS) {
    const names = await readdir(join(out, folder)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const path = `${folder}/${name}`;
      if (name.endsWith('.json') && !files.has(path)) found.push(path);
    }
  }
  return found;
}

/**
 * Brings `out` up to date: each changed file is written to a temporary name and renamed into
 * place, and leftover generated files are removed. Returns what changed.
 */
export async function writeExportFiles(out: string, files: ExportFiles): Promise<StaleFile[]> {
  const stale = await staleFiles(out, files);
  for (const { path, reason } of stale) {
    const target = join(out, path);
    if (reason === 'extra') {
      await rm(target, { force: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.tmp-${process.pid}`;
    await writeFile(temporary, files.get(path) as string);
    await rename(temporary, target);
  }
  return stale;
}
