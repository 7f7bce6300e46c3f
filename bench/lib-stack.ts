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
export async function benchKafka(
  partitions = 3,
): Promise<{ brokers: string[]; pid: number; stop(): void }> {
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
  return {
    brokers: [`127.0.0.1:${port}`],
    pid: child.pid!,
    stop: () => child.kill('SIGTERM'),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The legacy monolith's tables the allocation mapper reads, for the capture benches. */
export const LEGACY_SCHEMA = `
CREATE TABLE products (sku text PRIMARY KEY, version_number int NOT NULL DEFAULT 0);
CREATE TABLE batches (id serial PRIMARY KEY, reference text UNIQUE NOT NULL, sku text NOT NULL REFERENCES products(sku),
  purchased_quantity int NOT NULL, eta date);
CREATE TABLE order_lines (id serial PRIMARY KEY, orderid text NOT NULL, sku text NOT NULL, qty int NOT NULL, UNIQUE (orderid, sku));
CREATE TABLE allocations (id serial PRIMARY KEY, orderline_id int NOT NULL UNIQUE REFERENCES order_lines(id), batch_id int NOT NULL REFERENCES batches(id));
`;
