import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startEmbeddedPostgres,
  waitForPort,
  type RunningPostgres,
} from '@strangler/demo';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A durable embedded Postgres (fsync on, as production runs) with logical decoding. */
export async function benchPostgres(): Promise<RunningPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-bench-pg-'));
  chmodSync(dir, 0o755);
  return startEmbeddedPostgres({ dataDir: join(dir, 'data'), durable: true });
}

/** embedded-kafka in its own process, so it does not share the bench's event loop. */
export async function benchKafka(partitions = 3): Promise<{ brokers: string[]; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'embedded-kafka/bin/embedded-kafka.js'),
      '--port',
      String(port),
      '--partitions',
      String(partitions),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForPort('embedded-kafka', '127.0.0.1', port);
  return { brokers: [`127.0.0.1:${port}`], stop: () => child.kill('SIGTERM') };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
