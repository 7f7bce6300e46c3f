import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

const LATEST = -1;
const EARLIEST = -2;

/** ListOffsets v3: -1 is the high watermark, -2 the log start, any other value a timestamp. */
export const listOffsets: ApiHandler = {
  key: 2,
  name: 'ListOffsets',
  version: 3,
  handle(r, { state }) {
    r.int32(); // replica id
    r.int8(); // isolation level
    const topics = r.array((r) => ({
      topic: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })),
    }));
    return new Writer().int32(0).array(topics, (w, t) =>
      w.string(t.topic).array(t.partitions, (w, { partition, timestamp }) => {
        const log = state.topics.partition(t.topic, partition);
        w.int32(partition);
        if (!log) {
          w.int16(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
        } else if (timestamp === LATEST) {
          w.int16(KafkaErrorCode.NONE).int64(-1).int64(log.nextOffset);
        } else if (timestamp === EARLIEST) {
          w.int16(KafkaErrorCode.NONE).int64(-1).int64(log.logStartOffset);
        } else {
          const found = log.offsetForTimestamp(timestamp);
          w.int16(KafkaErrorCode.NONE)
            .int64(found?.timestamp ?? -1)
            .int64(found?.offset ?? -1);
        }
      }),
    );
  },
};
