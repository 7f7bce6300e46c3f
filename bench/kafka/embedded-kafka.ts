/**
 * Produce and consume 1 KB messages through embedded-kafka with kafkajs, and compare with kafkajs
 * encoding the same produce requests and decoding the same fetch responses without any broker (the
 * client-side limit), measured in the same run.
 *
 *   npm run bench:kafka --workspace bench   [MESSAGES=100000 BATCH=1000]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MESSAGES = Number(process.env.MESSAGES ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 1_000);
const VALUE = Buffer.alloc(1024, 'x');
const TOPIC = 'bench-1kb';

type Encoderish = { buffer: Buffer };
const ProduceV7 = require('kafkajs/src/protocol/requests/produce/v7/request') as (o: object) => {
  encode(): Promise<Encoderish>;
};
const FetchV11 = require('kafkajs/src/protocol/requests/fetch/v11/response') as {
  decode(b: Buffer): Promise<unknown>;
  parse(d: unknown): Promise<{ responses: Array<{ partitions: Array<{ messages: unknown[] }> }> }>;
};
const Encoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeInt8(v: number): unknown;
  writeInt16(v: number): unknown;
  writeInt32(v: number): unknown;
  writeInt64(v: number): unknown;
  writeString(v: string): unknown;
  writeArray(v: unknown[]): unknown;
  writeBuffer(v: Buffer): unknown;
  buffer: Buffer;
};
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<Encoderish>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromNumber(n: number): unknown };

const messages = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: VALUE }));
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

async function startBrokerProcess(): Promise<{ brokers: string[]; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [join(root, 'embedded-kafka', 'bin', 'embedded-kafka.js'), '--port', '0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /advertised as (\S+?):(\d+)/.exec(log);
      if (m) resolve(`${m[1]}:${m[2]}`);
    });
    child.on('exit', (code) =>
      reject(new Error(`embedded-kafka exited with ${code}: ${log} (run npm run build first)`)),
    );
  });
  return { brokers: [address], stop: () => child.kill('SIGTERM') };
}

async function throughBroker(brokers: string[]) {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: messages(1, -1) }); // create the topic outside the timing
  const t0 = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    await producer.send({ topic: TOPIC, acks: -1, messages: messages(BATCH, sent) });
  }
  const produceMs = performance.now() - t0;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let received = 0;
  let t1 = 0;
  const total = MESSAGES + 1;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (t1 === 0) t1 = performance.now();
        received += batch.messages.length;
        if (received >= total) resolve();
      },
    });
  });
  const consumeMs = performance.now() - t1;
  await consumer.disconnect();
  return { produceMs, consumeMs };
}

async function clientOnly() {
  const t0 = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    const req = ProduceV7({
      acks: -1,
      timeout: 30_000,
      topicData: [
        { topic: TOPIC, partitions: [{ partition: 0, messages: messages(BATCH, sent) }] },
      ],
    });
    await req.encode();
  }
  const encodeMs = performance.now() - t0;

  // Fetch responses of ~1 MB (kafkajs's default maxBytesPerPartition), as the broker returns them.
  const perResponse = Math.max(1, Math.floor((1024 * 1024) / (VALUE.length + 30) / BATCH)) * BATCH;
  const responses: Buffer[] = [];
  for (let offset = 0; offset < MESSAGES; offset += perResponse) {
    const batches: Buffer[] = [];
    for (let o = offset; o < Math.min(offset + perResponse, MESSAGES); o += BATCH) {
      const now = Date.now();
      const records = messages(BATCH, o).map((m, i) =>
        Record({ offsetDelta: i, timestampDelta: 0, key: Buffer.from(m.key), value: m.value }),
      );
      const batch = await RecordBatch({
        records,
        firstOffset: Long.fromNumber(o),
        firstTimestamp: now,
        maxTimestamp: now,
        lastOffsetDelta: BATCH - 1,
      });
      batches.push(batch.buffer);
    }
    const recordSet = Buffer.concat(batches);
    const partition = new Encoder();
    partition.writeInt32(0);
    partition.writeInt16(0);
    partition.writeInt64(MESSAGES);
    partition.writeInt64(MESSAGES);
    partition.writeInt64(0);
    partition.writeArray([]);
    partition.writeInt32(-1);
    partition.writeInt32(recordSet.length);
    partition.writeBuffer(recordSet);
    const topic = new Encoder();
    topic.writeString(TOPIC);
    topic.writeArray([partition]);
    const response = new Encoder();
    response.writeInt32(0);
    response.writeInt16(0);
    response.writeInt32(0);
    response.writeArray([topic]);
    responses.push(response.buffer);
  }
  const t1 = performance.now();
  let decoded = 0;
  for (const r of responses) {
    const parsed = await FetchV11.parse(await FetchV11.decode(r));
    decoded += parsed.responses[0]!.partitions[0]!.messages.length;
  }
  const decodeMs = performance.now() - t1;
  if (decoded !== MESSAGES) throw new Error(`decoded ${decoded} of ${MESSAGES}`);
  return { encodeMs, decodeMs };
}

const broker = await startBrokerProcess();
try {
  const client = await clientOnly();
  const through = await throughBroker(broker.brokers);
  const row = (name: string, viaBroker: number, limit: number) =>
    `${name.padEnd(8)} ${fmt(rate(MESSAGES, viaBroker)).padStart(10)} msg/s (${(rate(MESSAGES, viaBroker) / 1024).toFixed(0)} MB/s)` +
    `   client-only ${fmt(rate(MESSAGES, limit)).padStart(10)} msg/s   broker/client-only ${(limit / viaBroker).toFixed(2)}`;
  console.log(
    `embedded-kafka, kafkajs 2.2.4, ${fmt(MESSAGES)} x 1 KB messages, ${BATCH} per send, acks=-1, broker in its own process`,
  );
  console.log(row('produce', through.produceMs, client.encodeMs));
  console.log(row('consume', through.consumeMs, client.decodeMs));
} finally {
  broker.stop();
}
