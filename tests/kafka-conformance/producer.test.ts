import { CompressionTypes, KafkaJSProtocolError } from 'kafkajs';
import { uniqueName } from '@strangler/tests/harness';
import { describe, expect, it } from 'vitest';
import {
  createTopic,
  highWatermarks,
  kafkaKit,
  ofPartition,
  sortByPosition,
  waitFor,
  type Seen,
} from './support.js';

const kit = kafkaKit();
const hex = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v);

describe('producing, as kafkajs 2.2.4 sees it', () => {
  it('acks -1 and acks 1 answer with the base offset of each batch, and the messages are stored in order', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();

    const all = await producer.send({
      topic,
      acks: -1,
      messages: [{ value: 'a0' }, { value: 'a1' }, { value: 'a2' }],
    });
    const leader = await producer.send({
      topic,
      acks: 1,
      messages: [{ value: 'b0' }, { value: 'b1' }],
    });

    expect(all).toEqual([
      expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' }),
    ]);
    expect(leader).toEqual([
      expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '3' }),
    ]);
    const read = await kit.readAll([topic], 5);
    expect(read.map(({ offset, value }) => ({ offset, value }))).toEqual([
      { offset: 0, value: 'a0' },
      { offset: 1, value: 'a1' },
      { offset: 2, value: 'a2' },
      { offset: 3, value: 'b0' },
      { offset: 4, value: 'b1' },
    ]);
  });

  it('acks 0 returns no metadata, yet every message is stored in send order', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();

    const answers = [];
    for (let i = 0; i < 20; i++) {
      answers.push(await producer.send({ topic, acks: 0, messages: [{ value: `m${i}` }] }));
    }

    expect(answers.every((a) => Array.isArray(a) && a.length === 0)).toBe(true);
    await waitFor('20 fire-and-forget messages stored', async () => {
      return (await highWatermarks(admin, topic))[0] === 20;
    });
    const read = await kit.readAll([topic], 20);
    expect(read.map(({ offset, value }) => ({ offset, value }))).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ offset: i, value: `m${i}` })),
    );
  });

  it('an idempotent producer gets contiguous offsets for many sequential sends on every partition', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 3);
    const producer = await kit.producer({ idempotent: true, maxInFlightRequests: 1 });

    const baseOffsets: Array<{ partition: number; baseOffset: string }> = [];
    const expected: Seen[] = [];
    const sent = [0, 0, 0];
    const sendTo = async (partition: number, values: string[]) => {
      const [meta] = await producer.send({
        topic,
        messages: values.map((value) => ({ partition, value })),
      });
      baseOffsets.push({ partition: meta!.partition, baseOffset: meta!.baseOffset! });
      for (const value of values) {
        expected.push({ topic, partition, offset: sent[partition]!++, key: null, value });
      }
    };
    for (let i = 0; i < 150; i++) await sendTo(i % 3, [`single-${i}`]);
    for (let i = 0; i < 6; i++) {
      await sendTo(
        i % 3,
        Array.from({ length: 20 }, (_, j) => `batch-${i}-${j}`),
      );
    }

    // Each response names the offset where that send's first message landed: no gaps, no repeats.
    const perPartition = [0, 0, 0];
    const expectedBase = [
      ...Array.from({ length: 150 }, (_, i) => i % 3),
      ...Array.from({ length: 6 }, (_, i) => i % 3),
    ].map((partition, i) => {
      const base = perPartition[partition]!;
      perPartition[partition] = base + (i < 150 ? 1 : 20);
      return { partition, baseOffset: String(base) };
    });
    expect(baseOffsets).toEqual(expectedBase);
    expect(await highWatermarks(admin, topic)).toEqual({ 0: 90, 1: 90, 2: 90 });
    const read = await kit.readAll([topic], expected.length);
    expect(read.map(({ headers: _h, timestamp: _t, ...rest }) => rest)).toEqual(
      sortByPosition(expected),
    );
  });

  // Needs auto.create.topics.enable=true, Kafka's default. Real Kafka answers LEADER_NOT_AVAILABLE
  // for a moment after creating the topic; kafkajs retries through it.
  it('producing to an unknown topic auto-creates it with the broker default partition count', async () => {
    const admin = await kit.admin();
    const producer = await kit.producer();
    const auto = uniqueName('auto');
    const explicit = uniqueName('explicit');

    const [meta] = await producer.send({ topic: auto, messages: [{ key: 'k', value: 'first' }] });
    await admin.createTopics({ topics: [{ topic: explicit }], waitForLeaders: true });

    expect(meta).toMatchObject({ topicName: auto, errorCode: 0, baseOffset: '0' });
    const { topics } = await admin.fetchTopicMetadata({ topics: [auto, explicit] });
    const counts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
    expect(counts[auto]).toBeGreaterThanOrEqual(1);
    expect(counts[auto]).toBe(counts[explicit]);
    const read = await kit.readAll([auto], 1);
    expect(read.map(({ key, value, offset }) => ({ key, value, offset }))).toEqual([
      { key: 'k', value: 'first', offset: 0 },
    ]);
  });

  it('concurrent sends on one connection each learn the offset their own message got', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();

    // kafkajs pipelines these requests on one socket: answers must come back matched to requests.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        producer.send({ topic, messages: [{ value: `concurrent-${i}` }] }),
      ),
    );

    const claimed = answers.map((a, i) => ({
      offset: Number(a[0]!.baseOffset),
      value: `concurrent-${i}`,
    }));
    const read = await kit.readAll([topic], 200);
    expect(sortByPosition(claimed.map((c) => ({ ...c, topic, partition: 0 })))).toEqual(
      read.map(({ topic, partition, offset, value }) => ({ topic, partition, offset, value })),
    );
  });

  it('gzip-compressed batches round-trip keys, values, headers and offsets', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const messages = Array.from({ length: 100 }, (_, i) => ({
      partition: i % 2,
      key: `key-${i}`,
      // Repetitive payloads so gzip actually shrinks them.
      value: `value-${i}-${'x'.repeat(200)}`,
      headers: { n: String(i) },
    }));

    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: messages });

    const read = await kit.readAll([topic], 100);
    const expected = sortByPosition(
      messages.map((m, i) => ({
        topic,
        partition: m.partition,
        offset: Math.floor(i / 2),
        key: m.key,
        value: m.value,
        n: m.headers.n,
      })),
    );
    expect(
      read.map(({ topic, partition, offset, key, value, headers }) => ({
        topic,
        partition,
        offset,
        key,
        value,
        n: headers.n?.toString(),
      })),
    ).toEqual(expected);
  });

  it('the default partitioner sends every message of a key to one partition, in order, across producers', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const first = await kit.producer();
    const second = await kit.producer();
    const keys = Array.from({ length: 20 }, (_, i) => `customer-${i}`);

    for (let round = 0; round < 3; round++) {
      const producer = round === 1 ? second : first;
      await producer.send({
        topic,
        messages: keys.map((key) => ({ key, value: `${key}#${round}` })),
      });
    }

    const read = await kit.readAll([topic], 60);
    const byKey = new Map<string, { partitions: Set<number>; values: string[] }>();
    for (const r of read) {
      const entry = byKey.get(r.key!) ?? { partitions: new Set(), values: [] };
      entry.partitions.add(r.partition);
      entry.values.push(r.value!);
      byKey.set(r.key!, entry);
    }
    for (const key of keys) {
      expect({ key, partitions: byKey.get(key)?.partitions.size }).toEqual({ key, partitions: 1 });
      expect(byKey.get(key)?.values).toEqual([`${key}#0`, `${key}#1`, `${key}#2`]);
    }
    // Twenty keys over four partitions: a partitioner that ignored keys would use one or all evenly.
    expect(new Set(read.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('headers round-trip with string, Buffer, empty and repeated values', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const binary = Buffer.from([0, 1, 2, 127, 128, 255]);

    await producer.send({
      topic,
      messages: [
        {
          key: 'k',
          value: 'v',
          headers: { ce_type: 'order.placed', bin: binary, empty: '', multi: ['a', 'b'] },
        },
        { key: 'no-headers', value: 'v2' },
      ],
    });

    const read = await kit.readAll([topic], 2);
    const h = read[0]!.headers;
    expect({
      ce_type: h.ce_type?.toString(),
      bin: hex(h.bin),
      empty: hex(h.empty),
      multi: Array.isArray(h.multi) ? h.multi.map(String) : h.multi,
    }).toEqual({
      ce_type: 'order.placed',
      bin: binary.toString('hex'),
      empty: '',
      multi: ['a', 'b'],
    });
    expect(Object.keys(h).sort()).toEqual(['bin', 'ce_type', 'empty', 'multi']);
    expect(read[1]!.headers).toEqual({});
  });

  it('null values (tombstones) and null keys stay null, distinct from empty ones', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();

    await producer.send({
      topic,
      messages: [
        { partition: 0, key: 'deleted-aggregate', value: null },
        { partition: 0, key: null, value: 'keyless' },
        { partition: 0, key: 'empty-value', value: '' },
        { partition: 0, key: '', value: 'empty-key' },
        { partition: 0, key: null, value: null },
      ],
    });
    // A keyless message without a partition goes wherever the default partitioner puts it.
    const [meta] = await producer.send({ topic, messages: [{ value: 'anywhere' }] });

    const read = await kit.readAll([topic], 6);
    const placed = read.filter((r) => r.value !== 'anywhere');
    expect(
      ofPartition(placed, 0).map(({ offset, key, value }) => ({ offset, key, value })),
    ).toEqual([
      { offset: 0, key: 'deleted-aggregate', value: null },
      { offset: 1, key: null, value: 'keyless' },
      { offset: 2, key: 'empty-value', value: '' },
      { offset: 3, key: '', value: 'empty-key' },
      { offset: 4, key: null, value: null },
    ]);
    const anywhere = read.find((r) => r.value === 'anywhere');
    expect(anywhere).toMatchObject({ partition: meta!.partition, key: null });
  });

  it('sendBatch writes to several topics and partitions in one call, each with its own offsets', async () => {
    const admin = await kit.admin();
    const orders = await createTopic(admin, 2, 'orders');
    const stock = await createTopic(admin, 3, 'stock');
    const producer = await kit.producer();
    const batch = (round: number) => [
      {
        topic: orders,
        messages: [0, 1, 0].map((partition, i) => ({
          partition,
          key: `o${i}`,
          value: `o${round}${i}`,
        })),
      },
      {
        topic: stock,
        messages: [2, 1, 2, 0].map((partition, i) => ({
          partition,
          key: `s${i}`,
          value: `s${round}${i}`,
        })),
      },
    ];

    const first = await producer.sendBatch({ topicMessages: batch(0) });
    const second = await producer.sendBatch({ topicMessages: batch(1) });

    const summary = (metas: typeof first) =>
      metas
        .map(
          (m) => `${m.topicName === orders ? 'orders' : 'stock'}[${m.partition}]@${m.baseOffset}`,
        )
        .sort();
    expect(summary(first)).toEqual([
      'orders[0]@0',
      'orders[1]@0',
      'stock[0]@0',
      'stock[1]@0',
      'stock[2]@0',
    ]);
    expect(summary(second)).toEqual([
      'orders[0]@2',
      'orders[1]@1',
      'stock[0]@1',
      'stock[1]@1',
      'stock[2]@2',
    ]);
    const read = await kit.readAll([orders, stock], 14);
    const line = (r: Seen) =>
      `${r.topic === orders ? 'orders' : 'stock'}[${r.partition}]@${r.offset} ${r.key}=${r.value}`;
    expect(read.map(line).sort()).toEqual(
      [
        'orders[0]@0 o0=o00',
        'orders[0]@1 o2=o02',
        'orders[0]@2 o0=o10',
        'orders[0]@3 o2=o12',
        'orders[1]@0 o1=o01',
        'orders[1]@1 o1=o11',
        'stock[0]@0 s3=s03',
        'stock[0]@1 s3=s13',
        'stock[1]@0 s1=s01',
        'stock[1]@1 s1=s11',
        'stock[2]@0 s0=s00',
        'stock[2]@1 s2=s02',
        'stock[2]@2 s0=s10',
        'stock[2]@3 s2=s12',
      ].sort(),
    );
  });
});

describe('message size limit (message.max.bytes, 1048588 by default)', () => {
  // A batch holding one record with a null key, no headers and a value of n bytes takes
  // 61 (batch header) + 3 (record length varint) + 8 (record fields) + n bytes.
  const AT_LIMIT = 1_048_588 - 72;

  it('accepts a batch of exactly the limit and hands the whole value back', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const producer = await kit.producer();
    const value = Buffer.alloc(AT_LIMIT, 'a');
    value.write('start', 0);
    value.write('end', AT_LIMIT - 3);

    const [meta] = await producer.send({ topic, messages: [{ value }] });

    expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
    const [read] = await kit.readAll([topic], 1);
    expect(read?.value?.length).toBe(AT_LIMIT);
    expect(read?.value === value.toString()).toBe(true);
  });

  it.each([
    ['one byte over the limit', AT_LIMIT + 1],
    ['about 1.1 MB', 1_150_000],
  ])(
    'rejects a batch %s with MESSAGE_TOO_LARGE, stores nothing, and the producer keeps working',
    async (_label, size) => {
      const admin = await kit.admin();
      const topic = await createTopic(admin, 1);
      const producer = await kit.producer();

      const error = await producer.send({ topic, messages: [{ value: Buffer.alloc(size) }] }).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(KafkaJSProtocolError);
      expect(error).toMatchObject({ type: 'MESSAGE_TOO_LARGE', retriable: false });
      expect(await highWatermarks(admin, topic)).toEqual({ 0: 0 });
      const [meta] = await producer.send({ topic, messages: [{ value: 'small' }] });
      expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
    },
  );
});

describe('message size limit per topic (max.message.bytes topic config)', () => {
  it('a topic created with a larger max.message.bytes accepts a batch above the broker default', async () => {
    const admin = await kit.admin();
    const topic = uniqueName('bigmessages');
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '2097152' }],
        },
      ],
      waitForLeaders: true,
    });
    const producer = await kit.producer();

    const [meta] = await producer.send({
      topic,
      messages: [{ value: Buffer.alloc(1_500_000, 'b') }],
    });

    expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
    const [read] = await kit.readAll([topic], 1);
    expect(read?.value?.length).toBe(1_500_000);
  });

  it('a topic created with a smaller max.message.bytes rejects batches above it with MESSAGE_TOO_LARGE', async () => {
    const admin = await kit.admin();
    const topic = uniqueName('smallmessages');
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
      ],
      waitForLeaders: true,
    });
    const producer = await kit.producer();

    const small = await producer.send({ topic, messages: [{ value: Buffer.alloc(1500) }] });
    const error = await producer
      .send({ topic, messages: [{ value: Buffer.alloc(2500) }] })
      .catch((e: unknown) => e);

    expect(small).toEqual([expect.objectContaining({ errorCode: 0, baseOffset: '0' })]);
    expect(error).toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    expect(await highWatermarks(admin, topic)).toEqual({ 0: 1 });
  });
});
