// Public API of @strangler/event-schemas: define events and catalogs (the user's own), the
// CloudEvents envelope, deterministic ids and the Kafka codec. Knows no domain.
export { defineCatalog, isCatalog } from './catalog.js';
export { defineEvent, EVENT_TYPE_PATTERN, type EventSpec } from './define.js';
export {
  ATTRIBUTE_NAME,
  consumedEnvelopeSchema,
  MAX_ATTRIBUTE_NAME_LENGTH,
  producedEnvelopeSchema,
} from './envelope.js';
export { EventSchemaError } from './errors.js';
export * as fields from './fields.js';
export {
  deterministicEventId,
  DNS_NAMESPACE,
  EVENT_ID_NAMESPACE,
  URL_NAMESPACE,
  uuidV5,
} from './ids.js';
export { fromKafkaMessage } from './kafka/decode.js';
export type * from './types.js';
