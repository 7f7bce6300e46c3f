import { uniqueName } from '@strangler/tests/harness';
import { CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  committedOffsets,
  createTopic,
  duplicates,
  kafkaKit,
  ofPartition,
  produceSpread,
  recordInto,
  seen,
  sleep,
  sortByPosition,
  waitFor,
  waitForMessages,
  type Seen,
} from './support.js';

const kit = kafkaKit();

/** Long enough for a duplicate delivery to show up before we compare. */
const SETTLE_MS = 300;

describe('consuming, as kafkajs 2.2.4 sees it', () => {
  it('delivers 1,200 messages over 4 partitions in per-partition order with exact offsets', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const producer = await kit.producer();
    const expected: Seen[] = [];
    for (let chunk = 0; chunk < 12; chunk++) {
      expected.push(...(await produceSpread(producer, admin, topic, 100, `c${chunk}`)));
    }

    const member = await kit.member([topic]);
    await waitForMessages(member, 1200);
    await sleep(SETTLE_MS);

    const want = sortByPosition(expected);
    expect(duplicates(member.seen)).toEqual([]);
    // Order of arrival within each partition, not only the set of messages.
    for (let p = 0; p < 4; p++) expect(ofPartition(member.seen, p)).toEqual(ofPartition(want, p));
    expect(ofPartition(want, 3).at(-1)).toMatchObject({ offset: 299, value: 'c11-v99' });
  });

  it('fromBeginning true reads what was there before it joined; fromBeginning false only what came after', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const before = await produceSpread(producer, admin, topic, 6, 'before');

    const early = await kit.member([topic], { fromBeginning: true });
    const late = await kit.member([topic], { fromBeginning: false });
    // After a member's first fetch its start position is resolved: later messages are "after".
    await waitFor('both members to complete a fetch', () =>
      [early, late].every((m) => m.joins.length > 0 && m.fetches > 0),
    );
    const after = await produceSpread(producer, admin, topic, 4, 'after');

    await waitForMessages(early, 10);
    await waitForMessages(late, 4);
    await sleep(SETTLE_MS);
    expect(sortByPosition(early.seen)).toEqual(sortByPosition([...before, ...after]));
    expect(sortByPosition(late.seen)).toEqual(after);
  });

  it('a group resumes from its auto-committed offsets after disconnecting: nothing lost, nothing twice', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 3);
    const producer = await kit.producer();
    const groupId = uniqueName('resume');
    const first = await produceSpread(producer, admin, topic, 30, 'first');

    const a = await kit.member([topic], { groupId });
    await waitForMessages(a, 30);
    await kit.disconnect(a.consumer);
    const second = await produceSpread(producer, admin, topic, 30, 'second');
    const b = await kit.member([topic], { groupId, fromBeginning: true });
    await waitForMessages(b, 30);
    await sleep(SETTLE_MS);

    expect(sortByPosition(a.seen)).toEqual(first);
    expect(sortByPosition(b.seen)).toEqual(second);
    await waitFor('commits of the second member', async () => {
      const c = await committedOffsets(admin, groupId, topic);
      return c[0] === 20 && c[1] === 20 && c[2] === 20;
    });
  });

  it('manual commitOffsets (with metadata) decides where the next member of the group starts', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const groupId = uniqueName('manual');
    const all = await produceSpread(producer, admin, topic, 10, 'm');

    const a = await kit.consumer({ groupId });
    await a.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await a.consumer.run({ autoCommit: false, eachMessage: recordInto(a) });
    await waitForMessages(a, 10);
    // The committed offset is the next one to read, as in Kafka: 6 means "6 onwards".
    await a.consumer.commitOffsets([{ topic, partition: 0, offset: '6', metadata: 'after m-v5' }]);
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      { topic, partitions: [{ partition: 0, offset: '6', metadata: 'after m-v5' }] },
    ]);
    await kit.disconnect(a.consumer);
    // Disconnecting without auto-commit must not move the offset past what was committed.
    expect(await committedOffsets(admin, groupId, topic)).toEqual({ 0: 6 });

    const b = await kit.member([topic], { groupId });
    await waitForMessages(b, 4);
    await sleep(SETTLE_MS);
    expect(a.seen).toEqual(all);
    expect(b.seen).toEqual(all.slice(6));
  });

  it('seek moves a running consumer back to an earlier offset and replays from there in order', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const all = await produceSpread(producer, admin, topic, 10, 's');

    const member = await kit.member([topic]);
    await waitForMessages(member, 10);
    member.consumer.seek({ topic, partition: 0, offset: '3' });
    await waitForMessages(member, 17);
    await sleep(SETTLE_MS);

    expect(member.seen).toEqual([...all, ...all.slice(3)]);
  });

  it('small fetch sizes page through a backlog of many batches without skipping or repeating', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const expected: Seen[] = [];
    for (let i = 0; i < 40; i++) {
      expected.push(...(await produceSpread(producer, admin, topic, 10, `page${i}`)));
    }

    // Each batch is a few hundred bytes: every fetch can return only a few of the 80 batches.
    const member = await kit.member([topic], { maxBytesPerPartition: 600, maxBytes: 1200 });
    await waitForMessages(member, 400);
    await sleep(SETTLE_MS);

    expect(duplicates(member.seen)).toEqual([]);
    for (let p = 0; p < 2; p++) {
      expect(ofPartition(member.seen, p)).toEqual(ofPartition(sortByPosition(expected), p));
    }
  });

  it('seeking into the middle of a compressed batch delivers from exactly that offset', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const values = Array.from({ length: 30 }, (_, i) => `gz-${i}`);
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: values.map((value) => ({ value })),
    });

    const member = await kit.member([topic]);
    await waitForMessages(member, 30);
    member.consumer.seek({ topic, partition: 0, offset: '17' });
    await waitForMessages(member, 43);
    await sleep(SETTLE_MS);

    expect(member.seen.slice(30).map((m) => [m.offset, m.value])).toEqual(
      values.slice(17).map((v, i) => [17 + i, v]),
    );
  });

  it('subscribing by regular expression consumes every matching topic and no other', async () => {
    const admin = await kit.admin();
    const prefix = uniqueName('regex');
    const matching = [`${prefix}.orders`, `${prefix}.stock`];
    const other = `${prefix}-other`;
    await admin.createTopics({
      topics: [...matching, other].map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
    const producer = await kit.producer();
    for (const topic of [...matching, other]) {
      await producer.send({ topic, messages: [{ key: topic, value: 'hello' }] });
    }

    const member = await kit.consumer();
    await member.consumer.subscribe({
      topics: [new RegExp(`^${prefix}\\.`)],
      fromBeginning: true,
    });
    await member.consumer.run({ eachMessage: recordInto(member) });
    await waitForMessages(member, 2);
    await sleep(SETTLE_MS);

    expect(member.seen.map((m) => m.topic).sort()).toEqual(matching);
    expect(member.joins.at(-1)?.assignment).toEqual({ [matching[0]!]: [0], [matching[1]!]: [0] });
  });

  it('a committed offset beyond the end of the log is out of range: kafkajs restarts from the beginning', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const groupId = uniqueName('outofrange');
    const all = await produceSpread(producer, admin, topic, 5, 'r');
    const committer = await kit.consumer({ groupId });
    await committer.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await committer.consumer.run({ autoCommit: false, eachMessage: recordInto(committer) });
    await waitForMessages(committer, 5);
    await committer.consumer.commitOffsets([{ topic, partition: 0, offset: '1000' }]);
    await kit.disconnect(committer.consumer);

    const member = await kit.member([topic], { groupId, fromBeginning: true });
    await waitForMessages(member, 5);
    await sleep(SETTLE_MS);

    expect(member.seen).toEqual(all);
  });

  it('eachBatch hands over contiguous batches per partition with their high watermark', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const expected: Seen[] = [];
    for (let i = 0; i < 5; i++)
      expected.push(...(await produceSpread(producer, admin, topic, 20, `b${i}`)));
    const groupId = uniqueName('batch');

    const tracked = await kit.consumer({ groupId });
    const batches: Array<{
      partition: number;
      offsets: number[];
      first: string;
      last: string;
      hw: string;
    }> = [];
    await tracked.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await tracked.consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        batches.push({
          partition: batch.partition,
          offsets: batch.messages.map((m) => Number(m.offset)),
          first: batch.firstOffset() ?? 'none',
          last: batch.lastOffset(),
          hw: batch.highWatermark,
        });
        for (const m of batch.messages) tracked.seen.push(seen(batch.topic, batch.partition, m));
        await heartbeat();
      },
    });
    await waitForMessages(tracked, 100);
    await waitFor('offsets committed after the batches', async () => {
      const c = await committedOffsets(admin, groupId, topic);
      return c[0] === 50 && c[1] === 50;
    });

    expect(sortByPosition(tracked.seen)).toEqual(sortByPosition(expected));
    for (const b of batches) {
      expect(b.offsets).toEqual(
        Array.from({ length: b.offsets.length }, (_, i) => b.offsets[0]! + i),
      );
      expect({ first: b.first, last: b.last }).toEqual({
        first: String(b.offsets[0]),
        last: String(b.offsets.at(-1)),
      });
      expect(Number(b.hw)).toBeGreaterThan(b.offsets.at(-1)!);
    }
    for (const p of [0, 1]) {
      const mine = batches.filter((b) => b.partition === p);
      expect(mine.flatMap((b) => b.offsets)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(mine.at(-1)?.hw).toBe('50');
    }
  });
});
