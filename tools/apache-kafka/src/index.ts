export { startApacheKafka } from './cluster.js';
export { fetchKafka, kafkaVersion, defaultCacheDir } from './fetch.js';
export { ApacheKafkaError, type ApacheKafkaErrorCode } from './errors.js';
export type { ApacheKafka, ApacheKafkaNode, ApacheKafkaOptions } from './types.js';
