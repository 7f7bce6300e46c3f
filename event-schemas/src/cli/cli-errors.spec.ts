import { afterEach, describe, expect, it } from 'vitest';
import { esmCatalog, runBin, tempProject } from './testing/cli-project.js';

// The built bin, run as a user runs it: bad usage and catalogs that cannot be loaded exit 2.
const removals: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(removals.splice(0).map((remove) => remove()));
});
async function project(files: Record<string, string>): Promise<string> {
  const { dir, remove } = await tempProject(files);
  removals.push(remove);
  return dir;
}

describe('strangler-schemas (built bin): usage and loading errors', () => {
  it('prints usage with --help and exits 0', async () => {
    const dir = await project({});
    const result = await runBin(dir, '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: strangler-schemas <command> --catalog FILE');
  });

  it('exits 2 on bad usage, naming the flag and pointing at --help', async () => {
    const dir = await project({ 'catalog.mjs': esmCatalog() });
    const cases: [string[], string][] = [
      [['deploy'], 'unknown command "deploy": use check, snapshot or export'],
      [['check'], 'check needs --catalog FILE'],
      [
        ['check', '--catalog', 'catalog.mjs', '--mode', 'sideways'],
        '--mode sideways: use BACKWARD',
      ],
      [['export', '--catalog', 'catalog.mjs', '--mode', 'FULL'], 'export takes no --mode'],
      [['check', '--catalog', 'catalog.mjs', '--snapshot', 'x'], "Unknown option '--snapshot'"],
    ];
    for (const [args, message] of cases) {
      const result = await runBin(dir, ...args);
      expect(result.code).toBe(2);
      expect(result.err).toContain(message);
      expect(result.err).toContain('Run strangler-schemas --help for usage.');
    }
  });

  it('exits 2 with one line naming the file when the catalog cannot be loaded', async () => {
    const dir = await project({
      'none.mjs': 'export const answer = 42;\n',
      'broken.mjs': 'export default {\n',
      'throws.mjs': "throw new Error('the example of x.v1 is invalid');\n",
      'requires.cjs': "module.exports = require('./nope.cjs');\n",
    });
    const missing = await runBin(dir, 'check', '--catalog', 'dist/catalog.js');
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toContain(
      '--catalog dist/catalog.js: no such file; give the JavaScript module',
    );
    const none = await runBin(dir, 'check', '--catalog', 'none.mjs');
    expect(none).toMatchObject({ code: 2 });
    expect(none.err).toContain(
      'none.mjs exports no catalog (its exports: answer); export the value of defineCatalog',
    );
    const broken = await runBin(dir, 'check', '--catalog', 'broken.mjs');
    expect(broken).toMatchObject({ code: 2 });
    expect(broken.err).toContain('cannot load the catalog module broken.mjs: ');
    const requires = await runBin(dir, 'check', '--catalog', 'requires.cjs');
    expect(requires).toMatchObject({ code: 2 });
    expect(requires.err.trim().split('\n')).toEqual([
      "strangler-schemas: cannot load the catalog module requires.cjs: Cannot find module './nope.cjs'; fix the module (or build the project again) and retry",
    ]);
    const throws = await runBin(dir, 'check', '--catalog', 'throws.mjs');
    expect(throws).toMatchObject({ code: 2 });
    expect(throws.err).toContain(
      'cannot load the catalog module throws.mjs: the example of x.v1 is invalid; fix the module',
    );
  });
});
