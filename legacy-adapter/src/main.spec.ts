import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  kafkaBrokers,
  testDatabase,
  uniqueName,
  type TestDatabase,
} from '@strangler/tests/harness';
import { readEvents } from './testing/events.fixture.js';
import { LEGACY_SCHEMA, LegacyWriter } from './testing/legacy-schema.fixture.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkg, 'bin', 'strangler-legacy-adapter.js');
const children: ChildProcess[] = [];
let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  if (!existsSync(join(pkg, 'dist', 'main.js')))
    throw new Error('legacy-adapter/dist is missing: run `npm run build` first');
  db = await testDatabase('adaptercli');
  pool = new pg.Pool({ connectionString: db.url });
  await pool.query(LEGACY_SCHEMA);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await pool.end();
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('strangler-legacy-adapter CLI', () => {
  it('loses nothing when killed mid-stream, and what it publishes again carries the same ids', async () => {
    const slot = uniqueName('cli');
    const topic = uniqueName('cli-events');
    const sku = uniqueName('SKU').toUpperCase();
    const env = {
      LEGACY_DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      STRANGLER_SLOT: slot,
      STRANGLER_PUBLICATION: slot,
      STRANGLER_EVENTS_TOPIC: topic,
    };
    const writer = new LegacyWriter(pool);
    const first = run(['--alter-replica-identity'], env);
    await writer.addBatch(`${sku}-0`, sku, 1);
    await readEvents(kafkaBrokers(), topic, 2);
    // Keep writing while the adapter dies without any chance to confirm what it published.
    const writes = (async () => {
      for (let i = 1; i <= 60; i++) await writer.addBatch(`${sku}-${i}`, sku, i);
    })();
    await new Promise((r) => setTimeout(r, 150));
    first.child.kill('SIGKILL');
    await first.exited;
    await writes;
    run([], env);
    const expected = 1 + 61; // ProductCreated, then one BatchCreated per batch
    await readEvents(kafkaBrokers(), topic, expected, 30_000);
    // Read everything on the topic, duplicates included.
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    const events = await readEvents(kafkaBrokers(), topic, total);
    const byId = new Map<string, string>();
    for (const e of events) {
      const body = JSON.stringify([e.event.type, e.event.data, e.event.sourceposition]);
      expect(byId.get(e.event.id) ?? body).toBe(body); // a duplicate is the same event
      byId.set(e.event.id, body);
    }
    const refs = new Set(events.flatMap((e) => ('ref' in e.event.data ? [e.event.data.ref] : [])));
    expect(refs.size).toBe(61);
    expect(byId.size).toBe(expected);
  });

  it('serves its health and counters on the status port', async () => {
    const slot = uniqueName('status');
    const statusPort = await freePort();
    run(['--status-port', String(statusPort)], {
      LEGACY_DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      STRANGLER_SLOT: slot,
      STRANGLER_PUBLICATION: slot,
      STRANGLER_EVENTS_TOPIC: uniqueName('status-events'),
    });
    let health: Response | undefined;
    for (let i = 0; i < 100 && health?.status !== 200; i++) {
      health = await fetch(`http://127.0.0.1:${statusPort}/healthz`).catch(() => undefined);
      if (health?.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await health!.json()).toEqual({ status: 'ok' });
    const status = (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ slot, phase: 'streaming' });
  });

  it('exits with status 2 and a message naming the missing setting', async () => {
    const missing = run([], {
      LEGACY_DATABASE_URL: '',
      DATABASE_URL: '',
      KAFKA_BROKERS: 'localhost:9092',
    });
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain(
      'the legacy database is not set: pass --database-url or set LEGACY_DATABASE_URL',
    );
  });

  it('prints usage with --help', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: strangler-legacy-adapter [options]');
  });
});
