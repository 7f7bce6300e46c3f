import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import { topicNameProblem } from '../storage/topic-name.js';
import type { BrokerState } from '../server/state.js';
import type { ApiHandler } from './api.js';

interface CreateRequest {
  topic: string;
  partitions: number;
  replicationFactor: number;
  assignments: number;
  configs: Record<string, string | null>;
}

/** CreateTopics v3. -1 partitions or replication factor take the broker defaults, as in Kafka 2.4+. */
export const createTopics: ApiHandler = {
  key: 19,
  name: 'CreateTopics',
  version: 3,
  handle(r, { state }) {
    const requests = r.array<CreateRequest>((r) => ({
      topic: r.string(),
      partitions: r.int32(),
      replicationFactor: r.int16(),
      assignments: r.array((r) => [r.int32(), r.array((r) => r.int32())]).length,
      configs: Object.fromEntries(r.array((r) => [r.string(), r.nullableString()] as const)),
    }));
    r.int32(); // timeout
    const validateOnly = r.bool();
    return new Writer().int32(0).array(requests, (w, req) => {
      const [error, message] = create(state, req, validateOnly);
      w.string(req.topic).int16(error).string(message);
    });
  },
};

function create(
  state: BrokerState,
  req: CreateRequest,
  validateOnly: boolean,
): [KafkaErrorCode, string | null] {
  const problem = topicNameProblem(req.topic);
  if (problem) return [KafkaErrorCode.INVALID_TOPIC_EXCEPTION, problem];
  if (state.topics.get(req.topic))
    return [KafkaErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${req.topic}' already exists.`];
  const partitions =
    req.assignments > 0
      ? req.assignments
      : req.partitions === -1
        ? state.options.partitions
        : req.partitions;
  if (partitions < 1)
    return [
      KafkaErrorCode.INVALID_PARTITIONS,
      `Number of partitions must be larger than 0; got ${req.partitions}.`,
    ];
  if (req.replicationFactor !== -1 && req.replicationFactor !== 1 && req.assignments === 0) {
    return [
      KafkaErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${req.replicationFactor} larger than available brokers: 1.`,
    ];
  }
  if (!validateOnly) state.topics.create(req.topic, partitions, req.configs);
  return [KafkaErrorCode.NONE, null];
}

/** DeleteTopics v1: removes the log and the committed offsets of the topic. */
export const deleteTopics: ApiHandler = {
  key: 20,
  name: 'DeleteTopics',
  version: 1,
  handle(r, { state }) {
    const names = r.array((r) => r.string());
    r.int32(); // timeout
    return new Writer().int32(0).array(names, (w, name) => {
      if (!state.topics.get(name)) {
        w.string(name).int16(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        return;
      }
      state.topics.delete(name);
      state.offsets.deleteTopic(name);
      state.producers.forgetTopic(name);
      w.string(name).int16(KafkaErrorCode.NONE);
    });
  },
};
