import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOverride } from '../routing/override.js';
import { buildProxy, runCli } from '../testing/cli.js';
import { proxyFor } from '../testing/proxy.js';
import { ADMIN_TOKEN, OVERRIDE_SECRET, tempDir, writeConfig } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

async function cli(args: string[], env: Record<string, string> = {}) {
  const run = runCli(args, env);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('strangler-proxy CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let upstream: TestUpstream;
  let proxy: StartedProxy;
  let file: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildProxy();
    dir = await tempDir();
    upstream = await startUpstream();
    file = await writeConfig(
      dir.file('routes.yaml'),
      `upstreams:
  legacy: ${upstream.url}
  new: ${upstream.url}
override: { secret: "\${OVERRIDE_SECRET}" }
groups:
  - id: allocation-writes
routes:
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
  - id: allocate
    group: allocation-writes
    match: { path: /products/:sku/allocate, methods: [POST] }
`,
    );
    proxy = await proxyFor({ file }, { env: { OVERRIDE_SECRET } });
    env = { STRANGLER_ADMIN_URL: proxy.adminUrl as string, STRANGLER_ADMIN_TOKEN: ADMIN_TOKEN };
  }, 120_000);
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
    await dir.cleanup();
  });

  it('routes list prints routes, modes and groups', async () => {
    const { code, stdout } = await cli(['routes', 'list'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ROUTE\s+GROUP\s+MODE/);
    expect(stdout).toMatch(/availability\s+-\s+legacy\s+-\s+GET \/products\/:sku\/availability/);
    expect(stdout).toMatch(/allocation-writes\s+legacy\s+-\s+allocate/);
  });

  it('routes set switches a route or group through the admin API and audits the reason', async () => {
    const set = await cli(
      [
        'routes',
        'set',
        'availability',
        'canary',
        '--percent',
        '10',
        '--reason',
        'ramp up',
        '--actor',
        'ops',
      ],
      env,
    );
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toContain('route availability: legacy -> canary 10%');
    const group = await cli(
      ['routes', 'set', 'allocation-writes', 'new', '--reason', 'cut over'],
      env,
    );
    expect(group.stdout).toContain('group allocation-writes: legacy -> new (routes: allocate');
    expect(await readFile(file, 'utf8')).toContain('percent: 10');
    const audit = await cli(['routes', 'audit'], env);
    expect(audit.stdout).toMatch(
      /route availability: legacy -> canary 10%\s+by ops via cli: ramp up/,
    );
    const json = await cli(['routes', 'audit', '--json'], env);
    expect(JSON.parse(json.stdout)).toContainEqual(
      expect.objectContaining({ kind: 'route', target: 'availability', reason: 'ramp up' }),
    );
  });

  it('routes set refuses without a reason, and reports admin API errors with exit 1', async () => {
    expect((await cli(['routes', 'set', 'availability', 'new'], env)).code).toBe(2);
    const inGroup = await cli(['routes', 'set', 'allocate', 'legacy', '--reason', 'x'], env);
    expect(inGroup.code).toBe(1);
    expect(inGroup.stderr).toContain('route_in_group');
  });

  it('routes status shows the reload status', async () => {
    const { code, stdout } = await cli(['routes', 'status'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`file:    ${file}`);
    expect(stdout).toContain('status:  ok');
  });

  it('fails clearly without a token or with an unreachable admin API', async () => {
    const noToken = await cli(['routes', 'list'], {
      STRANGLER_ADMIN_URL: proxy.adminUrl as string,
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('STRANGLER_ADMIN_TOKEN');
    const down = await cli(['routes', 'list', '--admin-url', 'http://127.0.0.1:1'], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the admin API');
  });

  it('check validates a file; schema prints the JSON Schema; sign-override prints a valid token', async () => {
    const check = await cli(['check', '--config', file], { OVERRIDE_SECRET });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('ok (version');
    const schema = await cli(['schema']);
    expect(JSON.parse(schema.stdout)).toMatchObject({ title: 'strangler-proxy route file' });
    const signed = await cli(['sign-override', 'new', '--ttl', '10m', '--config', file], {
      OVERRIDE_SECRET,
    });
    const [header, token] = signed.stdout.trim().split(': ');
    expect(header).toBe('x-strangler-override');
    expect(verifyOverride(token as string, OVERRIDE_SECRET)).toEqual({ ok: true, role: 'new' });
  });

  it('prints help and rejects unknown commands and flags with exit 2', async () => {
    expect((await cli(['--help'])).stdout).toContain('strangler-proxy routes set ID MODE');
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['--bogus'])).code).toBe(2);
  });
});
