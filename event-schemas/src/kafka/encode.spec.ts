import { describe, expect, it } from 'vitest';
import { eventTypes } from '../catalog.js';
import { createEvent } from '../create.js';
import { EventSchemaError } from '../errors.js';
import type { EventEnvelope } from '../types.js';
import { toKafkaMessage } from './encode.js';

const event = createEvent(
  eventTypes.BatchCreated,
  { ref: 'batch-1', sku: 'RED-CHAIR', qty: 20, eta: '2024-06-01' },
  {
    id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
    source: '/legacy/postgres/shop',
    time: '2024-05-01T12:00:00Z',
    sourceposition: '0/16B3748',
    sourcetx: '771',
    causationid: 'cmd-1',
    correlationid: 'req-1',
    dataschema: 'https://schemas.example.com/batch_created.v1.json',
  },
);

function thrown(run: () => unknown): EventSchemaError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventSchemaError) return error;
    throw error;
  }
  throw new Error('expected an EventSchemaError');
}

describe('toKafkaMessage', () => {
  it('maps the event to binary content mode: key, JSON value, ce_ headers and content-type', () => {
    expect(toKafkaMessage(event)).toEqual({
      key: 'RED-CHAIR',
      value: '{"ref":"batch-1","sku":"RED-CHAIR","qty":20,"eta":"2024-06-01"}',
      headers: {
        ce_specversion: '1.0',
        ce_id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
        ce_source: '/legacy/postgres/shop',
        ce_type: 'io.strangler.allocation.batch_created.v1',
        ce_time: '2024-05-01T12:00:00Z',
        ce_subject: 'RED-CHAIR',
        ce_dataschema: 'https://schemas.example.com/batch_created.v1.json',
        ce_partitionkey: 'RED-CHAIR',
        ce_sourceposition: '0/16B3748',
        ce_sourcetx: '771',
        ce_causationid: 'cmd-1',
        ce_correlationid: 'req-1',
        'content-type': 'application/json',
      },
    });
  });

  it('leaves out headers of attributes the event does not have', () => {
    const bare = createEvent(
      eventTypes.ProductCreated,
      { sku: 'S' },
      {
        id: 'e',
        source: '/s',
        time: '2024-05-01T12:00:00Z',
      },
    );
    expect(Object.keys(toKafkaMessage(bare).headers)).toEqual([
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_type',
      'ce_time',
      'ce_subject',
      'ce_partitionkey',
      'content-type',
    ]);
  });

  it('refuses an envelope with an attribute the catalog does not know', () => {
    const error = thrown(() => toKafkaMessage({ ...event, traceparent: 'x' } as EventEnvelope));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe('Cannot encode event for Kafka: traceparent: is not a known field');
  });

  it('refuses an envelope without partitionkey, since it is the Kafka key', () => {
    const { partitionkey: _key, ...rest } = event;
    const error = thrown(() => toKafkaMessage(rest as EventEnvelope));
    expect(error.message).toBe('Cannot encode event for Kafka: partitionkey: is required');
    expect(error.details.eventId).toBe(event.id);
  });

  it('refuses data that cannot be written as JSON', () => {
    const error = thrown(() => toKafkaMessage({ ...event, data: { qty: 10n } } as EventEnvelope));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      'Cannot encode event for Kafka: data: is not JSON-serialisable (Do not know how to serialize a BigInt)',
    );
    const noJson = thrown(() => toKafkaMessage({ ...event, data: () => 1 } as EventEnvelope));
    expect(noJson.message).toBe('Cannot encode event for Kafka: data: is not JSON-serialisable');
  });
});
