import { KafkaErrorCode } from '../errors.js';
import type { BatchHeader } from '../protocol/record-batch.js';

/** How many recent batches per producer and partition are remembered to detect retried sends (Kafka: 5). */
const RECENT = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

interface Recent {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}
interface Entry {
  epoch: number;
  lastSeq: number;
  recent: Recent[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; code: KafkaErrorCode; reason: string };

/**
 * Idempotent-producer bookkeeping: per producer id and partition, the epoch and the sequence numbers
 * of the last batches, so a retried send returns the original offsets instead of appending twice.
 * Rebuilt from the log at startup, since each stored batch carries its producer id and sequence.
 */
export class ProducerState {
  private readonly entries = new Map<string, Entry>();
  private nextId: number;

  constructor() {
    // Ids only need to be unique across restarts; the clock gives that without persisting a counter.
    this.nextId = Date.now();
  }

  allocateId(): number {
    return this.nextId++;
  }

  check(topic: string, partition: number, h: BatchHeader): SequenceCheck {
    if (h.producerId < 0) return { kind: 'append' };
    const entry = this.entries.get(key(h.producerId, topic, partition));
    if (!entry) return { kind: 'append' };
    if (h.producerEpoch < entry.epoch) {
      return {
        kind: 'error',
        code: KafkaErrorCode.INVALID_PRODUCER_EPOCH,
        reason: `producer ${h.producerId} epoch ${h.producerEpoch} is older than ${entry.epoch}`,
      };
    }
    if (h.producerEpoch > entry.epoch) {
      return h.baseSequence === 0
        ? { kind: 'append' }
        : {
            kind: 'error',
            code: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            reason: `new epoch ${h.producerEpoch} must start at sequence 0, got ${h.baseSequence}`,
          };
    }
    const lastSeq = lastSequence(h);
    const dup = entry.recent.find((r) => r.firstSeq === h.baseSequence && r.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const expected = entry.lastSeq === MAX_SEQUENCE ? 0 : entry.lastSeq + 1;
    if (h.baseSequence !== expected) {
      return {
        kind: 'error',
        code: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        reason: `producer ${h.producerId} sent sequence ${h.baseSequence}, expected ${expected}`,
      };
    }
    return { kind: 'append' };
  }

  record(topic: string, partition: number, h: BatchHeader, baseOffset: number): void {
    if (h.producerId < 0) return;
    const k = key(h.producerId, topic, partition);
    let entry = this.entries.get(k);
    if (!entry || h.producerEpoch > entry.epoch) {
      entry = { epoch: h.producerEpoch, lastSeq: -1, recent: [] };
      this.entries.set(k, entry);
    }
    entry.lastSeq = lastSequence(h);
    entry.recent.push({ firstSeq: h.baseSequence, lastSeq: entry.lastSeq, baseOffset });
    if (entry.recent.length > RECENT) entry.recent.shift();
    if (h.producerId >= this.nextId) this.nextId = h.producerId + 1;
  }

  forgetTopic(topic: string): void {
    for (const k of [...this.entries.keys()])
      if (k.includes(`\u0000${topic}\u0000`)) this.entries.delete(k);
  }
}

const key = (pid: number, topic: string, partition: number) =>
  `${pid}\u0000${topic}\u0000${partition}`;
const lastSequence = (h: BatchHeader) => (h.baseSequence + h.lastOffsetDelta) % (MAX_SEQUENCE + 1);
