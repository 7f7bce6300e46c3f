import { kafkaBrokers, onCleanup, testDatabase, uniqueName } from '@strangler/tests/harness';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { defineConsumer } from './consumer/define-consumer.js';
import { NewServiceError } from './errors.js';
import { startService } from './service.js';
import { rebuildConsumer, replayDeadLetters } from './standalone.js';
import {
  caughtUp,
  events as e,
  FAST,
  kafkaTopic,
  publish,
  quietLogger,
  startTestService,
  waitFor,
} from './testing/kafka.fixture.js';
import { loyaltyConsumer, loyaltyMigrations } from './testing/loyalty.fixture.js';

async function database(prefix: string) {
  const db = await testDatabase(prefix);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  onCleanup(() => pool.end());
  const rows = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows;
  return { url: db.url, pool, rows };
}

const members = (prefix = 'loyalty') =>
  `SELECT member_id, tier, points, seq FROM ${prefix}_member ORDER BY member_id`;

describe('consuming', () => {
  it('applies every event once across partitions, redeliveries included, and reports each partition caught up', async () => {
    const db = await database('kit_svc_once');
    const { topic, producer } = await kafkaTopic(3);
    const ids = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const id of ids) {
      const earned = e.earned(id, 5, 1);
      await publish(producer, topic, [e.joined(id), earned, earned, e.earned(id, 2, 2)]);
    }
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    const status = await caughtUp(service);
    const [consumer] = status.consumers;
    expect(consumer!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(consumer!.partitions.every((p) => p.nextOffset === p.highWatermark)).toBe(true);
    expect(consumer!.messages).toMatchObject({ applied: 36, duplicate: 12, dead_lettered: 0 });
    expect(await db.rows(`SELECT DISTINCT points FROM loyalty_member`)).toEqual([{ points: 7 }]);
    expect(status).toMatchObject({ lag: 0, caughtUp: true, ready: true });
  });

  it('answers /applied with 200 once the offsets asked for are applied, 409 with where it stands before', async () => {
    const db = await database('kit_svc_applied');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('a1'), e.earned('a1', 5, 1)]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    await caughtUp(service);
    const applied = await fetch(`${service.url}/applied?topic=${topic}&offsets=0:2`);
    expect([applied.status, await applied.json()]).toEqual([200, { applied: true }]);
    const ahead = await fetch(`${service.url}/applied?topic=${topic}&offsets=0:5`);
    expect(ahead.status).toBe(409);
    expect(await ahead.json()).toEqual({
      applied: false,
      behind: [{ consumer: 'loyalty', partition: 0, applied: '2', wanted: '5' }],
    });
    const other = await fetch(`${service.url}/applied?topic=elsewhere&offsets=0:1`);
    expect(other.status).toBe(404);
    const bad = await fetch(`${service.url}/applied?topic=${topic}&offsets=zero`);
    expect([bad.status, ((await bad.json()) as { message: string }).message]).toEqual([
      400,
      'offsets: "zero" is not <partition>:<offset>, e.g. 0:42',
    ]);
  });

  it('never blocks a partition on a dead letter: each kind is stored and the next message applied', async () => {
    const db = await database('kit_svc_dead');
    const { topic, producer } = await kafkaTopic(1);
    // Each spoiled message is its own event: the same id twice would be a duplicate.
    const good = () => e.earned('d', 1, 1);
    const unknown = good();
    await publish(producer, topic, [
      e.joined('d'),
      { ...good(), value: Buffer.from([0xff, 0x00]) }, // DECODE_FAILED
      { ...unknown, headers: { ...unknown.headers, ce_type: 'com.example.loyalty.gone.v1' } },
      { ...good(), value: '{"memberId":"d","points":0,"seq":1}' }, // INVALID_DATA
      e.spent('d', 100, 1), // rejected by the handler
      e.earned('nobody', 1, 1), // foreign key: class 23
      e.earned('d', 3_000_000_000, 1), // integer overflow: class 22
      e.earned('d', 4, 2),
    ]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    const status = await caughtUp(service);
    expect(status.consumers[0]).toMatchObject({
      deadLetters: 6,
      messages: { applied: 2, dead_lettered: 6 },
    });
    expect(
      (await db.rows(`SELECT reason_code FROM strangler_dead_letter ORDER BY "offset"`)).map(
        (r) => r.reason_code,
      ),
    ).toEqual([
      'DECODE_FAILED',
      'UNKNOWN_TYPE',
      'INVALID_DATA',
      'insufficient_points',
      'database_rejected',
      'database_rejected',
    ]);
    expect(await db.rows(members())).toEqual([{ member_id: 'd', tier: 'gold', points: 4, seq: 2 }]);
  });

  it('retries a transiently failing event with backoff until it applies, skipping nothing after it', async () => {
    const db = await database('kit_svc_retry');
    const { topic, producer } = await kafkaTopic(1);
    const calls = new Map<string, number>();
    const joined = e.joined('flaky');
    await publish(producer, topic, [joined, e.earned('flaky', 3, 1)]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [
        loyaltyConsumer({ topic, group: uniqueName('g'), flaky: new Map([['flaky', 2]]), calls }),
      ],
      migrations: loyaltyMigrations(),
    });
    const status = await caughtUp(service);
    expect(calls.get(joined.headers.ce_id!)).toBe(3);
    expect(status.consumers[0]!.messages).toMatchObject({ applied: 2, dead_lettered: 0 });
    expect(await db.rows(members())).toEqual([
      { member_id: 'flaky', tier: 'gold', points: 3, seq: 1 },
    ]);
  });

  it('hands an old version of an event to the handler in its current shape', async () => {
    const db = await database('kit_svc_upcast');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joinedV1('old-timer')]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    await caughtUp(service);
    expect(await db.rows(members())).toEqual([
      { member_id: 'old-timer', tier: 'basic', points: 0, seq: 0 },
    ]);
  });

  it('runs two consumers of one topic, each with its own group and checkpoints', async () => {
    const db = await database('kit_svc_two');
    const { topic, producer } = await kafkaTopic(2);
    await publish(producer, topic, [e.joined('a'), e.joined('b'), e.earned('a', 1, 1)]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [
        loyaltyConsumer({ name: 'first', topic, group: uniqueName('g1') }),
        loyaltyConsumer({ name: 'second', topic, group: uniqueName('g2'), prefix: 'second' }),
      ],
      migrations: [...loyaltyMigrations(), ...loyaltyMigrations('second')],
    });
    const status = await caughtUp(service);
    expect(status.consumers.map((c) => [c.name, c.caughtUp, c.messages.applied])).toEqual([
      ['first', true, 3],
      ['second', true, 3],
    ]);
    expect(await db.rows(members('second'))).toEqual(await db.rows(members()));
    expect(
      await db.rows(
        `SELECT consumer, count(*)::int AS n FROM strangler_inbox GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual([
      { consumer: 'first', n: 3 },
      { consumer: 'second', n: 3 },
    ]);
  });

  it('resumes from the stored checkpoints, even under a new Kafka group', async () => {
    const db = await database('kit_svc_resume');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('r'), e.earned('r', 1, 1)]);
    const start = () =>
      startTestService({
        databaseUrl: db.url,
        consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
        migrations: loyaltyMigrations(),
      });
    const first = await start();
    await caughtUp(first);
    await first.close();
    const second = await start();
    await publish(producer, topic, [e.earned('r', 1, 2)]);
    const status = await caughtUp(second);
    expect(status.consumers[0]!.messages).toMatchObject({ applied: 1, already_processed: 0 });
    expect(status.consumers[0]!.partitions).toEqual([
      { partition: 0, nextOffset: 3, highWatermark: 3, lowWatermark: 0, lag: 0, behindMs: 0 },
    ]);
  });

  it('waits for a topic that does not exist yet and consumes it once it does', async () => {
    const db = await database('kit_svc_wait');
    const topic = uniqueName('later');
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    const before = await fetch(`${service.url}/status`);
    expect(before.status).toBe(503);
    expect(((await before.json()) as { error: string }).error).toMatch(/^loyalty: Kafka: /);
    const { producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('late')]);
    await caughtUp(service);
    expect(await db.rows(members())).toHaveLength(1);
  });
});

describe('status and readiness', () => {
  it('reports the lag of events not applied yet, and ready within readiness.maxLag', async () => {
    const db = await database('kit_svc_status');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('s'), e.earned('s', 1, 1), e.earned('s', 1, 2)]);
    const reader = (maxLag: number) =>
      startTestService({
        databaseUrl: db.url,
        consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
        migrations: loyaltyMigrations(),
        consume: false,
        readiness: { maxLag },
      });
    const strict = await reader(0);
    const lenient = await reader(3);
    const res = await fetch(`${strict.url}/status`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      lag: 3,
      caughtUp: false,
      ready: false,
      consumers: [
        {
          name: 'loyalty',
          topic,
          state: 'disabled',
          partitions: [
            { partition: 0, nextOffset: null, highWatermark: 3, lowWatermark: 0, lag: 3 },
          ],
          lag: 3,
          caughtUp: false,
          deadLetters: 0,
        },
      ],
    });
    expect(await lenient.status()).toMatchObject({ lag: 3, caughtUp: false, ready: true });
    // Nothing applied yet: how far behind in time is unknown, so a time threshold cannot pass.
    expect(await strict.status()).toMatchObject({ behindMs: null });
    const healthz = await fetch(`${strict.url}/healthz`);
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }]);
  });
});

describe('readiness by time behind', () => {
  it('reports behindMs 0 when caught up and the age of the newest applied message while messages wait, ready within readiness.maxBehindMs', async () => {
    const db = await database('kit_svc_behind');
    const { topic, producer } = await kafkaTopic(1);
    const group = uniqueName('g');
    const consumers = [loyaltyConsumer({ topic, group })];
    const firstWritten = Date.now();
    await publish(producer, topic, [e.joined('t')]);
    const writer = await startTestService({
      databaseUrl: db.url,
      consumers,
      migrations: loyaltyMigrations(),
    });
    const applied = await caughtUp(writer);
    expect(applied).toMatchObject({ lag: 0, behindMs: 0, ready: true });
    expect(applied.consumers[0]?.partitions[0]).toMatchObject({ lag: 0, behindMs: 0 });
    await writer.close();
    const closed = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    // A writer goes on while nobody applies: the lag is never 0 again, but its age says how stale.
    await publish(producer, topic, [e.earned('t', 1, 1), e.earned('t', 1, 2)]);
    const reader = (maxBehindMs: number) =>
      startTestService({
        databaseUrl: db.url,
        consumers,
        migrations: loyaltyMigrations(),
        consume: false,
        readiness: { maxBehindMs },
      });
    const strict = await reader(100);
    const lenient = await reader(60_000);
    const behind = await strict.status();
    expect(behind).toMatchObject({ lag: 2, caughtUp: false, ready: false });
    // The age of the one applied message: written before the writer started, at least 400 ms ago.
    expect(behind.behindMs).toBeGreaterThanOrEqual(Date.now() - closed - 50);
    expect(behind.behindMs).toBeGreaterThanOrEqual(400);
    expect(behind.behindMs).toBeLessThanOrEqual(Date.now() - firstWritten + 50);
    expect(behind.consumers[0]?.partitions[0]?.behindMs).toBe(behind.consumers[0]?.behindMs);
    expect(await lenient.status()).toMatchObject({ lag: 2, ready: true });
  });
});

describe('upgrading the kit tables', () => {
  it('adds the message timestamp to a checkpoint table made by an earlier version, keeping its rows', async () => {
    const db = await database('kit_svc_upgrade');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('u'), e.earned('u', 1, 1)]);
    // The table as versions before the timestamp made it, one message applied.
    await db.pool.query(`CREATE TABLE strangler_checkpoint (
       consumer text NOT NULL, topic text NOT NULL, partition integer NOT NULL,
       next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, topic, partition))`);
    await db.pool.query(`INSERT INTO strangler_checkpoint VALUES ('loyalty', $1, 0, 1)`, [topic]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
      consume: false,
    });
    expect(
      await db.rows('SELECT next_offset, message_timestamp FROM strangler_checkpoint'),
    ).toEqual([{ next_offset: '1', message_timestamp: null }]);
    // One message waits and nothing says when the applied one was written: unknown, not 0.
    expect(await service.status()).toMatchObject({ lag: 1, behindMs: null, ready: false });
  });
});

describe('group membership', () => {
  it('leaves its group on a clean stop, so a restarted instance does not wait out the old member', async () => {
    const db = await database('kit_svc_leave');
    const { topic, producer } = await kafkaTopic(1);
    const group = uniqueName('g');
    await publish(producer, topic, [e.joined('l')]);
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [loyaltyConsumer({ topic, group })],
      migrations: loyaltyMigrations(),
    });
    await caughtUp(service);
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    onCleanup(() => admin.disconnect());
    const members = async () => (await admin.describeGroups([group])).groups[0]?.members ?? [];
    expect(await members()).toHaveLength(1);
    await service.close();
    // Asked at once: a member that had not left would stay listed until its session expired.
    expect(await members()).toEqual([]);
  });
});

describe('dead-letter replay', () => {
  it('applies a dead letter again through its handler once the cause is fixed, and only once', async () => {
    const db = await database('kit_svc_replay');
    const { topic, producer } = await kafkaTopic(1);
    const calls = new Map<string, number>();
    const early = e.earned('late', 5, 1);
    await publish(producer, topic, [early, e.joined('late')]);
    const consumer = loyaltyConsumer({ topic, group: uniqueName('g'), calls });
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [consumer],
      migrations: loyaltyMigrations(),
    });
    await caughtUp(service);
    const [{ id }] = (await db.rows(`SELECT id::text FROM strangler_dead_letter`)) as [
      { id: string },
    ];
    const before = calls.get(early.headers.ce_id!)!;
    expect(await service.replayDeadLetters({ consumer: 'loyalty' })).toEqual([
      { id, consumer: 'loyalty', topic, partition: 0, offset: '0', outcome: 'applied' },
    ]);
    expect(calls.get(early.headers.ce_id!)).toBe(before + 1);
    expect(await db.rows(members())).toEqual([
      { member_id: 'late', tier: 'gold', points: 5, seq: 1 },
    ]);
    expect((await service.status()).consumers[0]!.deadLetters).toBe(0);
    // Outside the service, as the CLI does it: nothing waits any more.
    expect(
      await replayDeadLetters({
        databaseUrl: db.url,
        consumers: [consumer],
        ids: [id],
        logger: quietLogger(),
      }),
    ).toEqual([]);
  });

  it('keeps a letter that fails again, with its new reason', async () => {
    const db = await database('kit_svc_replay_again');
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('p'), e.spent('p', 9, 1)]);
    const consumer = loyaltyConsumer({ topic, group: uniqueName('g') });
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [consumer],
      migrations: loyaltyMigrations(),
    });
    await caughtUp(service);
    const [result] = await service.replayDeadLetters();
    expect(result).toMatchObject({
      outcome: 'dead_lettered',
      reason: { code: 'insufficient_points' },
    });
    expect(await db.rows(`SELECT replay_attempts, replayed_at FROM strangler_dead_letter`)).toEqual(
      [{ replay_attempts: 1, replayed_at: null }],
    );
  });
});

describe('rebuild', () => {
  it('rebuilds a projection from the start of its topic to the state a fresh build reaches', async () => {
    const db = await database('kit_svc_rebuild');
    const fresh = await database('kit_svc_fresh');
    const { topic, producer } = await kafkaTopic(2);
    await publish(producer, topic, [
      e.joined('x'),
      e.joined('y', 'basic'),
      e.earned('x', 7, 1),
      e.earned('ghost', 1, 1), // dead-lettered again by the rebuild
      e.spent('x', 2, 2),
      e.earned('y', 4, 1),
    ]);
    const options = (url: string) => ({
      databaseUrl: url,
      consumers: [loyaltyConsumer({ topic, group: uniqueName('g') })],
      migrations: loyaltyMigrations(),
    });
    const service = await startTestService(options(db.url));
    const used = (await caughtUp(service)).consumers[0]!.partitions.filter(
      (p) => p.highWatermark > 0,
    );
    await db.pool.query(`UPDATE loyalty_member SET points = 999`); // a projection gone wrong
    const result = await service.rebuild('loyalty');
    expect(result).toMatchObject({
      consumer: 'loyalty',
      topic,
      removed: { inbox: 6, checkpoints: used.length, deadLetters: 1 },
      eventsDeletedByRetention: false,
    });
    expect(result.partitions.map((p) => p.lowWatermark)).toEqual([0, 0]);
    await publish(producer, topic, [e.earned('y', 1, 2)]);
    await caughtUp(service);
    const reference = await startTestService(options(fresh.url));
    await caughtUp(reference);
    expect(await db.rows(members())).toEqual(await fresh.rows(members()));
    expect(await db.rows(members())).toContainEqual({
      member_id: 'x',
      tier: 'gold',
      points: 5,
      seq: 2,
    });
    expect(await db.rows(`SELECT count(*)::int AS n FROM strangler_dead_letter`)).toEqual([
      { n: 1 },
    ]);
  });

  it('refuses while another instance consumes the group, and keeps consuming', async () => {
    const db = await database('kit_svc_rebuild_busy');
    const { topic, producer } = await kafkaTopic(1);
    const group = uniqueName('g');
    const consumer = loyaltyConsumer({ topic, group });
    const options = { databaseUrl: db.url, consumers: [consumer], migrations: loyaltyMigrations() };
    const one = await startTestService(options);
    const two = await startTestService(options);
    await publish(producer, topic, [e.joined('busy')]);
    await caughtUp(one);
    await waitFor(async () => (await two.status()).consumers[0]!.state === 'running');
    const refusal = await one.rebuild('loyalty').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(NewServiceError);
    expect((refusal as NewServiceError).code).toBe('conflict');
    expect((refusal as Error).message).toMatch(/has 1 active member/);
    const outside = await rebuildConsumer({
      databaseUrl: db.url,
      kafkaBrokers: kafkaBrokers(),
      consumer,
      logger: quietLogger(),
    }).catch((err: unknown) => err);
    expect((outside as NewServiceError).code).toBe('conflict');
    await publish(producer, topic, [e.earned('busy', 2, 1)]);
    await caughtUp(one);
    expect(await db.rows(members())).toEqual([
      { member_id: 'busy', tier: 'gold', points: 2, seq: 1 },
    ]);
  });

  it('refuses a consumer without reset, naming the fix', async () => {
    const db = await database('kit_svc_no_reset');
    const { topic } = await kafkaTopic(1);
    const { reset: _reset, ...rest } = loyaltyConsumer({ topic, group: uniqueName('g') });
    const service = await startTestService({
      databaseUrl: db.url,
      consumers: [defineConsumer({ ...rest, reset: undefined })],
      migrations: loyaltyMigrations(),
    });
    await expect(service.rebuild('loyalty')).rejects.toThrow(/give it reset\(tx\)/);
    await expect(service.rebuild('nope')).rejects.toThrow(
      'no consumer "nope" in this service: loyalty',
    );
  });
});

describe('graceful stop', () => {
  it('lets the batch in flight commit, then stops HTTP and consuming', async () => {
    const db = await database('kit_svc_stop');
    const { topic, producer } = await kafkaTopic(1);
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = loyaltyConsumer({ topic, group: uniqueName('g') });
    const slow = defineConsumer({
      ...base,
      handle: async (event, uow, context) => {
        entered();
        await gate;
        return base.handle(event, uow, context);
      },
    });
    const service = await startService({
      databaseUrl: db.url,
      kafkaBrokers: kafkaBrokers(),
      consumers: [slow],
      migrations: loyaltyMigrations(),
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger(),
      consumer: FAST,
    });
    await publish(producer, topic, [e.joined('stopping')]);
    await inside;
    let closed = false;
    const closing = service.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(false); // waiting for the transaction in flight
    release();
    await closing;
    expect(await db.rows(members())).toHaveLength(1);
    expect(
      await db.rows(`SELECT next_offset::int FROM strangler_checkpoint WHERE consumer = 'loyalty'`),
    ).toEqual([{ next_offset: 1 }]);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });
});
