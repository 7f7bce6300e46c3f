import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/support.js';
import { JsonlStore, readStore } from './jsonl.js';
import type { StoredMismatch } from './record.js';

const record = (i: number): StoredMismatch => ({
  at: new Date(0).toISOString(),
  route: 'availability',
  servedBy: 'legacy',
  request: { method: 'GET', url: `/products/${i}`, headers: {}, requestId: `r${i}`, bodyBytes: 0 },
  legacy: { status: 200, ms: 1 },
  candidate: { status: 200, ms: 1 },
  diff: [{ pointer: '/qty', kind: 'value', legacy: 1, candidate: 2 }],
  more: 0,
  text: '~ /qty: 1 -> 2',
  replay: {
    legacy: { status: 200, headers: {} },
    settings: { compareHeaders: [], ignore: [], noise: [] },
  },
});

describe('JSON lines mismatch store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('appends one line per mismatch and reads them back in order', async () => {
    const store = new JsonlStore(dir.file('m.jsonl'), 1 << 20, 3);
    await Promise.all([store.append(record(1)), store.append(record(2))]);
    await store.close();
    const { records, skipped } = await readStore(dir.file('m.jsonl'));
    expect(records.map((r) => r.request.url)).toEqual(['/products/1', '/products/2']);
    expect(skipped).toBe(0);
  });

  it('rotates at maxBytes and keeps only the configured number of old files', async () => {
    const size = Buffer.byteLength(JSON.stringify(record(10)) + '\n');
    const store = new JsonlStore(dir.file('m.jsonl'), size * 2, 2);
    for (let i = 10; i < 17; i++) await store.append(record(i));
    await store.close();
    expect((await readdir(dir.dir)).sort()).toEqual(['m.jsonl', 'm.jsonl.1', 'm.jsonl.2']);
    expect((await readStore(dir.file('m.jsonl'))).records.map((r) => r.request.url)).toEqual([
      '/products/16',
    ]);
    expect((await readStore(dir.file('m.jsonl.1'))).records).toHaveLength(2);
  });

  it('skips torn and foreign lines when reading', async () => {
    await writeFile(dir.file('m.jsonl'), `${JSON.stringify(record(1))}\n{"torn":\n{"other":1}\n`);
    const { records, skipped } = await readStore(dir.file('m.jsonl'));
    expect(records).toHaveLength(1);
    expect(skipped).toBe(2);
    expect(await readFile(dir.file('m.jsonl'), 'utf8')).toContain('torn');
  });
});
