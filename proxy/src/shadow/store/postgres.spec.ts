import type { ServerResponse } from 'node:http';
import { testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProxy, runCli } from '../../testing/cli.js';
import { proxyFor } from '../../testing/proxy.js';
import { send } from '../../testing/support.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import type { StartedProxy } from '../../types.js';
import { PostgresStore, readPostgresStore } from './postgres.js';

const qty = (n: number) => (req: { url?: string }, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, qty: n }));
};

describe('the Postgres mismatch store', () => {
  let url: string;
  let legacy: TestUpstream;
  let broken: TestUpstream;
  let fixed: TestUpstream;
  const proxies: StartedProxy[] = [];

  beforeAll(async () => {
    url = (await testDatabase('shadow_store')).url;
    legacy = await startUpstream(qty(3));
    broken = await startUpstream(qty(4));
    fixed = await startUpstream(qty(3));
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    for (const u of [legacy, broken, fixed]) await u.close();
  });

  it('takes the mismatches of several proxies in one table, each row naming its proxy', async () => {
    for (let i = 0; i < 2; i++) {
      proxies.push(
        await proxyFor({
          upstreams: { legacy: legacy.url, new: broken.url },
          shadow: { maxLoopUtilization: 1, store: { postgres: url, table: 'mismatches' } },
          routes: [{ id: 'stock', match: { path: '/stock/:sku' }, mode: 'shadow' }],
        }),
      );
    }
    await send(`${proxies[0]!.url}/stock/a`, { headers: { authorization: 'Bearer secret-a' } });
    await send(`${proxies[1]!.url}/stock/b`);
    for (const p of proxies) await p.shadow.idle();
    // Appends finish after the comparison: close flushes them.
    for (const p of proxies.splice(0)) await p.close();
    const { records, skipped } = await readPostgresStore(url, 'mismatches');
    expect(skipped).toBe(0);
    // Each proxy appends on its own: rows are in the order they arrived, not the requests'.
    const rows = records.map((r) => [r.route, r.request.url, r.diff]);
    rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(rows).toEqual([
      ['stock', '/stock/a', [{ pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 }]],
      ['stock', '/stock/b', [{ pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 }]],
    ]);
    expect(JSON.stringify(records)).not.toContain('secret-a');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows: proxyRows } = await client.query<{ proxy: string }>(
      'SELECT DISTINCT proxy FROM mismatches',
    );
    await client.end();
    expect(proxyRows).toHaveLength(1); // both proxies run in this process: same host and pid
    expect(proxyRows[0]?.proxy).toMatch(/:\d+$/);
  });

  it('replays from the table through the CLI, named by its URL', async () => {
    buildProxy();
    const run = runCli([
      'shadow',
      'replay',
      '--store',
      url,
      '--table',
      'mismatches',
      '--candidate',
      fixed.url,
    ]);
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(run.stdout()).toMatch(/2 replayed against .*: 2 now match, 0 still differ, 0 failed/);
    expect(code).toBe(0);
  });

  it('keeps the newest rows per route, and describes itself without the password', async () => {
    const secretUrl = url.replace('://', '://nobody:hunter2@');
    const described = new PostgresStore(secretUrl, { table: 'x' });
    expect(described.description).not.toContain('hunter2');
    await described.close();
    const store = new PostgresStore(url, { table: 'pruned', keep: 2 });
    const record = (n: number) => ({
      at: new Date().toISOString(),
      route: 'r',
      servedBy: 'legacy' as const,
      request: { method: 'GET', url: `/n/${n}`, headers: {}, requestId: `id-${n}` },
      legacy: { status: 200, ms: 1 },
      candidate: { status: 200, ms: 1 },
      diff: [],
      more: 0,
      text: '',
      replay: {
        legacy: { status: 200, headers: {} },
        settings: { compareHeaders: [], ignore: [], noise: [] },
      },
    });
    for (let n = 1; n <= 5; n++) await store.append(record(n) as never);
    await store.prune('r');
    await store.close();
    const { records } = await readPostgresStore(url, 'pruned');
    expect(records.map((r) => r.request.url)).toEqual(['/n/4', '/n/5']);
  });

  it('says which store it could not read, without the password', async () => {
    const bad = url.replace(/\/[^/]+$/, '/no_such_database').replace('://', '://nobody:hunter2@');
    const err = await readPostgresStore(bad).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /cannot read the mismatch store postgres:.*no_such_database/,
    );
    expect((err as Error).message).not.toContain('hunter2');
  });
});
