import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import { topicOrError } from '../server/state.js';
import type { ApiHandler } from './api.js';

/** Metadata v6: this node, as controller and leader of every partition; auto-creates when allowed. */
export const metadata: ApiHandler = {
  key: 3,
  name: 'Metadata',
  version: 6,
  handle(r, { state }) {
    const requested = r.nullableArray((r) => r.string());
    const allowCreate = r.bool();
    const names = requested ?? state.topics.all().map((t) => t.name);
    const { nodeId, advertisedHost } = state.options;
    const w = new Writer()
      .int32(0) // throttle_time_ms
      .array([nodeId], (w, id) => w.int32(id).string(advertisedHost).int32(state.port).string(null))
      .string(state.clusterId)
      .int32(nodeId);
    w.array(names, (w, name) => {
      const topic = topicOrError(state, name, allowCreate);
      if (typeof topic === 'number') {
        w.int16(topic).string(name).bool(false).int32(0);
        return;
      }
      w.int16(KafkaErrorCode.NONE).string(name).bool(false);
      w.array(topic.partitions, (w, p) =>
        w
          .int16(KafkaErrorCode.NONE)
          .int32(p.partition)
          .int32(nodeId)
          .array([nodeId], (w, n) => w.int32(n))
          .array([nodeId], (w, n) => w.int32(n))
          .array([], () => {}),
      );
    });
    return w;
  },
};
