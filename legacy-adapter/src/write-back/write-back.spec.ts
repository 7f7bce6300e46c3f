import { Kafka, logLevel, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kafkaBrokers, uniqueName } from '@strangler/tests/harness';
import {
  adapterTestContext,
  names,
  silent,
  start,
  until,
} from '../testing/adapter-harness.fixture.js';
import { readMessages } from '../testing/events.fixture.js';
import { shopCatalog } from '../testing/shop-catalog.fixture.js';
import type { RunningWriteBack, WriteBackOptions } from '../types.js';
import { defineWriteBack } from './define-write-back.js';
import { startWriteBack } from './write-back.js';

// The reverse way: the new service's events (here produced straight to Kafka, as its outbox
// would) applied to the legacy shop's tables.

const t = adapterTestContext();
const SERVICE = '/services/customers';
const types = shopCatalog.types;
let producer: Producer;
const running: RunningWriteBack[] = [];

beforeAll(async () => {
  producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});
// Registered after adapterTestContext's: runs before it drops the test's database.
afterEach(async () => {
  for (const w of running.splice(0)) await w.close();
});
afterAll(() => producer.disconnect());

/** Publishes a rename by the new service, as its outbox would. */
async function renamed(topic: string, customerId: string, name: string, source = SERVICE) {
  const event = shopCatalog.createEvent(
    types.CustomerRenamed,
    { customerId, name },
    { id: randomUUID(), source, time: new Date() },
  );
  const m = shopCatalog.toKafkaMessage(event);
  await producer.send({ topic, messages: [{ key: m.key, value: m.value, headers: m.headers }] });
  return event.id;
}

/** The write-back mapping of the specs: renames onto customers, counting each call. */
function renames(calls: string[] = [], failFirst = new Map<string, number>()) {
  return defineWriteBack(shopCatalog, {
    async apply(event, tx) {
      calls.push(event.id);
      if (event.type !== types.CustomerRenamed) return;
      const { customerId, name } = event.data;
      const left = failFirst.get(customerId) ?? 0;
      if (left > 0) {
        failFirst.set(customerId, left - 1);
        throw new Error(`customer ${customerId} is locked`);
      }
      await tx.query('UPDATE customers SET name = $2 WHERE id = $1', [Number(customerId), name]);
    },
  });
}

async function run(options: Partial<WriteBackOptions> & { topic: string }) {
  const w = await startWriteBack({
    catalog: shopCatalog,
    mapping: renames(),
    databaseUrl: t.db.url,
    kafkaBrokers: kafkaBrokers(),
    groupId: uniqueName('writeback'),
    retryInitialMs: 50,
    logger: silent,
    ...options,
  } as WriteBackOptions);
  running.push(w);
  return w;
}

const nameOf = async (id: number) =>
  (await t.pool.query<{ name: string }>('SELECT name FROM customers WHERE id = $1', [id])).rows[0]
    ?.name;

describe('write-back', () => {
  it('applies the service events to legacy, and the capture does not publish them back', async () => {
    const n = names();
    const serviceTopic = uniqueName('service');
    await t.writer.register(7, 'ada@example.com', 'Ada');
    await t.writer.register(8, 'grace@example.com', 'Grace');
    await start(t, n); // captures the shop, skipping strangler_writeback
    await run({ topic: serviceTopic });
    await renamed(serviceTopic, '7', 'Ada L.');
    await until(
      () => nameOf(7),
      (v) => v === 'Ada L.',
      'the rename in legacy',
    );
    await t.writer.rename(8, 'Grace H.'); // a legacy write: captured as usual
    const events = await readMessages(kafkaBrokers(), n.topic, 3);
    expect(events.map((e) => [e.key, e.headers.ce_type])).toEqual([
      ['7', types.CustomerRegistered],
      ['8', types.CustomerRegistered],
      ['8', types.CustomerRenamed],
    ]);
  });

  it('applies each event once across a restart, even when the group lost its offsets', async () => {
    const topic = uniqueName('service');
    await t.writer.register(7, 'ada@example.com', 'Ada');
    const calls: string[] = [];
    const groupId = uniqueName('writeback');
    const first = await run({ topic, groupId, mapping: renames(calls) });
    const ids = [await renamed(topic, '7', 'one'), await renamed(topic, '7', 'two')];
    await until(
      () => first.status().applied,
      (v) => v === 2,
      'two events applied',
    );
    await first.close();
    ids.push(await renamed(topic, '7', 'three'));
    // A new group starts from the beginning: the origin's progress passes over the first two.
    const second = await run({ topic, groupId: uniqueName('writeback'), mapping: renames(calls) });
    await until(
      () => second.status().applied,
      (v) => v === 1,
      'the third event applied',
    );
    expect(second.status()).toMatchObject({ skipped: 2, state: 'running', failing: null });
    expect(calls).toEqual(ids);
    expect(await nameOf(7)).toBe('three');
  });

  it('retries a failing event without skipping it: later events of the partition wait behind it', async () => {
    const topic = uniqueName('service');
    await t.writer.register(7, 'ada@example.com', 'Ada');
    const w = await run({ topic, mapping: renames([], new Map([['7', 2]])) });
    await renamed(topic, '7', 'first');
    await until(
      () => w.status().failing?.attempts ?? 0,
      (v) => v >= 1,
      'a failure',
    );
    expect(w.status()).toMatchObject({
      state: 'failing',
      failing: { partition: expect.any(Number), lastError: expect.stringContaining('is locked') },
    });
    await renamed(topic, '7', 'second');
    await until(
      () => w.status().applied,
      (v) => v === 2,
      'both applied after the retries',
    );
    expect(await nameOf(7)).toBe('second');
    expect(w.status()).toMatchObject({ state: 'running', failing: null });
  });

  it('answers /applied on its status port from the replication origins: 200 once applied, 409 before', async () => {
    const topic = uniqueName('service');
    await t.writer.register(7, 'ada@example.com', 'Ada');
    const w = await run({ topic, statusPort: 0 });
    await renamed(topic, '7', 'one');
    await renamed(topic, '7', 'two');
    await until(
      () => w.status().applied,
      (v) => v === 2,
      'two events applied',
    );
    const partition = Object.keys(w.status().partitions)[0]!;
    const ask = (offsets: string, t2 = topic) =>
      fetch(`${w.statusUrl}/applied?topic=${t2}&offsets=${offsets}`);
    const done = await ask(`${partition}:2`);
    expect([done.status, await done.json()]).toEqual([200, { applied: true }]);
    const ahead = await ask(`${partition}:3`);
    expect([ahead.status, await ahead.json()]).toEqual([
      409,
      { applied: false, behind: [{ partition: Number(partition), applied: '2', wanted: '3' }] },
    ]);
    expect((await ask('0:1', 'elsewhere')).status).toBe(404);
    expect((await fetch(`${w.statusUrl}/healthz`)).status).toBe(200);
  });

  it('applies only the events of the given sources', async () => {
    const topic = uniqueName('service');
    await t.writer.register(7, 'ada@example.com', 'Ada');
    const w = await run({ topic, sources: [SERVICE] });
    await renamed(topic, '7', 'from elsewhere', '/somebody/else');
    await renamed(topic, '7', 'from the service');
    await eventually(async () => expect(w.status()).toMatchObject({ applied: 1, skipped: 1 }));
    expect(await nameOf(7)).toBe('from the service');
  });

  it('refuses bad options naming the option', async () => {
    const refused = (o: Partial<WriteBackOptions>) =>
      run({ topic: 'x', ...o } as never).then(
        () => 'started',
        (e: Error) => e.message,
      );
    expect(await refused({ mapping: {} as never })).toBe(
      'mapping must be a write-back mapping { apply(event, tx) } (made with defineWriteBack)',
    );
    expect(await refused({ origin: 'Bad-Origin' })).toBe(
      'origin must be 1-100 of a-z 0-9 _; got "Bad-Origin"',
    );
    expect(await refused({ sources: [] })).toBe(
      'sources must be a non-empty list of CloudEvents sources, or left out for every event',
    );
  });
});
