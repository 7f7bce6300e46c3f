import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres, type RunningPostgres } from '@strangler/demo';
import pg from 'pg';
import { Agent, request } from 'undici';
import { expect, it } from 'vitest';
import { eventually, freePort, onCleanup } from '@strangler/tests/harness';

// Three proxy processes share one control plane (its own durable embedded Postgres, so it can be
// killed): 100 switches made through the admin APIs of all three in turn while clients read
// through all three; one replica killed with -9 and started again; the control database killed
// with -9 and started again. Every replica serves every acknowledged switch, none is lost, and no
// client request fails (the clients retry a request refused by a dead replica on another, as a
// load balancer does).

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'control-plane-test-token-0123';
const SWITCHES = 100;

function upstream(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ served: name, url: req.url }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

interface Replica {
  name: string;
  port: number;
  adminPort: number;
  child: ChildProcess;
  alive: boolean;
  output: string;
}

it('keeps three replicas on one table through 100 switches, a replica kill -9 and a control database kill -9, losing no acknowledged switch and failing no request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-control-'));
  chmodSync(dir, 0o755);
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const pgDir = join(dir, 'pg');
  const pgPort = await freePort();
  let postgres: RunningPostgres = await startEmbeddedPostgres({
    dataDir: pgDir,
    port: pgPort,
    durable: true,
  });
  // After its kill -9 (a failed run) stopping the old server would wait forever: bounded.
  onCleanup(() =>
    Promise.race([
      postgres.stop().catch(() => undefined),
      new Promise((r) => setTimeout(r, 10_000)),
    ]),
  );
  const controlDb = postgres.url;
  const legacy = await upstream('legacy');
  const fresh = await upstream('new');
  onCleanup(() => new Promise<void>((r) => legacy.close(() => r())));
  onCleanup(() => new Promise<void>((r) => fresh.close(() => r())));
  const file = join(dir, 'routes.yaml');
  writeFileSync(
    file,
    `upstreams:\n  legacy: ${urlOf(legacy)}\n  new: ${urlOf(fresh)}\nroutes:\n  - id: availability\n    match: { path: /products/:sku/availability }\n    mode: legacy\n`,
  );

  const replicas: Replica[] = [];
  async function start(r: Omit<Replica, 'child' | 'alive' | 'output'>): Promise<Replica> {
    const child = spawn(
      process.execPath,
      [join(root, 'proxy/bin/strangler-proxy.js'), '--config', file, '--control-db', controlDb],
      {
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(r.port),
          HOST: '127.0.0.1',
          STRANGLER_ADMIN_PORT: String(r.adminPort),
          STRANGLER_ADMIN_TOKEN: TOKEN,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const replica: Replica = { ...r, child, alive: false, output: '' };
    child.stdout!.on('data', (d) => (replica.output += d));
    child.stderr!.on('data', (d) => (replica.output += d));
    onCleanup(() => {
      child.kill('SIGKILL');
    });
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${r.adminPort}/healthz`).catch(() => undefined);
      expect(res?.status, replica.output).toBe(200);
    }, 20_000);
    replica.alive = true;
    return replica;
  }
  for (const name of ['a', 'b', 'c']) {
    replicas.push(await start({ name, port: await freePort(), adminPort: await freePort() }));
  }

  const agent = new Agent({ connections: 8 });
  onCleanup(() => agent.close());
  const adminCall = async (r: Replica, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`http://127.0.0.1:${r.adminPort}${path}`, {
      method,
      dispatcher: agent,
      headersTimeout: 15_000,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const versionOf = async (r: Replica) =>
    Number(
      ((await adminCall(r, 'GET', '/fleet')).body.controlPlane as { version: number }).version,
    );

  // Clients: read through the live replicas in turn; a refused connection is retried once on the
  // next replica (what a load balancer does for a replica that just died).
  let reading = true;
  // A failed assertion must not leave the clients reading (the cleanups would wait for them).
  onCleanup(() => {
    reading = false;
  });
  const answers = { ok: 0, failed: [] as string[] };
  const clients = Array.from({ length: 4 }, async (_, c) => {
    for (let i = c; reading; i++) {
      const live = replicas.filter((r) => r.alive);
      let done = false;
      for (let attempt = 0; attempt < 2 && !done; attempt++) {
        const r = live[(i + attempt) % live.length]!;
        try {
          const res = await request(`http://127.0.0.1:${r.port}/products/s${i}/availability`, {
            dispatcher: agent,
          });
          await res.body.text();
          if (res.statusCode === 200) answers.ok++;
          else answers.failed.push(`${r.name}: ${res.statusCode}`);
          done = true;
        } catch (err) {
          if (attempt === 1) answers.failed.push(`${r.name}: ${(err as Error).message}`);
        }
      }
    }
  });

  const acknowledged: { version: number; mode: string }[] = [];
  const convergeMs: number[] = [];
  const modes = ['shadow', 'new', 'legacy'];
  async function switchOnce(n: number, through: Replica): Promise<void> {
    const mode = modes[n % modes.length]!;
    const res = await adminCall(through, 'POST', '/routes/availability/switch', {
      mode,
      reason: `switch ${n}`,
      actor: 'replica-test',
    });
    if (res.status !== 200) return;
    const started = performance.now();
    acknowledged.push({ version: 0, mode });
    await eventually(async () => {
      const versions = await Promise.all(replicas.filter((r) => r.alive).map(versionOf));
      expect(new Set(versions).size).toBe(1);
      acknowledged.at(-1)!.version = versions[0]!;
    }, 10_000);
    convergeMs.push(performance.now() - started);
  }

  let n = 0;
  for (; n < 40; n++) await switchOnce(n, replicas[n % 3]!);
  // kill -9 of replica b: the others go on; b starts again and takes the newest table.
  const b = replicas[1]!;
  b.alive = false;
  b.child.kill('SIGKILL');
  for (; n < 60; n++) await switchOnce(n, n % 2 === 0 ? replicas[0]! : replicas[2]!);
  replicas[1] = await start({ name: 'b', port: b.port, adminPort: b.adminPort });
  await eventually(async () => {
    expect(await versionOf(replicas[1]!)).toBe(await versionOf(replicas[0]!));
  }, 10_000);
  for (; n < 80; n++) await switchOnce(n, replicas[n % 3]!);

  // kill -9 of the control database: the replicas serve their table and say so; switches are
  // refused (not acknowledged) meanwhile; once it is back every acknowledged switch is there.
  const pid = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  await eventually(async () => {
    const health = (await adminCall(replicas[0]!, 'GET', '/healthz')).body;
    expect(health.status).toBe('degraded');
  }, 10_000);
  const refused = await adminCall(replicas[2]!, 'POST', '/routes/availability/switch', {
    mode: modes[n % modes.length],
    reason: 'while the control plane is down',
  });
  expect(refused.status).toBe(503);
  await new Promise((r) => setTimeout(r, 1500));
  postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, durable: true });
  await eventually(async () => {
    for (const r of replicas) {
      expect((await adminCall(r, 'GET', '/healthz')).body.status).toBe('ok');
    }
  }, 20_000);
  for (; n < SWITCHES + 1; n++) await switchOnce(n, replicas[n % 3]!);

  reading = false;
  await Promise.all(clients);

  const db = new pg.Client({ connectionString: controlDb });
  await db.connect();
  onCleanup(() => db.end());
  const versions = (
    await db.query<{ version: string }>('SELECT version FROM strangler_proxy_table ORDER BY 1')
  ).rows.map((r) => Number(r.version));
  const audit = (
    await db.query<{ n: number }>('SELECT count(*)::int AS n FROM strangler_proxy_audit')
  ).rows[0]!.n;
  const sorted = [...convergeMs].sort((x, y) => x - y);
  console.log(
    `control plane, 3 replicas: ${acknowledged.length} switches acknowledged; every replica on the switch's version after p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; ${answers.ok} client requests, ${answers.failed.length} failed`,
  );
  // Version 1 is the import; every acknowledged switch is one version after it, none lost.
  expect(versions).toEqual(Array.from({ length: acknowledged.length + 1 }, (_, i) => i + 1));
  expect(acknowledged.map((a) => a.version)).toEqual(versions.slice(1));
  expect(audit).toBe(acknowledged.length);
  expect(acknowledged.length).toBeGreaterThanOrEqual(SWITCHES);
  expect(answers.failed).toEqual([]);
  const last = acknowledged.at(-1)!.mode;
  for (const r of replicas) {
    const routes = (await adminCall(r, 'GET', '/routes')).body.routes as { mode: string }[];
    expect(routes[0]?.mode).toBe(last);
  }
}, 240_000);
