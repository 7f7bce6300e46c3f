import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCatalog, exportCatalog, staleFiles } from '@strangler/event-schemas/tools';
import { describe, expect, it } from 'vitest';
import { allocationCatalog } from './events.js';

// The committed schemas/ and docs/events/ of the example, held to the catalog in source: a change
// to the catalog without `npm run schemas:snapshot` / `schemas:export` fails here.
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('committed catalog files of the allocation example', () => {
  it('schemas/ has a snapshot of every version, and the catalog passes check in FULL mode', async () => {
    const report = await checkCatalog(allocationCatalog, {
      snapshotsDir: join(root, 'schemas'),
      mode: 'FULL',
    });
    expect(report.problems.map((problem) => problem.message)).toEqual([]);
    expect(report).toMatchObject({ events: 6, versions: 6, fixtures: 6, notes: [] });
  });

  it('docs/events/ is what `npm run schemas:export` generates from the catalog', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    const { files } = await exportCatalog(allocationCatalog, {
      topics: ['allocation.events'],
      version: manifest.version,
    });
    expect(await staleFiles(join(root, 'docs', 'events'), files)).toEqual([]);
  });
});
