export { startBroker } from './server/broker.js';
export { EmbeddedKafkaError, KafkaErrorCode, type EmbeddedKafkaErrorCode } from './errors.js';
export type { Broker, BrokerOptions, LogLevel, Logger } from './types.js';
