import { readdir, readFile, stat, chmod } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../testing/support.js';
import { editModeInText, writeFileAtomic } from './write-back.js';

const ORIGINAL = `# Route table for the availability migration.
upstreams:
  legacy: \${LEGACY_URL:-http://127.0.0.1:3000}   # the monolith
  new: http://127.0.0.1:3001

groups:
  # Every write to an allocation, switched together.
  - id: allocation-writes
    mode: legacy

routes:
  # Read path first: it is safe to canary.
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: legacy   # flipped by the admin API
  - id: allocate
    group: allocation-writes
    match: { path: /products/:sku/allocate, methods: [POST] }
`;

describe('editModeInText', () => {
  it('changes only the mode line and keeps every comment and ${VAR}', () => {
    const edited = editModeInText(ORIGINAL, 'route', 'availability', {
      mode: 'canary',
      percent: 5,
    });
    const before = ORIGINAL.split('\n');
    const after = edited.split('\n');
    expect(edited).toContain('# Route table for the availability migration.');
    expect(edited).toContain('# Every write to an allocation, switched together.');
    expect(edited).toContain('# Read path first: it is safe to canary.');
    expect(edited).toContain('${LEGACY_URL:-http://127.0.0.1:3000}');
    expect(edited).toContain('# flipped by the admin API');
    const changed = after.filter((line) => !before.includes(line));
    expect(changed).toEqual(['    percent: 5', '    mode: canary   # flipped by the admin API']);
    expect(before.filter((line) => !after.includes(line))).toEqual([
      '    mode: legacy   # flipped by the admin API',
    ]);
  });

  it('edits a group by id', () => {
    const edited = editModeInText(ORIGINAL, 'group', 'allocation-writes', { mode: 'new' });
    expect(edited).toMatch(/- id: allocation-writes\n {4}mode: new\n/);
  });

  it('adds a missing mode and percent right after the id, in block and flow style', () => {
    const block = editModeInText(ORIGINAL, 'route', 'allocate', { mode: 'new' });
    expect(block).toContain('  - id: allocate\n    mode: new\n    group: allocation-writes\n');
    const flow = editModeInText(
      'routes:\n  - { id: a, match: { path: /a } } # note\n',
      'route',
      'a',
      { mode: 'canary', percent: 12.5 },
    );
    expect(flow).toBe(
      'routes:\n  - { id: a, percent: 12.5, mode: canary, match: { path: /a } } # note\n',
    );
  });

  it('removes the percent when leaving canary, in block and flow style, keeping every other line', () => {
    const inCanary = editModeInText(ORIGINAL, 'route', 'availability', {
      mode: 'canary',
      percent: 5,
    });
    expect(editModeInText(inCanary, 'route', 'availability', { mode: 'new' })).toBe(
      ORIGINAL.replace('    mode: legacy   #', '    mode: new   #'),
    );
    const flow =
      'routes:\n  - { id: a, percent: 12.5, mode: canary, match: { path: /a } } # note\n';
    expect(editModeInText(flow, 'route', 'a', { mode: 'shadow' })).toBe(
      'routes:\n  - { id: a, mode: shadow, match: { path: /a } } # note\n',
    );
    const last = 'routes:\n  - { id: a, mode: canary, percent: 7 }\n';
    expect(editModeInText(last, 'route', 'a', { mode: 'legacy' })).toBe(
      'routes:\n  - { id: a, mode: legacy }\n',
    );
    const commented =
      'routes:\n  - id: a\n    mode: canary\n    percent: 7 # a tenth\n    match: { path: /a }\n';
    expect(editModeInText(commented, 'route', 'a', { mode: 'new' })).toBe(
      'routes:\n  - id: a\n    mode: new\n    match: { path: /a }\n',
    );
  });

  it('refuses an id that is not in the file', () => {
    expect(() => editModeInText(ORIGINAL, 'route', 'nope', { mode: 'new' })).toThrow(
      'no route "nope"',
    );
  });
});

describe('writeFileAtomic', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('replaces the file whole, keeps its permissions and leaves no temporary file', async () => {
    const file = await writeConfig(dir.file('routes.yaml'), ORIGINAL);
    await chmod(file, 0o600);
    await writeFileAtomic(file, 'upstreams: {}\n');
    expect(await readFile(file, 'utf8')).toBe('upstreams: {}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir.dir)).toEqual(['routes.yaml']);
  });

  it('leaves the original untouched when the step before the commit fails', async () => {
    const file = await writeConfig(dir.file('routes.yaml'), ORIGINAL);
    await expect(
      writeFileAtomic(file, 'broken', async () => {
        throw new Error('audit log unwritable');
      }),
    ).rejects.toThrow('audit log unwritable');
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL);
    expect(await readdir(dir.dir)).toEqual(['routes.yaml']);
  });
});
