import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  databaseServerUrl,
  freePort,
  kafkaBrokers,
  uniqueName,
  type TestDatabase,
} from '@strangler/tests/harness';
import { readMessages, type ReceivedMessage } from './testing/events.fixture.js';

// The CLI as a user runs it: the built package, with catalog and mapper modules of each kind
// (ESM, CommonJS, transpiled, a .js without "type") from src/testing/modules.

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkg, 'bin', 'strangler-legacy-adapter.js');
const modules = join(pkg, 'src', 'testing', 'modules');
const ESM_CATALOG = join(modules, 'notes-catalog.mjs');
const ESM_MAPPER = join(modules, 'notes-mapper.mjs');
const children: ChildProcess[] = [];
let db: TestDatabase;
let pool: pg.Pool;

beforeEach(async () => {
  if (!existsSync(join(pkg, 'dist', 'main.js')))
    throw new Error('legacy-adapter/dist is missing: run `npm run build` first');
  db = await createTestDatabase(databaseServerUrl(), 'adaptercli');
  pool = new pg.Pool({ connectionString: db.url });
  await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await pool.end();
  await db.drop();
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Our own lines on stderr (Node may add warnings of its own). */
  const lines = () => stderr.split('\n').filter((l) => l.startsWith('strangler-legacy-adapter:'));
  return { child, exited, lines, output: () => stdout + stderr };
}

/** The environment of a run with its own slot, publication and topic. */
function setting(extra: Record<string, string> = {}) {
  const slot = uniqueName('cli');
  return {
    slot,
    topic: uniqueName('cli-events'),
    env: (topic: string) => ({
      LEGACY_DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      STRANGLER_SLOT: slot,
      STRANGLER_PUBLICATION: slot,
      STRANGLER_EVENTS_TOPIC: topic,
      ...extra,
    }),
  };
}

const notes = (messages: ReceivedMessage[]) =>
  messages.map((m) => ({
    id: m.headers.ce_id!,
    type: m.headers.ce_type,
    position: m.headers.ce_sourceposition,
    data: JSON.parse(m.value) as { noteId: string; body: string },
  }));

async function topicSize(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('strangler-legacy-adapter CLI', () => {
  it('loses nothing when killed mid-stream, and what it publishes again carries the same ids', async () => {
    const s = setting({ STRANGLER_CATALOG: ESM_CATALOG, STRANGLER_MAPPER: ESM_MAPPER });
    const env = s.env(s.topic);
    const first = run(['--alter-replica-identity'], env);
    await pool.query(`INSERT INTO notes VALUES (0, 'first')`);
    await readMessages(kafkaBrokers(), s.topic, 1);
    // Keep writing while the adapter dies without any chance to confirm what it published.
    const writes = (async () => {
      for (let i = 1; i <= 60; i++)
        await pool.query('INSERT INTO notes VALUES ($1, $2)', [i, `n${i}`]);
    })();
    await new Promise((r) => setTimeout(r, 150));
    first.child.kill('SIGKILL');
    await first.exited;
    await writes;
    run([], env);
    await readMessages(kafkaBrokers(), s.topic, 61, 30_000);
    const all = notes(await readMessages(kafkaBrokers(), s.topic, await topicSize(s.topic)));
    const byId = new Map<string, string>();
    for (const e of all) {
      const body = JSON.stringify([e.type, e.data, e.position]);
      expect(byId.get(e.id) ?? body).toBe(body); // a duplicate is the same event
      byId.set(e.id, body);
    }
    expect(new Set(all.map((e) => e.data.noteId)).size).toBe(61);
    expect(byId.size).toBe(61);
  });

  it.each([
    ['one ES module exporting both, given to both flags', 'notes-both.mjs', 'notes-both.mjs'],
    ['CommonJS module.exports and exports.mapper', 'cjs/catalog.cjs', 'cjs/mapper.cjs'],
    ['transpiled CommonJS with exports.default', 'notes-catalog.mjs', 'cjs/transpiled.cjs'],
    [
      'export default in a .js of a package without "type"',
      'notes-catalog.mjs',
      'typeless/mapper.js',
    ],
  ])('loads catalog and mapper modules: %s', async (_, catalog, mapper) => {
    const s = setting();
    await pool.query(`INSERT INTO notes VALUES (1, 'hello')`);
    const cli = run(
      ['--catalog', join(modules, catalog), '--mapper', join(modules, mapper)],
      s.env(s.topic),
    );
    const [event] = notes(await readMessages(kafkaBrokers(), s.topic, 1));
    expect(event).toMatchObject({
      type: 'com.example.notes.note_written.v1',
      data: { noteId: '1', body: 'hello' },
    });
    expect(cli.lines()).toEqual([]);
  });

  it.each([
    [
      'a catalog file without a catalog',
      ['--catalog', 'bad/wrong-shape.mjs', '--mapper', 'notes-mapper.mjs'],
      /^strangler-legacy-adapter: --catalog \S+wrong-shape\.mjs: must export the event catalog made with defineCatalog, as the default export or as "catalog" .*; it exports default, other$/,
    ],
    [
      'a mapper file without a mapper',
      ['--catalog', 'notes-catalog.mjs', '--mapper', 'bad/wrong-shape.mjs'],
      /^strangler-legacy-adapter: --mapper \S+wrong-shape\.mjs: must export a mapper made with defineMapper/,
    ],
    [
      'ES module syntax in a .cjs file',
      ['--catalog', 'notes-catalog.mjs', '--mapper', 'bad/esm-in-cjs.cjs'],
      /^strangler-legacy-adapter: --mapper \S+esm-in-cjs\.cjs: this \.cjs file uses ES module syntax \(import\/export\): rename it to \.mjs$/,
    ],
    [
      'a file that is not there',
      ['--catalog', 'notes-catalog.mjs', '--mapper', 'missing.mjs'],
      /^strangler-legacy-adapter: --mapper \S+missing\.mjs: no such file \(looked at \S+missing\.mjs\)$/,
    ],
  ])('exits 2 with one line naming the file for %s', async (_, args, line) => {
    const s = setting();
    const paths = args.map((a, i) => (i % 2 === 1 ? join(modules, a) : a));
    const cli = run(paths, s.env(s.topic));
    expect(await cli.exited).toBe(2);
    expect(cli.lines()).toEqual([expect.stringMatching(line)]);
  });

  it('exits 2 at a mapping error with one line naming table, position, xid and row; a restart stops there again', async () => {
    const s = setting({ STRANGLER_CATALOG: ESM_CATALOG, STRANGLER_MAPPER: ESM_MAPPER });
    const first = run([], s.env(s.topic));
    await pool.query(`INSERT INTO notes VALUES (1, 'fine')`);
    await readMessages(kafkaBrokers(), s.topic, 1);
    await pool.query(`INSERT INTO notes VALUES (2, '')`);
    expect(await first.exited).toBe(2);
    const line =
      /^strangler-legacy-adapter: cannot map insert on public\.notes at [0-9A-F]+\/[0-9A-F]+ \(xid \d+, change 1 of 1\): draft 1 of 1 \(com\.example\.notes\.note_written\.v1\) was refused by the catalog: Cannot create com\.example\.notes\.note_written\.v1: data\.body: must not be empty \(got ""\); row \{"id":"2","body":""\}\. Nothing from this change on is confirmed/;
    expect(first.lines()).toEqual([expect.stringMatching(line)]);
    const again = run([], s.env(s.topic));
    expect(await again.exited).toBe(2);
    expect(again.lines()).toEqual(first.lines());

    // The same row in a first snapshot: the position names the snapshot.
    const fresh = setting({ STRANGLER_CATALOG: ESM_CATALOG, STRANGLER_MAPPER: ESM_MAPPER });
    const snapshot = run([], fresh.env(fresh.topic));
    expect(await snapshot.exited).toBe(2);
    expect(snapshot.lines()).toEqual([
      expect.stringMatching(
        /^strangler-legacy-adapter: cannot map snapshot row of public\.notes at snapshot@[0-9A-F]+\/[0-9A-F]+ \(row 2 of the snapshot\): .*data\.body: must not be empty/,
      ),
    ]);
  });

  it('exits 2 at a TRUNCATE with one line naming the table and the fix, and goes past it with --on-truncate skip', async () => {
    const s = setting({ STRANGLER_CATALOG: ESM_CATALOG, STRANGLER_MAPPER: ESM_MAPPER });
    const first = run([], s.env(s.topic));
    await pool.query(`INSERT INTO notes VALUES (1, 'before')`);
    await readMessages(kafkaBrokers(), s.topic, 1);
    await pool.query('TRUNCATE notes');
    expect(await first.exited).toBe(2);
    expect(first.lines()).toEqual([
      expect.stringMatching(
        /^strangler-legacy-adapter: TRUNCATE of public\.notes at [0-9A-F]+\/[0-9A-F]+ \(xid \d+, change 1 of 1\): the mapper has no mapTruncate; add mapTruncate to the mapper to emit an event, or start with --on-truncate skip\./,
      ),
    ]);
    run(['--on-truncate', 'skip'], s.env(s.topic));
    await pool.query(`INSERT INTO notes VALUES (2, 'after')`);
    const events = notes(await readMessages(kafkaBrokers(), s.topic, 2));
    expect(events.map((e) => e.data.body)).toEqual(['before', 'after']);
  });

  it('serves its health and counters on the status port', async () => {
    const s = setting({ STRANGLER_CATALOG: ESM_CATALOG, STRANGLER_MAPPER: ESM_MAPPER });
    const statusPort = await freePort();
    run(['--status-port', String(statusPort), '--status-host', '127.0.0.1'], s.env(s.topic));
    let health: Response | undefined;
    for (let i = 0; i < 100 && health?.status !== 200; i++) {
      health = await fetch(`http://127.0.0.1:${statusPort}/healthz`).catch(() => undefined);
      if (health?.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await health!.json()).toEqual({ status: 'ok' });
    const status = await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json();
    expect(status).toEqual({
      slot: s.slot,
      phase: 'streaming',
      snapshotRows: 0,
      transactions: expect.any(Number),
      events: 0,
      deadLetters: 0,
      confirmedLsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
      publishing: {
        queuedEvents: 0,
        requests: 0,
        failedAttempts: 0,
        lastError: null,
        producerRestarts: 0,
      },
    });
    const other = await fetch(`http://127.0.0.1:${statusPort}/metrics`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'GET /healthz or /status, POST /barrier' });
    // The proxy's write barrier: everything committed so far is in Kafka, and where it ends.
    const barrier = await fetch(`http://127.0.0.1:${statusPort}/barrier`, { method: 'POST' });
    expect(barrier.status).toBe(200);
    expect(await barrier.json()).toEqual({
      topic: expect.any(String),
      offsets: expect.objectContaining({ '0': expect.stringMatching(/^\d+$/) }),
    });
  });

  it('exits with status 2 and a message naming the missing setting', async () => {
    const missing = run([], {
      LEGACY_DATABASE_URL: '',
      DATABASE_URL: '',
      KAFKA_BROKERS: 'localhost:9092',
    });
    expect(await missing.exited).toBe(2);
    expect(missing.lines()).toEqual([
      'strangler-legacy-adapter: the legacy database is not set: pass --database-url or set LEGACY_DATABASE_URL or DATABASE_URL',
    ]);
    const noCatalog = run(['--mapper', ESM_MAPPER, '--topic', 't'], {
      LEGACY_DATABASE_URL: db.url,
      KAFKA_BROKERS: 'localhost:9092',
      STRANGLER_CATALOG: '',
    });
    expect(await noCatalog.exited).toBe(2);
    expect(noCatalog.lines()[0]).toContain('pass --catalog or set STRANGLER_CATALOG');
    const badFlag = run(['--on-mapping-error', 'ignore'], { LEGACY_DATABASE_URL: db.url });
    expect(await badFlag.exited).toBe(2);
  });

  it('prints usage with --help', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain(
      'Usage: strangler-legacy-adapter --catalog FILE (--mapper FILE | --outbox TABLE) --topic NAME [options]',
    );
  });
});
