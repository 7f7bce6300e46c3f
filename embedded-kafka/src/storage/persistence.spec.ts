import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../server/broker.js';
import type { Broker, Logger } from '../types.js';

const dirs: string[] = [];
const brokers: Broker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ek-data-'));
  dirs.push(d);
  return d;
}

async function start(dir: string, logger?: Logger): Promise<Broker> {
  const b = await startBroker({
    port: 0,
    dataDir: dir,
    logLevel: logger ? 'warn' : 'silent',
    logger,
  });
  brokers.push(b);
  return b;
}

async function stop(b: Broker): Promise<void> {
  await b.stop();
  brokers.splice(brokers.indexOf(b), 1);
}

const client = (b: Broker) => new Kafka({ brokers: b.brokers, logLevel: logLevel.NOTHING });

async function produce(b: Broker, topic: string, values: string[]): Promise<void> {
  const producer = client(b).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  for (const v of values)
    await producer.send({ topic, acks: -1, messages: [{ key: v, value: v }] });
  await producer.disconnect();
}

async function readAll(
  b: Broker,
  topic: string,
  count: number,
  groupId = `reader-${Math.random()}`,
): Promise<Array<{ partition: number; offset: string; value: string }>> {
  const consumer = client(b).consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Array<{ partition: number; offset: string; value: string }> = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: message.offset, value: message.value!.toString() });
        if (seen.length === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

describe('embedded-kafka with a data directory', () => {
  it('keeps topics, records and committed offsets across a restart and continues the offsets', async () => {
    const dir = dataDir();
    let b = await start(dir);
    const admin = client(b).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
    await produce(b, 'orders', ['a', 'b', 'c', 'd', 'e', 'f']);
    const offsetsBefore = await admin.fetchTopicOffsets('orders');
    const recordsBefore = await readAll(b, 'orders', 6, 'billing');
    const committedBefore = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
    expect(committedBefore[0]!.partitions.map((p) => p.offset)).not.toContain('-1');
    await admin.disconnect();
    await stop(b);

    b = await start(dir);
    const admin2 = client(b).admin();
    await admin2.connect();
    expect(await admin2.fetchTopicOffsets('orders')).toEqual(offsetsBefore);
    expect(await readAll(b, 'orders', 6)).toEqual(recordsBefore);
    expect(await admin2.fetchOffsets({ groupId: 'billing', topics: ['orders'] })).toEqual(
      committedBefore,
    );
    await produce(b, 'orders', ['g']);
    const after = await admin2.fetchTopicOffsets('orders');
    const total = (o: typeof after) => o.reduce((n, p) => n + Number(p.high), 0);
    expect(total(after)).toBe(total(offsetsBefore) + 1);
    await admin2.disconnect();
  });

  it('drops a torn write at the end of a log, says so, and keeps everything before it', async () => {
    const dir = dataDir();
    let b = await start(dir);
    await produce(b, 'torn', ['one', 'two']);
    await stop(b);
    const [partitionFile] = readdirSync(join(dir, 'logs', 'torn'));
    appendFileSync(
      join(dir, 'logs', 'torn', partitionFile!),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 9, 9]),
    );
    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (m) => warnings.push(m),
      error: (m) => warnings.push(m),
    };
    b = await start(dir, logger);
    expect(warnings.join('\n')).toMatch(/dropped 14 bytes of a torn or corrupt write/);
    await produce(b, 'torn', ['three']);
    expect((await readAll(b, 'torn', 3)).map((r) => [r.offset, r.value])).toEqual([
      ['0', 'one'],
      ['1', 'two'],
      ['2', 'three'],
    ]);
  });

  it('ignores a torn last line in the committed-offsets file', async () => {
    const dir = dataDir();
    let b = await start(dir);
    await produce(b, 'commits', ['x']);
    await readAll(b, 'commits', 1, 'g');
    await stop(b);
    appendFileSync(join(dir, 'offsets.jsonl'), '{"g":"g","t":"commits","p":0,"o":');
    b = await start(dir, { debug() {}, info() {}, warn() {}, error() {} });
    const admin2 = client(b).admin();
    await admin2.connect();
    const [offsets] = await admin2.fetchOffsets({ groupId: 'g', topics: ['commits'] });
    expect(offsets!.partitions[0]!.offset).toBe('1');
    await admin2.disconnect();
  });

  it('refuses a second broker on the same data directory', async () => {
    const dir = dataDir();
    await start(dir);
    await expect(startBroker({ port: 0, dataDir: dir, logLevel: 'silent' })).rejects.toMatchObject({
      code: 'DATA_DIR',
      message: `data dir ${dir} is already used by a broker in this process`,
    });
  });

  it('fsyncs before every acknowledgement when the interval is 0 and still round-trips', async () => {
    const dir = dataDir();
    const b = await startBroker({ port: 0, dataDir: dir, fsyncIntervalMs: 0, logLevel: 'silent' });
    brokers.push(b);
    await produce(b, 'durable', ['1', '2', '3']);
    expect((await readAll(b, 'durable', 3)).map((r) => r.value)).toEqual(['1', '2', '3']);
  });
});
