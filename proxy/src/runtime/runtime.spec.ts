import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  capturingLogger,
  eventually,
  silentLogger,
  tempDir,
  writeConfig,
} from '../testing/support.js';
import { ProxyMetrics } from './metrics.js';
import { ProxyRuntime } from './runtime.js';

const config = (mode: string) => `upstreams:
  legacy: http://127.0.0.1:3000
  new: http://127.0.0.1:3001
routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: ${mode}
`;

describe('ProxyRuntime hot reload', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let runtime: ProxyRuntime;
  let file: string;

  beforeEach(async () => {
    dir = await tempDir();
    file = await writeConfig(dir.file('routes.yaml'), config('legacy'));
    runtime = await ProxyRuntime.create({
      configFile: file,
      logger: silentLogger(),
      metrics: new ProxyMetrics(),
    });
  });
  afterEach(async () => {
    await runtime.close();
    await dir.cleanup();
  });

  it('picks up an edit of the file without a restart', async () => {
    const before = runtime.table;
    await writeFile(file, config('new'));
    await eventually(() => expect(runtime.table.byId.get('availability')?.mode).toBe('new'), 3000);
    expect(runtime.table).not.toBe(before);
    expect(before.byId.get('availability')?.mode).toBe('legacy');
  });

  it('picks up a file replaced by rename, as editors and atomic writers do', async () => {
    await writeFile(dir.file('routes.yaml.tmp'), config('canary\n    percent: 10'));
    await rename(dir.file('routes.yaml.tmp'), file);
    await eventually(() => expect(runtime.table.byId.get('availability')?.percent).toBe(10), 3000);
  });

  it('keeps the running table when the file becomes invalid, and says why in the status', async () => {
    const good = runtime.table;
    await writeFile(file, config('sideways'));
    await eventually(() => expect(runtime.status().ok).toBe(false), 3000);
    expect(runtime.table).toBe(good);
    const status = runtime.status();
    expect(status.activeVersion).toBe(good.version);
    expect(status.failures).toBe(1);
    expect(status.lastError?.issues[0]).toMatchObject({
      file,
      route: 'availability',
      field: 'routes[0].mode',
      line: 7,
    });
  });

  it('recovers when the invalid file is fixed', async () => {
    await writeFile(file, 'upstreams: [');
    await eventually(() => expect(runtime.status().ok).toBe(false), 3000);
    await writeFile(file, config('new'));
    await eventually(() => expect(runtime.status().ok).toBe(true), 3000);
    expect(runtime.table.byId.get('availability')?.mode).toBe('new');
    expect(runtime.status().lastError).toBeUndefined();
  });

  it('reports a forced reload of an unchanged file as ok without swapping the table', async () => {
    const before = runtime.table;
    const status = await runtime.reload('admin');
    expect(status.ok).toBe(true);
    expect(runtime.table).toBe(before);
  });

  it('logs a rejected reload with its issues', async () => {
    const log = capturingLogger();
    const logged = await ProxyRuntime.create({
      configFile: file,
      logger: log.logger,
      metrics: new ProxyMetrics(),
      watch: false,
    });
    await writeFile(file, config('sideways'));
    await logged.reload('api');
    expect(
      log.lines.find((l) => l.msg === 'config reload rejected; the running route table stays'),
    ).toMatchObject({
      level: 50,
      keeping: logged.table.version,
      issues: [{ route: 'availability', field: 'routes[0].mode' }],
    });
    await logged.close();
  });

  it('counts reloads in the metrics', async () => {
    await writeFile(file, 'nonsense: true\n');
    await eventually(() => expect(runtime.status().ok).toBe(false), 3000);
    const text = await runtime.metrics.registry.metrics();
    expect(text).toMatch(/strangler_proxy_config_reloads_total\{result="invalid"\} 1/);
    expect(text).toMatch(/strangler_proxy_config_last_reload_ok 0/);
  });
});

describe('ProxyRuntime on a Kubernetes ConfigMap volume', () => {
  // The kubelet's layout: routes.yaml -> ..data/routes.yaml, ..data -> ..<timestamp>/; an update
  // writes a new timestamped directory, points ..data_tmp at it, renames ..data_tmp over ..data
  // (atomic), then deletes the old directory. The file's own path never changes.
  it('picks up each symlink swap of the mounted directory', async () => {
    const dir = await tempDir();
    const publish = async (version: string, mode: string) => {
      await mkdir(dir.file(`..${version}`));
      await writeFile(dir.file(`..${version}/routes.yaml`), config(mode));
      await symlink(`..${version}`, dir.file('..data_tmp'));
      await rename(dir.file('..data_tmp'), dir.file('..data'));
    };
    await publish('2026_12_03_1', 'legacy');
    await symlink('..data/routes.yaml', dir.file('routes.yaml'));
    const runtime = await ProxyRuntime.create({
      configFile: dir.file('routes.yaml'),
      logger: silentLogger(),
      metrics: new ProxyMetrics(),
    });
    try {
      expect(runtime.table.byId.get('availability')?.mode).toBe('legacy');
      await publish('2026_12_03_2', 'new');
      await rm(dir.file('..2026_12_03_1'), { recursive: true });
      await eventually(
        () => expect(runtime.table.byId.get('availability')?.mode).toBe('new'),
        3000,
      );
      await publish('2026_12_03_3', 'shadow');
      await rm(dir.file('..2026_12_03_2'), { recursive: true });
      await eventually(
        () => expect(runtime.table.byId.get('availability')?.mode).toBe('shadow'),
        3000,
      );
      expect(runtime.status()).toMatchObject({ ok: true });
    } finally {
      await runtime.close();
      await dir.cleanup();
    }
  });
});
