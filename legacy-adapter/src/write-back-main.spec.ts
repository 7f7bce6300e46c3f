import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kafkaBrokers, testDatabase, uniqueName } from '@strangler/tests/harness';

// strangler-write-back as a user runs it: the built package, with catalog and mapping modules.

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkg, 'bin', 'strangler-write-back.js');
const modules = join(pkg, 'src', 'testing', 'modules');
const children: ChildProcess[] = [];
let url: string;
let pool: pg.Pool;

beforeAll(async () => {
  if (!existsSync(join(pkg, 'dist', 'write-back-main.js')))
    throw new Error('legacy-adapter/dist is missing: run `npm run build` first');
  url = (await testDatabase('writebackcli')).url;
  pool = new pg.Pool({ connectionString: url });
  await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
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

describe('strangler-write-back CLI', () => {
  it('applies the events of the topic with the mapping module, and stops cleanly on SIGTERM', async () => {
    const topic = uniqueName('notes-service');
    const w = run([], {
      STRANGLER_CATALOG: join(modules, 'notes-catalog.mjs'),
      STRANGLER_WRITE_BACK: join(modules, 'notes-write-back.mjs'),
      STRANGLER_SERVICE_EVENTS_TOPIC: topic,
      LEGACY_DATABASE_URL: url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      STRANGLER_WRITE_BACK_GROUP: uniqueName('g'),
    });
    const producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const headers = {
      ce_specversion: '1.0',
      ce_id: randomUUID(),
      ce_source: '/services/notes',
      ce_type: 'com.example.notes.note_written.v1',
      ce_time: new Date().toISOString(),
      ce_subject: '5',
      content_type: 'application/json',
    };
    await producer.send({
      topic,
      messages: [
        { key: '5', value: JSON.stringify({ noteId: '5', body: 'written back' }), headers },
      ],
    });
    await producer.disconnect();
    await eventually(async () =>
      expect((await pool.query('SELECT body FROM notes WHERE id = 5')).rows).toEqual([
        { body: 'written back' },
      ]),
    );
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });

  it('exits 2 naming a missing setting or a module without a mapping, and prints usage with --help', async () => {
    const missing = run([], { STRANGLER_CATALOG: '', STRANGLER_WRITE_BACK: '' });
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain(
      'strangler-write-back: the event catalog is not set: pass --catalog or set STRANGLER_CATALOG',
    );
    const wrong = run(
      [
        '--catalog',
        join(modules, 'notes-catalog.mjs'),
        '--mapping',
        join(modules, 'notes-catalog.mjs'),
      ],
      { STRANGLER_SERVICE_EVENTS_TOPIC: 't', LEGACY_DATABASE_URL: url, KAFKA_BROKERS: 'k:9092' },
    );
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toContain('must export a write-back mapping made with defineWriteBack');
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: strangler-write-back --catalog FILE --mapping FILE');
  });
});
