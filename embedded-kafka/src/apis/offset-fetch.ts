import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** OffsetFetch v4: -1 for partitions without a commit; a null topic list means all of the group's. */
export const offsetFetch: ApiHandler = {
  key: 9,
  name: 'OffsetFetch',
  version: 4,
  handle(r, { state }) {
    const groupId = r.string();
    const requested = r.nullableArray((r) => ({
      topic: r.string(),
      partitions: r.array((r) => r.int32()),
    }));
    const topics = requested ?? committedTopics(state.offsets.ofGroup(groupId));
    return new Writer()
      .int32(0)
      .array(topics, (w, t) =>
        w.string(t.topic).array(t.partitions, (w, partition) => {
          const committed = state.offsets.get(groupId, t.topic, partition);
          w.int32(partition)
            .int64(committed?.offset ?? -1)
            .string(committed?.metadata ?? '')
            .int16(KafkaErrorCode.NONE);
        }),
      )
      .int16(KafkaErrorCode.NONE);
  },
};

function committedTopics(offsets: Array<{ topic: string; partition: number }>) {
  const byTopic = new Map<string, number[]>();
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
