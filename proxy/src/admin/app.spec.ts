import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { admin, eventually, send, tempDir, writeConfig } from '../testing/support.js';
import { echo, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { AuditEntry, ReloadStatus, RouteView, StartedProxy } from '../types.js';

describe('admin API', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let legacy: TestUpstream;
  let fresh: TestUpstream;
  let proxy: StartedProxy;
  let file: string;
  let adminUrl: string;
  let text: string;

  beforeAll(async () => {
    dir = await tempDir();
    legacy = await startUpstream(echo('legacy'));
    fresh = await startUpstream(echo('new'));
    text = `# managed by the admin API; comments survive switches
upstreams:
  legacy: ${legacy.url}
  new: ${fresh.url}
groups:
  - id: allocation-writes
    mode: legacy
routes:
  - id: availability   # read path
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: legacy
  - id: allocate
    group: allocation-writes
    match: { path: /products/:sku/allocate, methods: [POST] }
`;
    file = await writeConfig(dir.file('routes.yaml'), text);
    proxy = await proxyFor({ file });
    adminUrl = proxy.adminUrl as string;
  });
  afterAll(async () => {
    await proxy.close();
    await legacy.close();
    await fresh.close();
    await dir.cleanup();
  });

  it('answers /healthz without a token', async () => {
    const res = await send(`${adminUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('requires the bearer token everywhere else', async () => {
    for (const path of ['/routes', '/reload', '/audit']) {
      expect((await send(`${adminUrl}${path}`)).status).toBe(401);
      expect(
        (
          await send(`${adminUrl}${path}`, {
            headers: { authorization: 'Bearer wrong-token-wrong-token' },
          })
        ).status,
      ).toBe(401);
    }
    expect((await send(`${adminUrl}/switch`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('lists routes with their modes, groups and request counts', async () => {
    await send(`${proxy.url}/products/1/availability`);
    const body = (await admin(adminUrl, '/routes')).json<{
      routes: RouteView[];
      groups: unknown[];
    }>();
    expect(body.routes.map((r) => [r.id, r.mode, r.group])).toEqual([
      ['availability', 'legacy', undefined],
      ['allocate', 'legacy', 'allocation-writes'],
    ]);
    expect(body.routes[0]?.stats.requests.legacy).toBe(1);
    expect(body.groups).toEqual([
      {
        id: 'allocation-writes',
        mode: 'legacy',
        sticky: 'cookie:strangler-id',
        routes: ['allocate'],
      },
    ]);
  });

  it('checks a switch without making it: what it would change and whether the guards allow it', async () => {
    const remove = proxy.addSwitchGuard((request) =>
      request.mode === 'new' ? 'the new service is 12 s behind' : undefined,
    );
    const refused = await admin(adminUrl, '/routes/availability/switch/check', { mode: 'new' });
    expect(refused.status).toBe(200);
    expect(refused.json()).toMatchObject({
      target: 'availability',
      from: { mode: 'legacy' },
      to: { mode: 'new' },
      changes: true,
      allowed: false,
      refusal: 'the new service is 12 s behind',
    });
    remove();
    const group = await admin(adminUrl, '/groups/allocation-writes/switch/check', {
      mode: 'canary',
      percent: 10,
    });
    expect(group.json()).toMatchObject({ kind: 'group', routes: ['allocate'], allowed: true });
    expect((await admin(adminUrl, '/routes/nope/switch/check', { mode: 'new' })).status).toBe(404);
    expect(
      (await admin(adminUrl, '/routes/availability/switch/check', { mode: 'newest' })).json(),
    ).toMatchObject({ error: 'invalid_switch' });
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await admin(adminUrl, '/audit')).json<{ entries: unknown[] }>().entries).toEqual([]);
  });

  it('switches a route, writes the file back with its comments and appends to the audit log', async () => {
    const res = await admin(adminUrl, '/routes/availability/switch', {
      mode: 'new',
      reason: 'new service verified',
      actor: 'ana',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      changed: true,
      from: { mode: 'legacy' },
      to: { mode: 'new' },
    });
    expect((await send(`${proxy.url}/products/1/availability`)).headers['x-served-by']).toBe('new');
    const written = await readFile(file, 'utf8');
    expect(written).toContain('# managed by the admin API; comments survive switches');
    expect(written).toContain('- id: availability   # read path');
    expect(written).toContain('    mode: new\n');
    const audit = (await admin(adminUrl, '/audit')).json<{ entries: AuditEntry[] }>();
    expect(audit.entries.at(-1)).toMatchObject({
      target: 'availability',
      from: { mode: 'legacy' },
      to: { mode: 'new' },
      reason: 'new service verified',
      actor: 'ana',
      source: 'admin-api',
    });
  });

  it('switches a group with canary percent through /switch', async () => {
    const res = await admin(adminUrl, '/switch', {
      target: 'allocation-writes',
      mode: 'canary',
      percent: 25,
      reason: 'start canary',
    });
    expect(res.json()).toMatchObject({
      kind: 'group',
      routes: ['allocate'],
      to: { mode: 'canary', percent: 25 },
    });
    const route = (await admin(adminUrl, '/routes/allocate')).json<RouteView>();
    expect(route).toMatchObject({ mode: 'canary', percent: 25, group: 'allocation-writes' });
    // Asked without an actor: the audit entry names the caller by its source and address.
    const audit = (await admin(adminUrl, '/audit')).json<{ entries: AuditEntry[] }>();
    expect(audit.entries.at(-1)).toMatchObject({
      target: 'allocation-writes',
      actor: 'admin-api@127.0.0.1',
    });
  });

  it('answers switch errors with a status and a message saying what to do', async () => {
    const inGroup = await admin(adminUrl, '/switch', {
      target: 'allocate',
      mode: 'new',
      reason: 'x',
    });
    expect(inGroup.status).toBe(400);
    expect(inGroup.json()).toMatchObject({ error: 'route_in_group' });
    expect(
      (await admin(adminUrl, '/routes/nope/switch', { mode: 'new', reason: 'x' })).status,
    ).toBe(404);
    expect(
      (await admin(adminUrl, '/switch', { target: 'availability', mode: 'new' })).json(),
    ).toMatchObject({ error: 'invalid_switch' });
  });

  it('shows a rejected reload in the reload status while the running table stays', async () => {
    const current = await readFile(file, 'utf8');
    await writeFile(file, current.replace('mode: new\n', 'mode: newest\n'));
    await eventually(
      async () => expect((await admin(adminUrl, '/reload')).json<ReloadStatus>().ok).toBe(false),
      3000,
    );
    const status = (await admin(adminUrl, '/reload')).json<ReloadStatus>();
    expect(status.lastError?.issues[0]).toMatchObject({
      file,
      route: 'availability',
      field: 'routes[0].mode',
    });
    expect((await send(`${proxy.url}/products/1/availability`)).headers['x-served-by']).toBe('new');
    const forced = await admin(adminUrl, '/reload', {});
    expect(forced.status).toBe(422);
    await writeFile(file, current);
    const fixed = await admin(adminUrl, '/reload', {});
    expect(fixed.status).toBe(200);
    expect(fixed.json<ReloadStatus>().ok).toBe(true);
  });

  it('serves the config JSON Schema', async () => {
    expect((await admin(adminUrl, '/config/schema')).json()).toMatchObject({
      title: 'strangler-proxy route file',
    });
  });
});

describe('admin API settings', () => {
  it('refuses to start without a token', async () => {
    const upstream = await startUpstream();
    await expect(
      proxyFor({ upstreams: { legacy: upstream.url } }, { adminToken: undefined, env: {} }),
    ).rejects.toMatchObject({
      code: 'admin_token_missing',
    });
    await upstream.close();
  });

  it('holds a token from the environment or the options to the file rule (16 characters), never printing it', async () => {
    const upstream = await startUpstream();
    const weak = 'short-secret';
    for (const options of [
      { adminToken: undefined, env: { STRANGLER_ADMIN_TOKEN: weak } },
      { adminToken: weak, env: {} },
    ]) {
      const refused = await proxyFor({ upstreams: { legacy: upstream.url } }, options).catch(
        (e: Error & { code: string }) => e,
      );
      expect(refused).toMatchObject({ code: 'admin_token_weak' });
      expect((refused as Error).message).toMatch(/must be at least 16 characters \(it has 12;/);
      expect((refused as Error).message).not.toContain(weak);
    }
    await upstream.close();
  });

  it('can require the token for /metrics too', async () => {
    const upstream = await startUpstream();
    const p = await proxyFor({
      upstreams: { legacy: upstream.url },
      admin: { metricsRequireToken: true },
    });
    expect((await send(`${p.adminUrl}/metrics`)).status).toBe(401);
    expect((await admin(p.adminUrl as string, '/metrics')).status).toBe(200);
    await p.close();
    await upstream.close();
  });
});
