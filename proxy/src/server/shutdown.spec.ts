import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProxy, runCli } from '../testing/cli.js';
import { ADMIN_TOKEN, eventually, send, tempDir, writeConfig } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';

describe('graceful shutdown of the CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let slow: TestUpstream;

  beforeAll(async () => {
    buildProxy();
    dir = await tempDir();
    slow = await startUpstream((req, res) => {
      const delay = req.url === '/slow' ? 1500 : 0;
      setTimeout(() => res.end(JSON.stringify({ done: req.url })), delay);
    });
  }, 120_000);
  afterAll(async () => {
    await slow.close();
    await dir.cleanup();
  });

  it('drains in-flight requests on SIGTERM, refuses new connections, and exits 0', async () => {
    const file = await writeConfig(dir.file('routes.yaml'), `upstreams:\n  legacy: ${slow.url}\n`);
    const run = runCli(
      ['--config', file, '--port', '0', '--host', '127.0.0.1', '--admin-port', '0'],
      {
        STRANGLER_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    );
    const started = await run.waitForLog('strangler-proxy listening');
    const url = started.url as string;
    expect((await send(`${url}/fast`)).status).toBe(200);
    const inFlight = send(`${url}/slow`);
    await eventually(() => expect(slow.seen.some((s) => s.url === '/slow')).toBe(true));
    run.child.kill('SIGTERM');
    await run.waitForLog('draining');
    await eventually(async () => {
      const refused = await new Promise<boolean>((resolve) => {
        const req = request(`${url}/after`, { agent: false });
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
        req.on('response', (res) => {
          res.resume();
          resolve(false);
        });
        req.end();
      });
      expect(refused).toBe(true);
    });
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ done: '/slow' });
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.logs.find((l) => l.msg === 'stopped after draining')).toMatchObject({ clean: true });
  }, 30_000);

  it('exits 2 with a message naming the file, route and field when the config is invalid', async () => {
    const file = await writeConfig(
      dir.file('bad.yaml'),
      `upstreams:\n  legacy: ${slow.url}\nroutes:\n  - id: availability\n    match: { path: /a }\n    mode: sideways\n`,
    );
    const run = runCli(['--config', file, '--port', '0', '--admin-port', '0'], {
      STRANGLER_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain(`${file}:6:11: route "availability", field routes[0].mode`);
  });
});
