import { KafkaErrorCode } from '../errors.js';
import type { Coordinator } from '../groups/coordinator.js';
import type { ResolvedOptions } from '../options.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { ProducerState } from '../storage/producer-state.js';
import { topicNameProblem } from '../storage/topic-name.js';
import type { Topic, TopicStore } from '../storage/topic-store.js';
import type { Logger } from '../types.js';

/** Everything request handlers share. */
export interface BrokerState {
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly clusterId: string;
  /** The bound port, advertised to clients. */
  port: number;
  readonly topics: TopicStore;
  readonly offsets: OffsetStore;
  readonly producers: ProducerState;
  readonly coordinator: Coordinator;
}

/**
 * The topic, auto-created when the broker allows it and the request asked for it; otherwise the
 * Kafka error a client expects.
 */
export function topicOrError(
  state: BrokerState,
  name: string,
  allowCreate: boolean,
): Topic | KafkaErrorCode {
  const existing = state.topics.get(name);
  if (existing) return existing;
  if (topicNameProblem(name)) return KafkaErrorCode.INVALID_TOPIC_EXCEPTION;
  if (!allowCreate || !state.options.autoCreateTopics)
    return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  return state.topics.create(name, state.options.partitions);
}
