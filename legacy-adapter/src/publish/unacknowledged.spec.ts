import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Partitioner = (args: {
  topic: string;
  partitionMetadata: unknown[];
  message: object;
}) => number;
const { recordingPartitioner, unacknowledged } = require('../../worker/unacknowledged.cjs') as {
  recordingPartitioner(
    factory: () => Partitioner,
    chosen: WeakMap<object, number>,
  ): () => Partitioner;
  unacknowledged(
    topicMessages: { topic: string; messages: object[] }[],
    results: { topicName: string; partition: number; errorCode?: number }[],
    chosen: WeakMap<object, number>,
  ): string[];
};

describe('checking a kafkajs sendBatch answer against the partitions it chose', () => {
  const byKey = () => (args: { message: object }) => Number((args.message as { key: string }).key);
  const messages = [{ key: '0' }, { key: '1' }, { key: '1' }, { key: '2' }];
  const batch = [{ topic: 'events', messages }];

  const sent = () => {
    const chosen = new WeakMap<object, number>();
    const partition = recordingPartitioner(byKey, chosen)();
    for (const message of messages) partition({ topic: 'events', partitionMetadata: [], message });
    return chosen;
  };
  const ack = (partition: number, errorCode = 0) => ({ topicName: 'events', partition, errorCode });

  it('finds nothing missing when every partition sent to was acknowledged', () => {
    expect(unacknowledged(batch, [ack(0), ack(1), ack(2)], sent())).toEqual([]);
  });

  it('names a partition left out of the answer, as kafkajs does after a leader moved to a broker that already answered', () => {
    expect(unacknowledged(batch, [ack(0), ack(2)], sent())).toEqual(['events/1']);
  });

  it('counts an answer with an error code, and a message kafkajs never partitioned, as not acknowledged', () => {
    const chosen = sent();
    const unseen = { key: '3' };
    expect(
      unacknowledged(
        [{ topic: 'events', messages: [...messages, unseen] }],
        [ack(0), ack(1, 6), ack(2)],
        chosen,
      ),
    ).toEqual(['events/1', 'events/undefined']);
  });
});
