import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/**
 * OffsetCommit v5. Generation -1 with an empty member id is a commit from outside group management
 * (kafkajs admin.setOffsets), accepted only while the group has no members, as in Kafka.
 */
export const offsetCommit: ApiHandler = {
  key: 8,
  name: 'OffsetCommit',
  version: 5,
  handle(r, { state }) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    const topics = r.array((r) => ({
      topic: r.string(),
      partitions: r.array((r) => ({
        partition: r.int32(),
        offset: r.int64(),
        metadata: r.nullableString(),
      })),
    }));
    const flat = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
    const errors = state.coordinator.commit(groupId, generationId, memberId, flat);
    let i = 0;
    return new Writer()
      .int32(0)
      .array(topics, (w, t) =>
        w.string(t.topic).array(t.partitions, (w, p) => w.int32(p.partition).int16(errors[i++]!)),
      );
  },
};
