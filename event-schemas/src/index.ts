// Public API of @strangler/event-schemas: the CloudEvents envelope, the event catalog, building
// and parsing events, deterministic ids and the Kafka codec.
export {
  currentEvents,
  eventCatalog,
  eventDefinitions,
  eventTypes,
  findDefinition,
} from './catalog.js';
export { createEvent } from './create.js';
export { defineEvent, EVENT_TYPE_PATTERN } from './define.js';
export {
  ATTRIBUTE_NAME,
  consumedEnvelopeSchema,
  MAX_ATTRIBUTE_NAME_LENGTH,
  producedEnvelopeSchema,
} from './envelope.js';
export { EventSchemaError } from './errors.js';
export {
  allocatedV1,
  batchCreatedV1,
  batchEtaChangedV1,
  batchQuantityChangedV1,
  deallocatedV1,
  productCreatedV1,
} from './events/allocation.js';
export {
  deterministicEventId,
  DNS_NAMESPACE,
  EVENT_ID_NAMESPACE,
  URL_NAMESPACE,
  uuidV5,
} from './ids.js';
export { fromKafkaMessage } from './kafka/decode.js';
export { toKafkaMessage } from './kafka/encode.js';
export { parseKafkaMessage } from './kafka/parse-message.js';
export { parseEvent } from './parse.js';
export type * from './types.js';
