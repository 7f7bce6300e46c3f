import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { BrokerState } from '../server/state.js';
import type { ApiHandler } from './api.js';

interface PartitionRequest {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}
interface TopicRequest {
  topic: string;
  partitions: PartitionRequest[];
}
interface PartitionResult {
  partition: number;
  error: KafkaErrorCode;
  highWatermark: number;
  logStartOffset: number;
  buffers: Buffer[];
  bytes: number;
}

/**
 * Fetch v11 with a real long poll: when less than min_bytes is available the response waits until
 * data arrives or max_wait passes, as Kafka does. (Without it, idle consumers spin: tens of
 * thousands of empty fetches per second.)
 */
export const fetch: ApiHandler = {
  key: 1,
  name: 'Fetch',
  version: 11,
  async handle(r, { state, signal }) {
    r.int32(); // replica id
    const maxWaitMs = r.int32();
    const minBytes = r.int32();
    const maxBytes = r.int32();
    r.int8(); // isolation level: without transactions every stored record is committed
    r.int32(); // session id: fetch sessions (KIP-227) are not kept; every fetch is a full fetch
    r.int32(); // session epoch
    const topics = r.array<TopicRequest>((r) => ({
      topic: r.string(),
      partitions: r.array((r) => {
        const partition = r.int32();
        r.int32(); // current leader epoch
        const fetchOffset = r.int64();
        r.int64(); // follower log start offset
        return { partition, fetchOffset, maxBytes: r.int32() };
      }),
    }));
    let results = collect(state, topics, maxBytes);
    if (
      maxWaitMs > 0 &&
      !signal.aborted &&
      results.bytes < Math.max(minBytes, 1) &&
      !results.anyError
    ) {
      await waitForData(state, topics, maxWaitMs, signal);
      results = collect(state, topics, maxBytes);
    }
    return encode(results.topics);
  },
};

function collect(state: BrokerState, topics: TopicRequest[], maxBytes: number) {
  let bytes = 0;
  let anyError = false;
  const out = topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((req): PartitionResult => {
      const log = state.topics.partition(topic, req.partition);
      const result = (error: KafkaErrorCode, hw = -1, start = -1): PartitionResult => {
        if (error !== KafkaErrorCode.NONE) anyError = true;
        return {
          partition: req.partition,
          error,
          highWatermark: hw,
          logStartOffset: start,
          buffers: [],
          bytes: 0,
        };
      };
      if (!log) return result(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (req.fetchOffset < log.logStartOffset || req.fetchOffset > log.nextOffset) {
        return result(KafkaErrorCode.OFFSET_OUT_OF_RANGE, log.nextOffset, log.logStartOffset);
      }
      const limit = Math.min(req.maxBytes, maxBytes - bytes);
      const read = log.read(req.fetchOffset, Math.max(limit, 0), bytes === 0);
      bytes += read.bytes;
      return { ...result(KafkaErrorCode.NONE, log.nextOffset, log.logStartOffset), ...read };
    }),
  }));
  return { topics: out, bytes, anyError };
}

function waitForData(
  state: BrokerState,
  topics: TopicRequest[],
  maxWaitMs: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe: Array<() => void> = [];
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      for (const u of unsubscribe) u();
      resolve();
    };
    const timer = setTimeout(done, maxWaitMs);
    signal.addEventListener('abort', done);
    for (const { topic, partitions } of topics) {
      for (const { partition } of partitions) {
        const log = state.topics.partition(topic, partition);
        if (log) unsubscribe.push(log.onAppend(done));
      }
    }
  });
}

function encode(topics: Array<{ topic: string; partitions: PartitionResult[] }>): Writer {
  return new Writer()
    .int32(0) // throttle time
    .int16(KafkaErrorCode.NONE)
    .int32(0) // session id
    .array(topics, (w, t) =>
      w.string(t.topic).array(t.partitions, (w, p) => {
        w.int32(p.partition)
          .int16(p.error)
          .int64(p.highWatermark)
          .int64(p.highWatermark)
          .int64(p.logStartOffset);
        w.array([], () => {}); // aborted transactions
        w.int32(-1); // preferred read replica
        w.int32(p.bytes);
        for (const b of p.buffers) w.raw(b);
      }),
    );
}
