import { KafkaErrorCode } from '../errors.js';
import { checkProducedBatch } from '../protocol/record-batch.js';
import { Writer } from '../protocol/writer.js';
import type { BrokerState } from '../server/state.js';
import type { ApiHandler } from './api.js';

interface PartitionResult {
  partition: number;
  error: KafkaErrorCode;
  baseOffset: number;
  logStartOffset: number;
}

/**
 * Produce v7. The batch is stored verbatim with only its base offset stamped in; with one replica,
 * acks=1 and acks=-1 mean the same thing, and acks=0 gets no response at all.
 */
export const produce: ApiHandler = {
  key: 0,
  name: 'Produce',
  version: 7,
  handle(r, { state }) {
    const transactionalId = r.nullableString();
    const acks = r.int16();
    r.int32(); // timeout: every write completes before the response
    const topics = r.array((r) => ({
      topic: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), records: r.nullableBytes() })),
    }));
    const badAcks = acks !== 0 && acks !== 1 && acks !== -1;
    if (transactionalId !== null) {
      state.logger.warn(
        `produce with transactional id "${transactionalId}": transactions are not supported`,
      );
    }
    const results = topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map(({ partition, records }): PartitionResult =>
        badAcks
          ? {
              partition,
              error: KafkaErrorCode.INVALID_REQUIRED_ACKS,
              baseOffset: -1,
              logStartOffset: -1,
            }
          : append(state, topic, partition, records),
      ),
    }));
    if (acks === 0) return null;
    return new Writer()
      .array(results, (w, t) =>
        w
          .string(t.topic)
          .array(t.partitions, (w, p) =>
            w
              .int32(p.partition)
              .int16(p.error)
              .int64(p.baseOffset)
              .int64(-1)
              .int64(p.logStartOffset),
          ),
      )
      .int32(0);
  },
};

function append(
  state: BrokerState,
  topic: string,
  partition: number,
  records: Buffer | null,
): PartitionResult {
  const fail = (error: KafkaErrorCode, reason?: string): PartitionResult => {
    if (reason) state.logger.warn(`produce to ${topic}[${partition}] rejected: ${reason}`);
    return { partition, error, baseOffset: -1, logStartOffset: -1 };
  };
  const log = state.topics.partition(topic, partition);
  if (!log) return fail(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (records === null) return fail(KafkaErrorCode.INVALID_RECORD, 'null record set');
  const check = checkProducedBatch(records, maxMessageBytes(state, topic));
  if (!check.ok) return fail(check.error, check.reason);
  const sequence = state.producers.check(topic, partition, check.header);
  if (sequence.kind === 'error') return fail(sequence.code, sequence.reason);
  if (sequence.kind === 'duplicate') {
    return {
      partition,
      error: KafkaErrorCode.NONE,
      baseOffset: sequence.baseOffset,
      logStartOffset: log.logStartOffset,
    };
  }
  // Copy out of the request frame so the stored log does not pin whole frames in memory.
  const batch = Buffer.from(records);
  const baseOffset = log.append(batch, check.header);
  state.producers.record(topic, partition, check.header, baseOffset);
  return { partition, error: KafkaErrorCode.NONE, baseOffset, logStartOffset: log.logStartOffset };
}

/** The topic's max.message.bytes when it was created with one, else the broker's limit, as in Kafka. */
function maxMessageBytes(state: BrokerState, topic: string): number {
  const configured = state.topics.get(topic)?.configs['max.message.bytes'];
  return typeof configured === 'string' && /^\d+$/.test(configured)
    ? Number(configured)
    : state.options.maxMessageBytes;
}
