import type { AnyEventDefinition } from '../../types.js';

const text = (description: string) => ({ type: 'string', minLength: 1, description });

/**
 * The Kafka headers of one event type in the CloudEvents binary content mode, as JSON Schema:
 * each attribute as a `ce_<name>` header, and the content type.
 */
export function ceHeadersSchema(definition: AnyEventDefinition): Record<string, unknown> {
  const aggregate = `The ${definition.aggregate} id (the aggregate id, equal to the Kafka key).`;
  return {
    type: 'object',
    properties: {
      ce_specversion: { type: 'string', const: '1.0', description: 'CloudEvents version.' },
      ce_id: text('Event id; ce_source + ce_id is the deduplication key.'),
      ce_source: text('The producer, a URI-reference such as /legacy/postgres/shop.'),
      ce_type: { type: 'string', const: definition.type, description: 'The event type.' },
      ce_time: {
        type: 'string',
        format: 'date-time',
        description: 'When the change happened (RFC 3339 with an offset).',
      },
      ce_subject: text(aggregate),
      ce_partitionkey: text(aggregate),
      ce_dataschema: { type: 'string', format: 'uri', description: 'Schema of the data.' },
      ce_sourceposition: text('Where in the source the change came from, e.g. a commit LSN.'),
      ce_sourcetx: text('The source transaction id.'),
      ce_causationid: text('The id of the event or command that caused this event.'),
      ce_correlationid: text('An id shared by the events of one business flow.'),
      'content-type': {
        type: 'string',
        const: 'application/json',
        description: 'Media type of the value (the event data).',
      },
    },
    required: [
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_type',
      'ce_time',
      'ce_partitionkey',
      'content-type',
    ],
  };
}
