import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleFiles, writeExportFiles } from './files.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'strangler-export-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

const files = new Map([
  ['catalog.md', '# events\n'],
  ['json-schema/a.v1.json', '{}\n'],
]);

describe('export files', () => {
  it('reports every missing file of an empty folder, then none once written', async () => {
    expect(await staleFiles(out, files)).toEqual([
      { path: 'catalog.md', reason: 'missing' },
      { path: 'json-schema/a.v1.json', reason: 'missing' },
    ]);
    expect(await writeExportFiles(out, files)).toHaveLength(2);
    expect(await staleFiles(out, files)).toEqual([]);
    expect(await readFile(join(out, 'json-schema/a.v1.json'), 'utf8')).toBe('{}\n');
  });

  it('reports edited files and leftovers in the generated folder, and fixes them', async () => {
    await writeExportFiles(out, files);
    await writeFile(join(out, 'catalog.md'), '# edited\n');
    await writeFile(join(out, 'json-schema', 'old.v1.json'), '{}\n');
    await writeFile(join(out, 'README.md'), 'a file of the user\n');
    expect(await staleFiles(out, files)).toEqual([
      { path: 'catalog.md', reason: 'differs' },
      { path: 'json-schema/old.v1.json', reason: 'extra' },
    ]);
    await writeExportFiles(out, files);
    expect(await staleFiles(out, files)).toEqual([]);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'catalog.md', 'json-schema']);
  });
});
