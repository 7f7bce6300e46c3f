// The Kafka producer of the legacy adapter, in its own thread: kafkajs spends ~25 µs encoding each
// event (CloudEvents headers included), as much as decoding and mapping it. Here it runs beside the
// replication stream instead of after it. Plain JavaScript, so src/ (tests) and dist/ (production)
// load the same file. Protocol: { id, kind: 'connect' | 'publish' | 'close', messages? } ->
// { id, ok, error? }; kafkajs log lines arrive as { kind: 'log', entry }.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
// Before kafkajs loads its produce requests, swap in the faster record encoder (same bytes); only
// for the version it was written against.
if (require('kafkajs/package.json').version === '2.2.4') {
  const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0');
  require(recordPath);
  require.cache[recordPath].exports = require('./kafkajs-record.cjs')(
    require('kafkajs/src/protocol/encoder'),
  );
}
const { recordingPartitioner, unacknowledged } = require('./unacknowledged.cjs');
const { default: kafkajs } = await import('kafkajs');
const { Kafka, logLevel, Partitioners } = kafkajs;
/** @type {{ brokers: string[], clientId: string, topics: string[] }} */
const { brokers, clientId, topics } = workerData;

const kafka = new Kafka({
  clientId,
  brokers,
  logLevel: logLevel.WARN,
  logCreator: () => (entry) =>
    parentPort.postMessage({ kind: 'log', entry: { namespace: entry.namespace, ...entry.log } }),
});
// Idempotent, acks=all, one request in flight: what resolves is on every replica, in order.
// kafkajs 2 changed its default partitioner; name it so keys map to partitions as in Java clients.
/** The partition kafkajs chose for each message object, to check its answer against. */
const chosen = new WeakMap();
const newProducer = () =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: recordingPartitioner(Partitioners.DefaultPartitioner, chosen),
  });
let producer = newProducer();
/** Whether `producer` is connected; a replaced or refused producer connects with the next send. */
let connected = false;
async function ensureConnected() {
  if (connected) return;
  await producer.connect();
  connected = true;
}

// After a partition leader dies, the new leader may refuse the idempotent producer's next sequence
// number, and kafkajs 2.2.4 then keeps the same producer id and sequence forever: every retry gets
// the same answer and capture stops (seen on 3 Apache Kafka brokers, tests/reliability). A new
// producer gets a new id and starts its sequences again; the adapter retries the batch, and what the
// broker already had is written again with the same event ids (consumers skip those).
const FENCED = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

function fenced(error) {
  for (let e = error; e; e = e.cause) if (FENCED.has(e.type)) return true;
  return false;
}

async function renewProducer() {
  const old = producer;
  producer = newProducer();
  connected = false;
  await old.disconnect().catch(() => {});
}

/** Connects; creates the missing topics (events, dead letters) and returns their names. */
async function connect() {
  await ensureConnected();
  // Consumers may subscribe before the first message, so the topics should exist from the start.
  // Asking to create an existing topic makes kafkajs log an error response: look first.
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic })),
        waitForLeaders: true,
      });
    }
    return { created: missing };
  } finally {
    await admin.disconnect();
  }
}

/** @param {Array<{ topic: string, key: string, value: string, headers: Record<string, string> }>} messages */
async function publish(messages) {
  const byTopic = new Map();
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? [];
    list.push({ key: m.key, value: m.value, headers: m.headers });
    byTopic.set(m.topic, list);
  }
  try {
    await ensureConnected();
    const topicMessages = [...byTopic].map(([t, list]) => ({ topic: t, messages: list }));
    const results = await producer.sendBatch({ acks: -1, topicMessages });
    const missing = unacknowledged(topicMessages, results, chosen);
    if (missing.length > 0) {
      // Failing the call makes the adapter send the whole batch again: partitions that were
      // written get their events a second time, with the same ids (consumers skip those).
      const error = new Error(
        `kafkajs answered the batch without an acknowledgement for ${missing.join(', ')}: sending it again`,
      );
      error.name = 'KafkaJSPartialSend';
      error.retriable = true;
      throw error;
    }
  } catch (error) {
    if (fenced(error)) {
      parentPort.postMessage({
        kind: 'log',
        entry: { namespace: 'Producer', message: `${error.message}: starting a new producer` },
      });
      await renewProducer();
    }
    throw error;
  }
}

/** The next offset of each partition of `topic`: where everything published so far ends. */
async function endOffsets(topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const partitions = await admin.fetchTopicOffsets(topic);
    return Object.fromEntries(partitions.map((p) => [String(p.partition), p.high]));
  } finally {
    await admin.disconnect();
  }
}

parentPort.on('message', async (msg) => {
  try {
    let result;
    if (msg.kind === 'connect') result = await connect();
    else if (msg.kind === 'publish') await publish(msg.messages);
    else if (msg.kind === 'close') await producer.disconnect();
    else if (msg.kind === 'offsets') result = await endOffsets(msg.topic);
    parentPort.postMessage({ id: msg.id, ok: true, result });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: { name: error.name, message: error.message, retriable: Boolean(error.retriable) },
    });
  }
});
