import { existsSync } from 'node:fs';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApacheKafka } from './cluster.js';
import type { ApacheKafka } from './types.js';

const client = (brokers: string[]) =>
  new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });

/** Writes `values` with acks=all, then reads the topic from the beginning: `total` values. */
async function roundTrip(
  kafka: ApacheKafka,
  topic: string,
  values: string[],
  total = values.length,
): Promise<string[]> {
  const k = client(kafka.brokers);
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'k', value })) });
  await producer.disconnect();
  const consumer = k.consumer({ groupId: `g-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value));
        if (seen.length >= total) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

describe('Apache Kafka, one node', () => {
  let kafka: ApacheKafka;
  beforeAll(async () => {
    kafka = await startApacheKafka();
  }, 180_000);
  afterAll(() => kafka?.stop(), 60_000);

  it('serves kafkajs: an acks=all write is read back', async () => {
    expect(kafka.brokers).toHaveLength(1);
    expect(await roundTrip(kafka, 'one', ['a', 'b'])).toEqual(['a', 'b']);
  }, 60_000);

  it('keeps its data across a kill -9 and a start on the same ports', async () => {
    const [node] = kafka.nodes;
    const pid = node!.pid;
    await node!.kill();
    expect(node!.running).toBe(false);
    await node!.start();
    expect(node!.pid).not.toBe(pid);
    expect(await roundTrip(kafka, 'one', ['c'], 3)).toEqual(['a', 'b', 'c']);
  }, 120_000);
});

describe('Apache Kafka, three nodes', () => {
  let kafka: ApacheKafka;
  beforeAll(async () => {
    kafka = await startApacheKafka({ nodes: 3 });
  }, 180_000);
  afterAll(() => kafka?.stop(), 60_000);

  it('replicates three times, needs two in sync, and takes acks=all writes with one node dead', async () => {
    const admin = client(kafka.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'three' }], waitForLeaders: true });
    const [meta] = (await admin.fetchTopicMetadata({ topics: ['three'] })).topics;
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: 'three', configNames: ['min.insync.replicas'] }],
      includeSynonyms: false,
    });
    await admin.disconnect();
    expect(meta!.partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('2');

    await kafka.nodes[2]!.kill();
    // Kafka moves leadership off a node that died without a word once the controller fences it
    // (broker.session.timeout.ms, 9 s by default); until then clients keep being sent to it.
    const watcher = client(kafka.brokers.slice(0, 2)).admin();
    await watcher.connect();
    for (let deadline = Date.now() + 60_000; ;) {
      const [topic] = (await watcher.fetchTopicMetadata({ topics: ['three'] })).topics;
      if (topic!.partitions.every((p) => p.leader !== 3)) break;
      if (Date.now() > deadline) throw new Error('node 3 still leads a partition after 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    await watcher.disconnect();
    expect(await roundTrip(kafka, 'three', ['x', 'y'])).toEqual(['x', 'y']);
  }, 120_000);

  it('stops every node and removes its temporary folder', async () => {
    const folder = kafka.nodes[0]!.logFile.replace(/\/node-1\/server\.log$/, '');
    await kafka.stop();
    expect(kafka.nodes.map((n) => n.running)).toEqual([false, false, false]);
    expect(existsSync(folder)).toBe(false);
  }, 60_000);
});
