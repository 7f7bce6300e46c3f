import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigObject } from '../config/load.js';
import { ProxyError } from '../errors.js';
import { resolveUpstream } from '../routing/upstreams.js';
import { proxyFor } from '../testing/proxy.js';
import { admin, capturingLogger, eventually, tempDir, writeConfig } from '../testing/support.js';
import { deadPort, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { ReloadStatus, StartedProxy } from '../types.js';
import { notReady } from './readiness.js';

const routes = (mode: string) => `upstreams:
  legacy: LEGACY
  new:
    url: NEW
    readiness: { path: /status, require: /caughtUp }
routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: ${mode}
`;

describe('switching waits for the new upstream to be ready', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let legacy: TestUpstream;
  let service: TestUpstream;
  let caughtUp: boolean;
  let proxy: StartedProxy;
  let file: string;
  let logged: ReturnType<typeof capturingLogger>;

  const start = async (mode: string) => {
    const text = routes(mode).replace('LEGACY', legacy.url).replace('NEW', service.url);
    file = await writeConfig(dir.file('routes.yaml'), text);
    proxy = await proxyFor({ file }, { logger: logged.logger });
  };

  const mode = async () =>
    (await admin(proxy.adminUrl as string, '/routes/availability')).json<{ mode: string }>().mode;

  beforeEach(async () => {
    dir = await tempDir();
    caughtUp = false;
    logged = capturingLogger();
    legacy = await startUpstream();
    service = await startUpstream((req, res) => {
      const body = req.url === '/status' ? { caughtUp, lag: caughtUp ? 0 : 7 } : { served: 'new' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  afterEach(async () => {
    await proxy.close();
    await legacy.close();
    await service.close();
    await dir.cleanup();
  });

  it('refuses a switch to new while the new service has not caught up, naming the URL and the field, and writes nothing', async () => {
    await start('legacy');
    const before = await readFile(file, 'utf8');
    const reply = await admin(proxy.adminUrl as string, '/routes/availability/switch', {
      mode: 'new',
      reason: 'looks good',
    });
    expect(reply.status).toBe(409);
    expect(reply.text).toContain(`GET ${service.url}/status`);
    expect(reply.text).toContain('/caughtUp is false');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await mode()).toBe('legacy');

    caughtUp = true;
    const ok = await admin(proxy.adminUrl as string, '/routes/availability/switch', {
      mode: 'new',
      reason: 'caught up now',
    });
    expect(ok.status).toBe(200);
    expect(await mode()).toBe('new');
  });

  it('never holds up a rollback or a smaller canary share', async () => {
    await start('canary\n    percent: 50');
    await expect(
      proxy.switchRoute({ target: 'availability', mode: 'canary', percent: 80, reason: 'more' }),
    ).rejects.toMatchObject({ code: 'switch_denied' });
    await proxy.switchRoute({
      target: 'availability',
      mode: 'canary',
      percent: 10,
      reason: 'less',
    });
    await proxy.switchRoute({ target: 'availability', mode: 'legacy', reason: 'rollback' });
    expect(await mode()).toBe('legacy');
  });

  it('keeps the running table when a file edit would switch to a service that is behind, says why in the reload status, and applies the edit once it has caught up', async () => {
    await start('legacy');
    await writeFile(file, (await readFile(file, 'utf8')).replace('mode: legacy', 'mode: new'));
    await eventually(async () => {
      const status = (await admin(proxy.adminUrl as string, '/reload')).json<ReloadStatus>();
      expect(status.ok).toBe(false);
      expect(status.lastError?.message).toContain('not switching availability towards new');
      expect(status.lastError?.issues[0]).toMatchObject({ route: 'availability', field: 'mode' });
    });
    // Past the file watcher's own events: from here only the retry can apply the edit.
    await new Promise((r) => setTimeout(r, 500));
    expect(await mode()).toBe('legacy');
    expect(proxy.status().lastError?.message).toContain('tried again every 2 s');
    // Each retry is the latest attempt, and an expected wait is no error in the log.
    const first = proxy.status().lastAttemptAt;
    await eventually(() => expect(proxy.status().lastAttemptAt > first).toBe(true), 8000);
    const waits = logged.lines.filter((l) => l.err !== undefined);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((l) => l.level === 30)).toBe(true);
    expect(waits[0]?.msg).toBe(
      'route file edit waits for the new upstream to be ready; the running route table stays',
    );
    caughtUp = true;
    await eventually(async () => {
      expect(await mode()).toBe('new');
    }, 8000);
    expect(proxy.status().ok).toBe(true);
  });
  it('refuses an API switch that would carry along a file edit still waiting for readiness, until the file is saved back', async () => {
    await start(
      'legacy\n  - id: search\n    match: { path: /search }\n    mode: canary\n    percent: 20',
    );
    await writeFile(file, (await readFile(file, 'utf8')).replace('mode: legacy', 'mode: new'));
    await eventually(() => expect(proxy.status().ok).toBe(false));
    await expect(
      proxy.switchRoute({ target: 'search', mode: 'legacy', reason: 'rollback' }),
    ).rejects.toThrow(/not switching availability towards new/);
    expect(await mode()).toBe('legacy');
    // Saving the file back withdraws the waiting edit; then the rollback goes through.
    await writeFile(file, (await readFile(file, 'utf8')).replace('mode: new', 'mode: legacy'));
    await eventually(() => expect(proxy.status().ok).toBe(true));
    await proxy.switchRoute({ target: 'search', mode: 'legacy', reason: 'rollback' });
    expect(await readFile(file, 'utf8')).not.toContain('mode: new');
  });
});

/** What a config file may say; the tests also pass what it must not. */
type Readiness = { path: string; require?: string; timeout?: number };

describe('notReady', () => {
  const upstream = (url: string, readiness: Readiness) =>
    resolveUpstream(
      'new',
      loadConfigObject({ upstreams: { legacy: url, new: { url, readiness } } }).config,
    );

  it('reports an upstream that is down, slow, failing or answering without the required field', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    expect(await notReady(upstream(dead, { path: '/status' }))).toMatch(/ECONNREFUSED/);
    const server = await startUpstream((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 1000);
      if (req.url === '/fail') return void res.writeHead(503).end('{}');
      if (req.url === '/text') return void res.end('ok');
      res.end(JSON.stringify({ nested: { ready: true } }));
    });
    try {
      expect(await notReady(upstream(server.url, { path: '/slow', timeout: 100 }))).toContain(
        'no answer within 100 ms',
      );
      expect(await notReady(upstream(server.url, { path: '/fail' }))).toContain('status 503');
      expect(
        await notReady(upstream(server.url, { path: '/text', require: '/caughtUp' })),
      ).toContain('not JSON');
      expect(await notReady(upstream(server.url, { path: '/ok', require: '/caughtUp' }))).toContain(
        '/caughtUp is missing',
      );
      expect(
        await notReady(upstream(server.url, { path: '/ok', require: '/nested/ready' })),
      ).toBeUndefined();
      expect(await notReady(upstream(server.url, { path: '/ok' }))).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('rejects a readiness path or pointer that does not start with a slash, naming the field', () => {
    const load = (readiness: Readiness) => () =>
      loadConfigObject({
        upstreams: { legacy: 'http://127.0.0.1:1', new: { url: 'http://127.0.0.1:2', readiness } },
      });
    expect(load({ path: 'status' })).toThrow(ProxyError);
    expect(load({ path: 'status' })).toThrow(/upstreams\.new\.readiness\.path/);
    expect(load({ path: '/status', require: 'caughtUp' })).toThrow(/readiness\.require/);
  });
});
