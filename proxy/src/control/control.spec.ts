import { databaseServerUrl, testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProxy, runCli } from '../testing/cli.js';
import { proxyFor } from '../testing/proxy.js';
import { ADMIN_TOKEN, admin, eventually, send, tempDir, writeConfig } from '../testing/support.js';
import { echo, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { AuditEntry, StartedProxy } from '../types.js';

const table = (legacy: string, fresh: string, mode = 'legacy') => `# shared by the fleet
upstreams:
  legacy: ${legacy}
  new: ${fresh}
routes:
  - id: availability   # read path
    match: { path: /products/:sku/availability }
    mode: ${mode}
  - id: orders
    match: { path: /orders/** }
    mode: legacy
groups:
  - id: stock-writes
    mode: legacy
    writes:
      toNew: { barrier: ${legacy}/barrier, applied: ${fresh}/applied }
`;

describe('a control plane shared by several proxies', () => {
  let legacy: TestUpstream;
  let fresh: TestUpstream;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const running: StartedProxy[] = [];

  beforeAll(async () => {
    legacy = await startUpstream(echo('legacy'));
    fresh = await startUpstream(echo('new'));
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.close();
  });
  afterAll(async () => {
    await legacy.close();
    await fresh.close();
    await dir.cleanup();
  });

  async function replica(url: string, mode = 'legacy', name = `r${running.length}`) {
    const file = await writeConfig(dir.file(`${name}.yaml`), table(legacy.url, fresh.url, mode));
    const proxy = await proxyFor({ file }, { controlDb: url });
    running.push(proxy);
    return { proxy, file };
  }
  const servedBy = async (p: StartedProxy, path = '/products/1/availability') =>
    (await send(`${p.url}${path}`)).headers['x-served-by'];

  it("imports the first replica's file, serves that table on every replica, and applies a switch made on one everywhere", async () => {
    const { url } = await testDatabase('control');
    const a = (await replica(url, 'legacy')).proxy;
    // Its own file says new: the control plane's table wins.
    const b = (await replica(url, 'new')).proxy;
    expect(await servedBy(b)).toBe('legacy');
    const res = await admin(a.adminUrl as string, '/routes/availability/switch', {
      mode: 'new',
      reason: 'verified',
      actor: 'ana',
    });
    expect(res.status).toBe(200);
    await eventually(async () => expect(await servedBy(b)).toBe('new'), 3000);
    // The audit log is the fleet's: B shows A's switch, with its actor.
    const audit = (await admin(b.adminUrl as string, '/audit')).json<{ entries: AuditEntry[] }>();
    expect(audit.entries).toEqual([
      expect.objectContaining({ target: 'availability', to: { mode: 'new' }, actor: 'ana' }),
    ]);
    // The table keeps the file's comments: a switch edits the text, as with a file.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const { rows } = await db.query<{ version: string; text: string }>(
      'SELECT version, text FROM strangler_proxy_table ORDER BY version',
    );
    await db.end();
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2]);
    expect(rows[1]?.text).toContain('  - id: availability   # read path\n');
    expect(rows[1]?.text).toMatch(/^ {4}mode: new$/m);
    const fleet = (await admin(b.adminUrl as string, '/fleet')).json<{
      controlPlane: { ok: boolean; version: number };
      replicas: { id: string; version: number; behind: number }[];
    }>();
    expect(fleet.controlPlane).toMatchObject({ ok: true, version: 2 });
    await eventually(async () => {
      const f = (await admin(b.adminUrl as string, '/fleet')).json<typeof fleet>();
      expect(f.replicas.map((r) => [r.version, r.behind])).toEqual([
        [2, 0],
        [2, 0],
      ]);
    }, 3000);
    expect(
      (await admin(a.adminUrl as string, '/healthz')).json<{ controlPlane: unknown }>(),
    ).toMatchObject({ status: 'ok', controlPlane: { ok: true, version: 2 } });
  });

  it('lets two replicas switch at once, each on top of the other, losing neither switch', async () => {
    const { url } = await testDatabase('control_race');
    const a = (await replica(url)).proxy;
    const b = (await replica(url)).proxy;
    const [x, y] = await Promise.all([
      admin(a.adminUrl as string, '/routes/availability/switch', { mode: 'new', reason: 'x' }),
      admin(b.adminUrl as string, '/routes/orders/switch', { mode: 'shadow', reason: 'y' }),
    ]);
    expect([x.status, y.status]).toEqual([200, 200]);
    for (const p of [a, b]) {
      await eventually(async () => {
        expect(await servedBy(p)).toBe('new');
        const routes = (await admin(p.adminUrl as string, '/routes')).json<{
          routes: { id: string; mode: string }[];
        }>();
        expect(routes.routes.find((r) => r.id === 'orders')?.mode).toBe('shadow');
      }, 3000);
    }
  });

  it('never lets a switch undo one made elsewhere that it had not seen: it is refused, naming the new state', async () => {
    const { url } = await testDatabase('control_stale');
    const a = (await replica(url)).proxy;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      // Another writer publishes version 2 (availability to shadow) while holding the publish
      // lock, so A plans its switch on version 1 and then finds version 2.
      await db.query('BEGIN');
      await db.query('SELECT pg_advisory_xact_lock($1)', [0x5354_5251]);
      const v1 = (await db.query<{ text: string }>('SELECT text FROM strangler_proxy_table'))
        .rows[0]!;
      await db.query('INSERT INTO strangler_proxy_table (version, text) VALUES (2, $1)', [
        v1.text.replace('availability }\n    mode: legacy', 'availability }\n    mode: shadow'),
      ]);
      const asked = admin(a.adminUrl as string, '/routes/availability/switch', {
        mode: 'new',
        reason: 'planned on version 1',
      });
      await eventually(async () => {
        const { rows } = await db.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        expect(rows).toHaveLength(1);
      }, 5000);
      await db.query('COMMIT');
      const res = await asked;
      expect(res.status).toBe(409);
      expect(res.json<{ message: string }>().message).toBe(
        '"availability" was switched on another replica meanwhile (to shadow; it was legacy when asked); nothing was changed: look and switch again',
      );
      expect(await servedBy(a)).toBe('legacy'); // shadow: legacy still answers
      const routes = (await admin(a.adminUrl as string, '/routes')).json<{
        routes: { id: string; mode: string }[];
      }>();
      expect(routes.routes.find((r) => r.id === 'availability')?.mode).toBe('shadow');
    } finally {
      await db.end();
    }
  });

  it('keeps serving its table when a published version is invalid on this replica, and says so', async () => {
    const { url } = await testDatabase('control_refused');
    const a = (await replica(url)).proxy;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const v1 = (await db.query<{ text: string }>('SELECT text FROM strangler_proxy_table'))
        .rows[0]!;
      await db.query('INSERT INTO strangler_proxy_table (version, text) VALUES (2, $1)', [
        v1.text.replace(/new: \S+/, 'new: ${UPSTREAM_ONLY_ELSEWHERE}'),
      ]);
      await db.query("SELECT pg_notify('strangler_proxy_table', '2')");
    } finally {
      await db.end();
    }
    await eventually(async () => {
      const health = (await admin(a.adminUrl as string, '/healthz')).json();
      expect(health).toMatchObject({
        status: 'degraded',
        controlPlane: { ok: true, version: 1, refused: { version: 2 } },
      });
    }, 5000);
    const reload = (await admin(a.adminUrl as string, '/reload')).json<{
      ok: boolean;
      lastError: { issues: { message: string }[] };
    }>();
    expect(reload.ok).toBe(false);
    expect(reload.lastError.issues[0]?.message).toMatch(/UPSTREAM_ONLY_ELSEWHERE is not set/);
    expect((await send(`${a.url}/products/1/availability`)).status).toBe(200);
  });

  it('exports the shared table as a route file and imports a file as the next version, audited', async () => {
    const { url } = await testDatabase('control_cli');
    const a = (await replica(url)).proxy;
    buildProxy();
    const exported = runCli(['control', 'export', '--control-db', url]);
    expect((await exported.exited).code).toBe(0);
    expect(exported.stdout()).toBe(table(legacy.url, fresh.url, 'legacy'));
    const edited = await writeConfig(
      dir.file('edited.yaml'),
      exported
        .stdout()
        .replace('availability }\n    mode: legacy', 'availability }\n    mode: new'),
    );
    const imported = runCli(
      ['control', 'import', '--config', edited, '--reason', 'reviewed in git', '--actor', 'ci'],
      { STRANGLER_CONTROL_DB: url },
    );
    expect((await imported.exited).code).toBe(0);
    expect(imported.stdout()).toMatch(/as version 2 \(was 1\)/);
    await eventually(async () => expect(await servedBy(a)).toBe('new'), 3000);
    const audit = (await admin(a.adminUrl as string, '/audit')).json<{ entries: AuditEntry[] }>();
    expect(audit.entries).toEqual([
      expect.objectContaining({
        kind: 'import',
        fromVersion: 1,
        toVersion: 2,
        actor: 'ci',
        reason: 'reviewed in git',
        routes: ['availability', 'orders'],
      }),
    ]);
    const fleet = runCli(['routes', 'fleet', '--admin-url', a.adminUrl as string], {
      STRANGLER_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    expect((await fleet.exited).code).toBe(0);
    expect(fleet.stdout()).toMatch(
      /^control plane: ok, version 2; asked replica \S+ \(runs the gates\)$/m,
    );
    expect(fleet.stdout()).toMatch(/^replica\s+version\s+behind\s+last seen\s+address$/m);
    const bad = runCli(['control', 'export'], {});
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toMatch(/--control-db URL \(or STRANGLER_CONTROL_DB\) is required/);
  });

  it('has exactly one replica run the gates, and hands that on when it stops', async () => {
    const { url } = await testDatabase('control_leader');
    const a = (await replica(url)).proxy;
    const b = (await replica(url)).proxy;
    const leaders = async () =>
      Promise.all(
        [a, b].map(
          async (p) =>
            (await admin(p.adminUrl as string, '/fleet')).json<{
              controlPlane: { leader: boolean };
            }>().controlPlane.leader,
        ),
      );
    expect(await leaders()).toEqual([true, false]);
    await a.close();
    running.splice(running.indexOf(a), 1);
    await eventually(async () => {
      const fleet = (await admin(b.adminUrl as string, '/fleet')).json<{
        controlPlane: { leader: boolean };
        replicas: unknown[];
      }>();
      expect([fleet.controlPlane.leader, fleet.replicas.length]).toEqual([true, 1]);
    }, 5000);
  });

  it('decides the gates on the figures of every replica together', async () => {
    const { url } = await testDatabase('control_fleet_gates');
    const gated = `upstreams:
  legacy: ${legacy.url}
  new: ${fresh.url}
shadow: { maxLoopUtilization: 1 }
routes:
  - id: catalog
    match: { path: /catalog/** }
    mode: shadow
    shadow: { ignore: [/served] }
    gates:
      interval: 1h
      promote: { steps: [new], minSamples: 6, minMatchRate: 0.99, maxP99Ratio: 100, minDuration: 0 }
`;
    const start = async (name: string) => {
      const file = await writeConfig(dir.file(`${name}.yaml`), gated);
      const proxy = await proxyFor({ file }, { controlDb: url });
      running.push(proxy);
      return proxy;
    };
    const a = await start('gates-a');
    const b = await start('gates-b');
    for (const p of [a, b]) for (let i = 0; i < 3; i++) await send(`${p.url}/catalog/${i}`);
    for (const p of [a, b]) {
      await eventually(() => expect(p.shadow.report('catalog')?.totals.compared).toBe(3), 3000);
    }
    // Each replica alone has 3 of the 6 samples asked for; the leader adds up both.
    await eventually(async () => {
      const state = await a.shadow.evaluateGates('catalog');
      expect(state).toMatchObject({
        lastDecision: 'promote',
        lastReason: expect.stringMatching(/over 6 samples/),
      });
    }, 5000);
    await eventually(async () => expect(await servedBy(b, '/catalog/x')).toBe('new'), 3000);
    const audit = (await admin(b.adminUrl as string, '/audit')).json<{ entries: AuditEntry[] }>();
    expect(audit.entries.at(-1)).toMatchObject({
      source: 'gate',
      to: { mode: 'new' },
      figures: { samples: 6, matchRate: 1 },
    });
  });

  it('refuses to move a write group while other replicas share the table, naming them', async () => {
    const { url } = await testDatabase('control_writes');
    const a = (await replica(url)).proxy;
    await replica(url);
    const res = await admin(a.adminUrl as string, '/groups/stock-writes/switch', {
      mode: 'new',
      reason: 'writes',
    });
    expect(res.status).toBe(409);
    expect(res.json<{ message: string }>().message).toMatch(
      /write group "stock-writes" moves behind a barrier this replica alone can hold, and 1 other replica\(s\) share the route table/,
    );
    // Moves that keep the writer (legacy -> shadow) are not barriers: allowed.
    const shadow = await admin(a.adminUrl as string, '/groups/stock-writes/switch', {
      mode: 'shadow',
      reason: 'compare writes',
    });
    expect(shadow.status).toBe(200);
  });

  it('keeps serving its last table while the control plane is unreachable, says so, and catches up when it returns', async () => {
    const { url, name } = await testDatabase('control_down');
    const a = (await replica(url)).proxy;
    const b = (await replica(url)).proxy;
    const superuser = new pg.Client({ connectionString: databaseServerUrl() });
    await superuser.connect();
    try {
      await superuser.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await superuser.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      await eventually(async () => {
        const health = (await admin(b.adminUrl as string, '/healthz')).json();
        expect(health).toMatchObject({ status: 'degraded', controlPlane: { ok: false } });
      }, 5000);
      expect(await servedBy(b)).toBe('legacy');
      const metrics = await send(`${b.adminUrl}/metrics`);
      expect(metrics.text).toMatch(/^strangler_proxy_control_plane_up 0$/m);
      // A switch needs the control plane: refused, and nothing changes.
      const refused = await admin(a.adminUrl as string, '/routes/availability/switch', {
        mode: 'new',
        reason: 'while down',
      });
      expect(refused.status).toBe(503);
      expect(await servedBy(a)).toBe('legacy');

      await superuser.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await eventually(async () => {
        const health = (await admin(b.adminUrl as string, '/healthz')).json();
        expect(health).toMatchObject({ status: 'ok', controlPlane: { ok: true } });
      }, 5000);
      const ok = await admin(a.adminUrl as string, '/routes/availability/switch', {
        mode: 'new',
        reason: 'back up',
      });
      expect(ok.status).toBe(200);
      await eventually(async () => expect(await servedBy(b)).toBe('new'), 3000);
    } finally {
      await superuser.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await superuser.end();
    }
  });
});
