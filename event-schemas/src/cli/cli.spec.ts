import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cjsCatalog, esmCatalog, runBin, tempProject } from './testing/cli-project.js';

// The built bin, run as a user runs it, on catalogs in each module format.
const removals: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(removals.splice(0).map((remove) => remove()));
});
async function project(files: Record<string, string>): Promise<string> {
  const { dir, remove } = await tempProject(files);
  removals.push(remove);
  return dir;
}

describe('strangler-schemas (built bin)', () => {
  it('snapshots and checks an ESM catalog; the snapshots default to <catalog folder>/schemas', async () => {
    const dir = await project({ 'catalog.mjs': esmCatalog() });
    const unreleased = await runBin(dir, 'check', '--catalog', 'catalog.mjs');
    expect(unreleased.code).toBe(1);
    expect(unreleased.out).toContain(
      'OrderPlaced v1 (com.example.shop.order_placed.v1): not released yet',
    );
    const snapshot = await runBin(dir, 'snapshot', '--catalog', 'catalog.mjs');
    expect(snapshot.code).toBe(0);
    expect(snapshot.out).toContain('recorded com.example.shop.order_placed.v1 as released');
    await readFile(join(dir, 'schemas', 'com.example.shop.order_placed.v1', 'schema.json'));
    const check = await runBin(dir, 'check', '--catalog', 'catalog.mjs', '--mode', 'full');
    expect(check.code).toBe(0);
    expect(check.out).toContain(
      'strangler-schemas check: passed: 1 events, 1 released versions, 1 fixtures checked against schemas (FULL)',
    );
  });

  it('exits 1 naming event, field and rule when a released version is edited', async () => {
    const dir = await project({ 'catalog.mjs': esmCatalog() });
    expect((await runBin(dir, 'snapshot', '--catalog', 'catalog.mjs')).code).toBe(0);
    await writeFile(
      join(dir, 'catalog.mjs'),
      esmCatalog(', currency: z.string()', ", currency: 'EUR'"),
    );
    const check = await runBin(dir, 'check', '--catalog', 'catalog.mjs');
    expect(check.code).toBe(1);
    expect(check.out).toContain(
      'OrderPlaced v1 (com.example.shop.order_placed.v1): data.currency: BACKWARD: added as required; events written before cannot be read. Make it optional, or publish v2 with previous + upcast.',
    );
    expect(check.out).toContain('strangler-schemas check: FAILED: 2 problems');
  });

  it('loads CommonJS catalogs: module.exports, exports.catalog and a transpiled exports.default', async () => {
    const dir = await project({
      'plain.cjs': cjsCatalog('module.exports = catalog;'),
      'named.cjs': cjsCatalog('exports.catalog = catalog;'),
      'transpiled.cjs': cjsCatalog(
        "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = catalog;",
      ),
    });
    for (const file of ['plain.cjs', 'named.cjs', 'transpiled.cjs']) {
      const result = await runBin(dir, 'check', '--catalog', file, '--allow-unreleased');
      expect(result.code, `${file}: ${result.err}`).toBe(0);
      expect(result.out).toContain(
        'note: OrderPlaced v1 (com.example.shop.order_placed.v1): not released yet',
      );
    }
  });

  it('loads a .js catalog in a package without "type", in ESM or CommonJS syntax', async () => {
    const dir = await project({
      'package.json': '{ "name": "shop-events", "version": "2.0.0" }\n',
      'esm/catalog.js': esmCatalog(),
      'cjs/catalog.js': cjsCatalog('module.exports = catalog;'),
    });
    for (const file of ['esm/catalog.js', 'cjs/catalog.js']) {
      const result = await runBin(dir, 'check', '--catalog', file, '--allow-unreleased');
      expect(result.code, `${file}: ${result.err}`).toBe(0);
    }
  });

  it(
    'exports into <package>/docs/events and reports stale files with --check',
    { timeout: 90_000 },
    async () => {
      const dir = await project({
        'package.json': '{ "name": "shop-events", "version": "2.0.0", "type": "module" }\n',
        'dist/catalog.js': esmCatalog(),
      });
      const args = ['export', '--catalog', 'dist/catalog.js'];
      const before = await runBin(dir, ...args, '--check');
      expect(before.code).toBe(1);
      expect(before.out).toContain('stale: docs/events/asyncapi.json (missing)');
      expect(before.out).toContain(
        'regenerate with: strangler-schemas export --catalog dist/catalog.js',
      );
      expect((await runBin(dir, ...args)).code).toBe(0);
      const asyncapi = JSON.parse(await readFile(join(dir, 'docs/events/asyncapi.json'), 'utf8'));
      expect(asyncapi.info.version).toBe('2.0.0');
      expect(Object.keys(asyncapi.channels)).toEqual(['shop.events']);
      expect((await runBin(dir, ...args, '--check')).code).toBe(0);
      await writeFile(join(dir, 'docs/events/catalog.md'), '# edited by hand\n');
      const after = await runBin(dir, ...args, '--check');
      expect(after.code).toBe(1);
      expect(after.out).toContain('stale: docs/events/catalog.md (differs)');
    },
  );
});
