import type { KafkaOutgoingMessage } from '@strangler/event-schemas';
import { onCleanup, testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejected } from '../errors.js';
import { migrate } from '../postgres/schema.js';
import { events as e, quietLogger } from '../testing/kafka.fixture.js';
import { loyaltyConsumer, loyaltyMigrations } from '../testing/loyalty.fixture.js';
import type { AnyConsumer } from '../types.js';
import { consumeBatch, consumeMessage } from './consume.js';
import { incoming, type IncomingMessage } from './decode.js';
import { defineConsumer } from './define-consumer.js';
import pino from 'pino';

let pool: pg.Pool;
let offset = 0;
const consumer = loyaltyConsumer({ topic: 'facts' });

beforeAll(async () => {
  const db = await testDatabase('kit_consume');
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  onCleanup(() => pool.end());
  await migrate(pool, [...loyaltyMigrations(), ...loyaltyMigrations('other')], quietLogger());
});

const deps = (c: AnyConsumer = consumer) => ({ pool, consumer: c, logger: quietLogger() });

/** A message as kafkajs delivers it (Buffers), at the next offset of partition 0. */
function received(
  message: Pick<KafkaOutgoingMessage, 'headers'> & { key: string; value: string | Buffer },
  c: AnyConsumer = consumer,
  at = offset++,
): IncomingMessage {
  return incoming(c, 0, {
    key: Buffer.from(message.key),
    value: Buffer.isBuffer(message.value) ? message.value : Buffer.from(message.value),
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]),
    ),
    timestamp: '0',
    offset: String(at),
  });
}

async function member(id: string, prefix = 'loyalty') {
  const { rows } = await pool.query(
    `SELECT tier, points, seq FROM ${prefix}_member WHERE member_id = $1`,
    [id],
  );
  return rows[0] as { tier: string; points: number; seq: number } | undefined;
}

async function deadLetterAt(position: IncomingMessage['position'], name = 'loyalty') {
  const { rows } = await pool.query(
    `SELECT reason_code, reason, value, event_id FROM strangler_dead_letter
     WHERE consumer = $1 AND topic = $2 AND partition = $3 AND "offset" = $4`,
    [name, position.topic, position.partition, position.offset],
  );
  return rows[0];
}

describe('consumeMessage', () => {
  it('applies a message once when two consumers deliver it at the same time', async () => {
    const message = received(e.joined('race'));
    const results = await Promise.all([
      consumeMessage(deps(), message),
      consumeMessage(deps(), message),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_processed', 'applied']);
    expect(await member('race')).toMatchObject({ points: 0 });
  });

  it('skips an event id it has seen, even redelivered at a new offset', async () => {
    const joined = e.joined('dup');
    expect((await consumeMessage(deps(), received(joined))).outcome).toBe('applied');
    expect((await consumeMessage(deps(), received(joined))).outcome).toBe('duplicate');
    const { rows } = await pool.query(
      `SELECT outcome FROM strangler_inbox WHERE consumer = 'loyalty' AND event_id = $1`,
      [joined.headers.ce_id],
    );
    expect(rows).toEqual([{ outcome: 'applied' }]);
  });

  it('stores what the handler reported (stale, unchanged) in the inbox and keeps the newer state', async () => {
    await consumeMessage(deps(), received(e.joined('old')));
    expect((await consumeMessage(deps(), received(e.earned('old', 9, 3)))).outcome).toBe('applied');
    const stale = e.earned('old', 4, 2);
    expect((await consumeMessage(deps(), received(stale))).outcome).toBe('stale');
    expect((await consumeMessage(deps(), received(e.joined('old')))).outcome).toBe('unchanged');
    expect(await member('old')).toMatchObject({ points: 9, seq: 3 });
    const { rows } = await pool.query(`SELECT outcome FROM strangler_inbox WHERE event_id = $1`, [
      stale.headers.ce_id,
    ]);
    expect(rows[0].outcome).toBe('stale');
  });

  it('hands the handler an old version upcast to the current shape', async () => {
    const old = e.joinedV1('upcast');
    expect((await consumeMessage(deps(), received(old))).outcome).toBe('applied');
    expect(await member('upcast')).toMatchObject({ tier: 'basic' });
    const { rows } = await pool.query(
      `SELECT event_type FROM strangler_inbox WHERE event_id = $1`,
      [old.headers.ce_id],
    );
    expect(rows[0].event_type).toBe('com.example.loyalty.member_joined.v1');
  });

  it('dead-letters a rejected event with its reason and still moves the checkpoint', async () => {
    await consumeMessage(deps(), received(e.joined('poor')));
    const message = received(e.spent('poor', 5, 1));
    expect(await consumeMessage(deps(), message)).toEqual({
      outcome: 'dead_lettered',
      reason: { code: 'insufficient_points', message: 'Member poor has 0 points' },
    });
    const { rows } = await pool.query(
      `SELECT next_offset FROM strangler_checkpoint WHERE consumer = 'loyalty' AND topic = 'facts' AND partition = 0`,
    );
    expect(Number(rows[0].next_offset)).toBe(Number(message.position.offset) + 1);
    expect(await deadLetterAt(message.position)).toMatchObject({
      reason_code: 'insufficient_points',
    });
  });

  it('dead-letters what Postgres refuses: an integrity violation (23) and a data exception (22)', async () => {
    const orphan = received(e.earned('nobody', 1, 1));
    const result = await consumeMessage(deps(), orphan);
    expect(result.reason?.code).toBe('database_rejected');
    expect(result.reason?.message).toMatch(/SQLSTATE 23503/);
    await consumeMessage(deps(), received(e.joined('rich')));
    const overflow = await consumeMessage(deps(), received(e.earned('rich', 3_000_000_000, 1)));
    expect(overflow.reason?.message).toMatch(/SQLSTATE 22003/);
    expect(await member('rich')).toMatchObject({ points: 0, seq: 0 });
  });

  it('dead-letters a value that is not a CloudEvent (DECODE_FAILED) byte for byte', async () => {
    const garbage = Buffer.from([0xff, 0, 0x13]);
    const message = received({ ...e.earned('x', 1, 1), value: garbage });
    expect((await consumeMessage(deps(), message)).reason?.code).toBe('DECODE_FAILED');
    const row = await deadLetterAt(message.position);
    expect(row.reason_code).toBe('DECODE_FAILED');
    expect(Buffer.compare(row.value, garbage)).toBe(0);
  });

  it.each([
    [
      'UNKNOWN_TYPE',
      (m: KafkaOutgoingMessage) => ({
        ...m,
        headers: { ...m.headers, ce_type: 'com.example.loyalty.teleported.v1' },
      }),
    ],
    [
      'INVALID_DATA',
      (m: KafkaOutgoingMessage) => ({ ...m, value: '{"memberId":"x","points":-1,"seq":1}' }),
    ],
  ])(
    'dead-letters an event the catalog refuses (%s), recording its id so a redelivery is a duplicate',
    async (code, spoil) => {
      const good = e.earned('x', 1, 1);
      const message = received(spoil(good));
      expect((await consumeMessage(deps(), message)).reason?.code).toBe(code);
      const row = await deadLetterAt(message.position);
      expect(row).toMatchObject({ reason_code: code, event_id: good.headers.ce_id });
      expect((await consumeMessage(deps(), received(spoil(good)))).outcome).toBe('duplicate');
    },
  );

  it('throws a transient error (not dead-lettered, checkpoint not moved) for the caller to retry', async () => {
    const flaky = loyaltyConsumer({ name: 'flaky', topic: 'facts', flaky: new Map([['f', 1]]) });
    const message = received(e.joined('f'), flaky, 0);
    await expect(consumeMessage(deps(flaky), message)).rejects.toThrow(/flaky member f/);
    const { rows } = await pool.query(
      `SELECT 1 FROM strangler_checkpoint WHERE consumer = 'flaky'`,
    );
    expect(rows).toEqual([]);
    expect((await consumeMessage(deps(flaky), message)).outcome).toBe('applied');
  });

  it("follows the consumer's deadLetterWhen: null retries what the default would dead-letter", async () => {
    const strict = defineConsumer({
      ...loyaltyConsumer({ name: 'strict', topic: 'facts' }),
      deadLetterWhen: (err) =>
        err instanceof Error && /insufficient/.test(err.message) ? null : undefined,
      handle: async () => {
        throw rejected('insufficient_points', 'insufficient');
      },
    });
    await expect(consumeMessage(deps(strict), received(e.joined('s'), strict, 0))).rejects.toThrow(
      'insufficient',
    );
  });

  it('retries a handler that returns something else than an outcome, naming the consumer', async () => {
    const buggy = defineConsumer({
      ...loyaltyConsumer({ name: 'buggy', topic: 'facts' }),
      handle: async () => 'done' as never,
    });
    await expect(consumeMessage(deps(buggy), received(e.joined('b'), buggy, 0))).rejects.toThrow(
      /handle\(\) of consumer "buggy" returned "done"/,
    );
  });

  it("keeps each consumer's inbox and checkpoints apart: two projections of one topic both apply an event", async () => {
    const other = loyaltyConsumer({ name: 'other', topic: 'facts', prefix: 'other' });
    const joined = e.joined('both');
    const at = offset++;
    expect((await consumeMessage(deps(), received(joined, consumer, at))).outcome).toBe('applied');
    expect((await consumeMessage(deps(other), received(joined, other, at))).outcome).toBe(
      'applied',
    );
    expect(await member('both', 'other')).toMatchObject({ points: 0 });
  });

  it('runs afterCommit callbacks only once the transaction committed', async () => {
    const seen: string[] = [];
    const notifying = defineConsumer({
      ...loyaltyConsumer({ name: 'notifying', topic: 'facts' }),
      unitOfWork: (tx) => tx,
      handle: async (event, tx) => {
        tx.afterCommit(() => void seen.push(event.data.memberId));
        if (event.data.memberId === 'no') throw rejected('refused', 'no');
      },
      beforeCommit: undefined,
    });
    await consumeMessage(deps(notifying), received(e.joined('yes'), notifying, 0));
    await consumeMessage(deps(notifying), received(e.joined('no'), notifying, 1));
    expect(seen).toEqual(['yes']);
  });
});

describe('the event context', () => {
  it("gives the handler a logger bound to the message's partition, offset and event id, made once", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const logging = defineConsumer({
      ...loyaltyConsumer({ name: 'logging', topic: 'facts' }),
      unitOfWork: (tx) => tx,
      handle: async (_event, _tx, context) => {
        expect(context.log).toBe(context.log);
        context.log.info('handled');
      },
      beforeCommit: undefined,
    });
    const message = received(e.joined('logged'), logging, 7);
    await consumeMessage({ pool, consumer: logging, logger }, message);
    expect(lines.find((l) => l.msg === 'handled')).toMatchObject({
      partition: 0,
      offset: '7',
      eventId: expect.any(String),
    });
  });
});

describe('consumeBatch', () => {
  it('applies a batch of one partition in one transaction, skipping duplicates and processed offsets', async () => {
    const first = received(e.joined('bulk'));
    expect((await consumeBatch(deps(), [first])).map((r) => r.outcome)).toEqual(['applied']);
    const earned = e.earned('bulk', 4, 1);
    const results = await consumeBatch(deps(), [
      first, // redelivered at the same offset: the checkpoint is past it
      received(earned),
      received(earned),
      received(e.earned('bulk', 6, 2)),
    ]);
    expect(results.map((r) => r.outcome)).toEqual([
      'already_processed',
      'applied',
      'duplicate',
      'applied',
    ]);
    expect(await member('bulk')).toMatchObject({ points: 10, seq: 2 });
  });

  it('claims a batch at once: a duplicate within it is skipped, outcomes are stored, the checkpoint ends past the last', async () => {
    const earned = e.earned('claim', 4, 1);
    const rejoined = e.joined('claim');
    const batch = [
      received(e.joined('claim')),
      received(earned),
      received(earned),
      received(rejoined),
    ];
    const results = await consumeBatch(deps(), batch);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'duplicate', 'unchanged']);
    expect(await member('claim')).toMatchObject({ points: 4, seq: 1 });
    const { rows } = await pool.query(
      `SELECT event_id, outcome, "offset" FROM strangler_inbox WHERE event_id = ANY($1) ORDER BY "offset"`,
      [[earned.headers.ce_id, rejoined.headers.ce_id]],
    );
    expect(rows).toEqual([
      { event_id: earned.headers.ce_id, outcome: 'applied', offset: batch[1]!.position.offset },
      { event_id: rejoined.headers.ce_id, outcome: 'unchanged', offset: batch[3]!.position.offset },
    ]);
    const checkpoint = await pool.query(
      `SELECT next_offset FROM strangler_checkpoint WHERE consumer = 'loyalty' AND topic = 'facts' AND partition = 0`,
    );
    expect(Number(checkpoint.rows[0].next_offset)).toBe(Number(batch[3]!.position.offset) + 1);
  });

  it('applies a batch once when two consumers deliver it at the same time', async () => {
    const batch = [received(e.joined('race-batch')), received(e.earned('race-batch', 2, 1))];
    const results = await Promise.all([consumeBatch(deps(), batch), consumeBatch(deps(), batch)]);
    expect(results.map((r) => r.map((x) => x.outcome).join()).sort()).toEqual([
      'already_processed,already_processed',
      'applied,applied',
    ]);
    expect(await member('race-batch')).toMatchObject({ points: 2, seq: 1 });
  });

  it('shares one unit of work and calls beforeCommit once per transaction', async () => {
    let units = 0;
    let commits = 0;
    const counting = defineConsumer({
      ...loyaltyConsumer({ name: 'counting', topic: 'facts', prefix: 'other' }),
      unitOfWork: (tx) => {
        units += 1;
        return loyaltyConsumer({ topic: 'facts', prefix: 'other' }).unitOfWork(tx);
      },
      beforeCommit: () => void (commits += 1),
    });
    const batch = [e.joined('c1'), e.joined('c2'), e.joined('c3')].map((m, i) =>
      received(m, counting, i),
    );
    await consumeBatch(deps(counting), batch);
    expect([units, commits]).toEqual([1, 1]);
  });

  it('rolls back a batch holding a message that cannot be applied, then applies the others and dead-letters that one', async () => {
    const results = await consumeBatch(deps(), [
      received(e.joined('mixed')),
      received(e.earned('mixed', 3, 1)),
      received(e.spent('mixed', 50, 2)),
      received(e.earned('mixed', 3, 3)),
    ]);
    expect(results.map((r) => r.outcome)).toEqual([
      'applied',
      'applied',
      'dead_lettered',
      'applied',
    ]);
    expect(results[2]!.reason?.code).toBe('insufficient_points');
    expect(await member('mixed')).toMatchObject({ points: 6, seq: 3 });
  });

  it('dead-letters an undecodable message of a batch and applies the rest', async () => {
    const results = await consumeBatch(deps(), [
      received(e.joined('undecodable')),
      received({ ...e.joined('z'), value: 'not json' }),
      received(e.earned('undecodable', 2, 1)),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'dead_lettered', 'applied']);
  });

  it('throws a transient failure of a batch, applying nothing of it', async () => {
    const flaky = loyaltyConsumer({
      name: 'flaky-batch',
      topic: 'facts',
      flaky: new Map([['fb2', 1]]),
    });
    const batch = [received(e.joined('fb1'), flaky, 0), received(e.joined('fb2'), flaky, 1)];
    await expect(consumeBatch(deps(flaky), batch)).rejects.toThrow(/flaky member fb2/);
    expect(await member('fb1')).toBeUndefined();
    expect((await consumeBatch(deps(flaky), batch)).map((r) => r.outcome)).toEqual([
      'applied',
      'applied',
    ]);
  });
});
