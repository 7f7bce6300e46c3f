import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.js';
import { ProxyMetrics } from '../runtime/metrics.js';
import { ProxyRuntime } from '../runtime/runtime.js';
import { silentLogger, tempDir, writeConfig } from '../testing/support.js';
import type { AuditEntry } from '../types.js';
import { AuditLog } from './audit.js';
import { RouteSwitcher } from './switcher.js';

const FILE = `# routes for the test
upstreams:
  legacy: http://127.0.0.1:3000
  new: http://127.0.0.1:3001
groups:
  - id: allocation-writes   # one writer per aggregate
    mode: legacy
routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: legacy # read path
  - id: allocate
    group: allocation-writes
    match: { path: /products/:sku/allocate, methods: [POST] }
`;

describe('RouteSwitcher with a config file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let runtime: ProxyRuntime;
  let switcher: RouteSwitcher;
  let file: string;

  beforeEach(async () => {
    dir = await tempDir();
    file = await writeConfig(dir.file('routes.yaml'), FILE);
    runtime = await ProxyRuntime.create({
      configFile: file,
      logger: silentLogger(),
      metrics: new ProxyMetrics(),
      watch: false,
    });
    switcher = new RouteSwitcher(runtime, new AuditLog(dir.file('audit.jsonl')));
  });
  afterEach(async () => {
    await runtime.close();
    await dir.cleanup();
  });

  const audit = async () =>
    (await readFile(dir.file('audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);

  it('switches a route at once, writes it back keeping comments, and audits when, from, to and why', async () => {
    const result = await switcher.switch({
      target: 'availability',
      mode: 'canary',
      percent: 10,
      reason: 'first 10%',
      actor: 'ana',
    });
    expect(result).toMatchObject({
      changed: true,
      kind: 'route',
      from: { mode: 'legacy' },
      to: { mode: 'canary', percent: 10 },
    });
    expect(runtime.table.byId.get('availability')).toMatchObject({ mode: 'canary', percent: 10 });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# routes for the test');
    expect(text).toContain('mode: canary # read path');
    expect(text).toContain('percent: 10');
    const [entry] = await audit();
    expect(entry).toMatchObject({
      kind: 'route',
      target: 'availability',
      from: { mode: 'legacy' },
      to: { mode: 'canary', percent: 10 },
      reason: 'first 10%',
      actor: 'ana',
      file,
    });
    expect(Date.parse(entry?.at ?? '')).not.toBeNaN();
    expect(result.version).toBe(runtime.table.version);
  });

  it('switches a group and with it every route in it', async () => {
    const result = await switcher.switch({
      target: 'allocation-writes',
      mode: 'new',
      reason: 'cut-over',
    });
    expect(result).toMatchObject({ kind: 'group', routes: ['allocate'] });
    expect(runtime.table.byId.get('allocate')?.mode).toBe('new');
    expect(await readFile(file, 'utf8')).toContain(
      '- id: allocation-writes   # one writer per aggregate\n    mode: new',
    );
  });

  it('refuses to switch one route of a group alone, so an aggregate never has two writers', async () => {
    await expect(
      switcher.switch({ target: 'allocate', mode: 'new', reason: 'x' }),
    ).rejects.toMatchObject({ code: 'route_in_group' });
    expect(await readFile(file, 'utf8')).toBe(FILE);
  });

  it('refuses unknown targets, bad modes, bad percents, a missing reason and canary without percent', async () => {
    const attempts = [
      { target: 'nope', mode: 'new', reason: 'x' },
      { target: 'availability', mode: 'sideways', reason: 'x' },
      { target: 'availability', mode: 'canary', percent: 101, reason: 'x' },
      { target: 'availability', mode: 'new', reason: ' ' },
      { target: 'availability', mode: 'canary', reason: 'x' },
    ] as const;
    for (const attempt of attempts) {
      await expect(switcher.switch(attempt as never)).rejects.toBeInstanceOf(ProxyError);
    }
    expect(await readFile(file, 'utf8')).toBe(FILE);
  });

  it('asks every guard first and writes nothing when one refuses', async () => {
    switcher.addGuard(async (request) =>
      request.mode === 'new' ? 'the new service is 4,000 events behind' : undefined,
    );
    await expect(
      switcher.switch({ target: 'availability', mode: 'new', reason: 'go' }),
    ).rejects.toMatchObject({
      code: 'switch_denied',
      message: expect.stringContaining('4,000 events behind'),
    });
    expect(runtime.table.byId.get('availability')?.mode).toBe('legacy');
    expect(await readFile(file, 'utf8')).toBe(FILE);
    await expect(
      switcher.switch({ target: 'availability', mode: 'shadow', reason: 'shadow is fine' }),
    ).resolves.toMatchObject({ changed: true });
  });

  it("answers a check with what the switch would do and the guard's refusal, changing nothing", async () => {
    const asked: boolean[] = [];
    switcher.addGuard((request, context) => {
      asked.push(context.check === true);
      return request.mode === 'new' ? 'the new service is 4,000 events behind' : undefined;
    });
    await expect(switcher.check({ target: 'availability', mode: 'new' })).resolves.toEqual({
      kind: 'route',
      target: 'availability',
      routes: ['availability'],
      from: { mode: 'legacy' },
      to: { mode: 'new' },
      changes: true,
      allowed: false,
      refusal: 'the new service is 4,000 events behind',
    });
    await expect(
      switcher.check({ target: 'allocation-writes', mode: 'canary', percent: 5 }),
    ).resolves.toMatchObject({
      kind: 'group',
      routes: ['allocate'],
      to: { mode: 'canary', percent: 5 },
      allowed: true,
    });
    await expect(switcher.check({ target: 'availability', mode: 'legacy' })).resolves.toMatchObject(
      { changes: false, allowed: true },
    );
    await expect(switcher.check({ target: 'allocate', mode: 'new' })).rejects.toMatchObject({
      code: 'route_in_group',
    });
    expect(asked).toEqual([true, true]);
    expect(await readFile(file, 'utf8')).toBe(FILE);
    expect(await switcher.audit.recent()).toEqual([]);
  });

  it('does nothing (and audits nothing) when the target is already in that state', async () => {
    const result = await switcher.switch({
      target: 'availability',
      mode: 'legacy',
      reason: 'noop',
    });
    expect(result.changed).toBe(false);
    expect(await switcher.audit.recent()).toEqual([]);
  });

  it('refuses to switch while the file on disk is invalid, pointing at the problem', async () => {
    await writeFile(file, FILE.replace('mode: legacy # read path', 'mode: nope'));
    await expect(
      switcher.switch({ target: 'availability', mode: 'new', reason: 'x' }),
    ).rejects.toMatchObject({ code: 'config_file_invalid' });
  });

  it('builds on a valid edit made on disk but not yet reloaded', async () => {
    await writeFile(
      file,
      FILE.replace('/products/:sku/availability', '/v2/products/:sku/availability'),
    );
    await switcher.switch({ target: 'availability', mode: 'new', reason: 'x' });
    expect(runtime.table.byId.get('availability')?.config.match.path).toBe(
      '/v2/products/:sku/availability',
    );
  });

  it('applies nothing when the audit log cannot be written', async () => {
    const broken = new RouteSwitcher(runtime, new AuditLog(dir.file('missing-dir/audit.jsonl')));
    await expect(
      broken.switch({ target: 'availability', mode: 'new', reason: 'x' }),
    ).rejects.toMatchObject({ code: 'audit_failed' });
    expect(runtime.table.byId.get('availability')?.mode).toBe('legacy');
    expect(await readFile(file, 'utf8')).toBe(FILE);
  });
});

describe('RouteSwitcher with a config object', () => {
  it('switches in memory and keeps the audit entries in memory', async () => {
    const runtime = await ProxyRuntime.create({
      config: {
        upstreams: { legacy: 'http://127.0.0.1:1', new: 'http://127.0.0.1:2' },
        routes: [{ id: 'a', match: { path: '/a' } }],
      },
      logger: silentLogger(),
      metrics: new ProxyMetrics(),
    });
    const switcher = new RouteSwitcher(runtime, new AuditLog(undefined));
    await switcher.switch({ target: 'a', mode: 'new', reason: 'in memory' });
    expect(runtime.table.byId.get('a')?.mode).toBe('new');
    expect(await switcher.audit.recent()).toMatchObject([
      { target: 'a', to: { mode: 'new' }, reason: 'in memory' },
    ]);
  });
});
