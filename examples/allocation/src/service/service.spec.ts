import { onCleanup, testDatabase, uniqueName } from '@strangler/tests/harness';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  availability,
  caughtUp,
  cuttableDatabase,
  events as e,
  kafkaTopic,
  publish,
  quietLogger,
  FAST,
} from './testing/kafka.fixture.js';
import { kafkaBrokers } from '@strangler/tests/harness';
import type { RunningService } from '@strangler/new-service';
import { startAllocationService, type AllocationServiceOptions } from './index.js';

const sku = () => uniqueName('SKU').toUpperCase();

/** Starts a service the test closes itself (or after the file, if it forgets). */
async function start(
  options: Omit<AllocationServiceOptions, 'kafkaBrokers'>,
): Promise<RunningService> {
  const service = await startAllocationService({
    kafkaBrokers: kafkaBrokers(),
    port: 0,
    host: '127.0.0.1',
    logger: quietLogger(),
    consumer: FAST,
    ...options,
  });
  onCleanup(() => service.close());
  return service;
}

const nothing = {
  applied: 0,
  unchanged: 0,
  stale: 0,
  duplicate: 0,
  dead_lettered: 0,
  already_processed: 0,
};

describe('restarts', () => {
  it('resumes from the stored offsets without re-reading what it applied, even under a new group', async () => {
    const database = await testDatabase('alloc_restart');
    const { topic, producer } = await kafkaTopic(1);
    const s = sku();
    await publish(producer, topic, [
      e.product(s),
      e.batch(`${s}-b`, s, 10),
      e.allocated('o1', s, 2, `${s}-b`),
    ]);
    const first = await start({ databaseUrl: database.url, topic, group: uniqueName('g') });
    await caughtUp(first);
    expect((await first.status()).consumers[0]!.messages.applied).toBe(3);
    await first.close();

    // A new group has no offsets in Kafka: only the database says where to resume.
    const second = await start({ databaseUrl: database.url, topic, group: uniqueName('g') });
    const status = await caughtUp(second);
    expect(status.consumers[0]!.partitions).toEqual([
      { partition: 0, nextOffset: 3, highWatermark: 3, lowWatermark: 0, lag: 0, behindMs: 0 },
    ]);
    await publish(producer, topic, [e.allocated('o2', s, 3, `${s}-b`)]);
    await caughtUp(second);
    expect((await second.status()).consumers[0]!.messages).toEqual({ ...nothing, applied: 1 });
    expect((await availability(second, s)).body.totalAvailable).toBe(5);
    await second.close();
  });

  it('reads the topic from the beginning into an empty database, whatever Kafka says the group read', async () => {
    const { topic, producer } = await kafkaTopic(1);
    const group = uniqueName('g');
    const s = sku();
    await publish(producer, topic, [e.product(s), e.batch(`${s}-b`, s, 7)]);
    const first = await start({ databaseUrl: (await testDatabase('alloc_a')).url, topic, group });
    await caughtUp(first);
    await first.close(); // commits the group's offsets to Kafka on the way out

    const second = await start({ databaseUrl: (await testDatabase('alloc_b')).url, topic, group });
    await caughtUp(second);
    expect((await second.status()).consumers[0]!.messages.applied).toBe(2);
    expect((await availability(second, s)).body.totalAvailable).toBe(7);
    await second.close();
  });
});

describe('many skus across 3 partitions', () => {
  it('applies every sku in its own partition order and reports each partition caught up', async () => {
    const database = await testDatabase('alloc_parts');
    const { topic, producer } = await kafkaTopic(3);
    const skus = Array.from({ length: 30 }, sku);
    for (const s of skus) {
      await publish(producer, topic, [
        e.product(s),
        e.batch(`${s}-wh`, s, 10),
        e.batch(`${s}-ship`, s, 50, '2030-03-01'),
        e.allocated('o1', s, 4, `${s}-wh`),
        e.quantity(`${s}-ship`, s, 40),
      ]);
    }
    const service = await start({ databaseUrl: database.url, topic, group: uniqueName('g') });
    const [status] = (await caughtUp(service)).consumers;
    expect(status!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(status!.partitions.every((p) => p.nextOffset === p.highWatermark)).toBe(true);
    expect(status!.partitions.filter((p) => p.highWatermark > 0).length).toBeGreaterThan(1);
    expect(status!.messages.applied).toBe(150);
    for (const s of skus) {
      const { body } = await availability(service, s, '?qty=7');
      expect(body).toMatchObject({
        availableNow: 6,
        totalAvailable: 46,
        batches: [
          { ref: `${s}-wh`, eta: null, available: 6 },
          { ref: `${s}-ship`, eta: '2030-03-01', available: 40 },
        ],
        earliestDate: '2030-03-01',
      });
    }
    await service.close();
  });
});

describe('rebuild', () => {
  it('rebuilds the model from the start of the topic to what a fresh database reaches', async () => {
    const database = await testDatabase('alloc_rebuild');
    const fresh = await testDatabase('alloc_rebuild_fresh');
    const { topic, producer } = await kafkaTopic(2);
    const skus = [sku(), sku(), sku()];
    for (const s of skus) {
      await publish(producer, topic, [
        e.product(s),
        e.batch(`${s}-b`, s, 10),
        e.allocated('o1', s, 3, `${s}-b`),
        e.quantity(`${s}-b`, s, 8),
      ]);
    }
    const service = await start({ databaseUrl: database.url, topic, group: uniqueName('g') });
    await caughtUp(service);
    const broken = new pg.Client({ connectionString: database.url });
    await broken.connect();
    await broken.query('UPDATE batch SET allocated_quantity = 0'); // a read model gone wrong
    await broken.end();
    expect((await availability(service, skus[0]!)).body.totalAvailable).toBe(8);
    const result = await service.rebuild('allocation');
    expect(result).toMatchObject({ consumer: 'allocation', removed: { inbox: 12 } });
    const reference = await start({ databaseUrl: fresh.url, topic, group: uniqueName('g') });
    await caughtUp(service);
    await caughtUp(reference);
    for (const s of skus) {
      const rebuilt = (await availability(service, s)).body;
      expect(rebuilt.totalAvailable).toBe(5);
      expect(rebuilt.batches).toEqual((await availability(reference, s)).body.batches);
    }
  });
});

describe('transient failures', () => {
  it('serves HTTP and says why in /status while Kafka cannot be reached, and still stops', async () => {
    const database = await testDatabase('alloc_nokafka');
    const service = await startAllocationService({
      databaseUrl: database.url,
      kafkaBrokers: ['127.0.0.1:1'],
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger(),
      consumer: FAST,
    });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${service.url}/status`);
    expect(res.status).toBe(503);
    const status = (await res.json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      caughtUp: false,
      lag: null,
      ready: false,
      consumers: [{ name: 'allocation', partitions: [], lag: null }],
    });
    expect(status.error).toMatch(/^allocation: Kafka: /);
    await service.close();
  });

  it('retries a message while the database is down instead of skipping it', async () => {
    const database = await testDatabase('alloc_down');
    const relay = await cuttableDatabase(database.url);
    const { topic, producer } = await kafkaTopic(1);
    const s = sku();
    const service = await start({ databaseUrl: relay.url, topic, group: uniqueName('g') });
    await publish(producer, topic, [e.product(s), e.batch(`${s}-b`, s, 10)]);
    await caughtUp(service);

    relay.cut();
    await publish(producer, topic, [e.allocated('o1', s, 4, `${s}-b`)]);
    const down = await fetch(`${service.url}/products/${s}/availability`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { message: string }).message).toBe('Database unavailable');
    await waitFor(async () => (await service.status()).consumers[0]!.state === 'retrying');

    relay.restore();
    await caughtUp(service);
    expect((await availability(service, s)).body.totalAvailable).toBe(6);
    expect((await service.status()).consumers[0]!.messages).toMatchObject({
      applied: 3,
      dead_lettered: 0,
    });
    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    const { rows } = await check.query('SELECT count(*)::int AS n FROM strangler_dead_letter');
    await check.end();
    expect(rows[0].n).toBe(0);
    await service.close();
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
