import { describe, expect, it } from 'vitest';
import { eventTypes } from './catalog.js';
import { createEvent } from './create.js';
import { EventSchemaError } from './errors.js';
import { toKafkaMessage } from './kafka/encode.js';
import type { CreateEventAttributes } from './types.js';

const attributes: CreateEventAttributes = {
  id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
  source: '/legacy/postgres/shop',
  time: '2024-05-01T12:00:00.123456Z',
};

function thrown(run: () => unknown): EventSchemaError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventSchemaError) return error;
    throw error;
  }
  throw new Error('expected an EventSchemaError');
}

describe('createEvent', () => {
  it('builds a CloudEvents 1.0 envelope keyed and subjected by the sku', () => {
    const event = createEvent(
      'io.strangler.allocation.allocated.v1',
      { orderid: 'order-1', sku: 'RED-CHAIR', qty: 3, batchref: 'batch-1' },
      { ...attributes, sourceposition: '0/16B3748', sourcetx: '771', correlationid: 'req-9' },
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: attributes.id,
      source: '/legacy/postgres/shop',
      type: 'io.strangler.allocation.allocated.v1',
      subject: 'RED-CHAIR',
      time: '2024-05-01T12:00:00.123456Z',
      datacontenttype: 'application/json',
      sourceposition: '0/16B3748',
      sourcetx: '771',
      correlationid: 'req-9',
      partitionkey: 'RED-CHAIR',
      data: { orderid: 'order-1', sku: 'RED-CHAIR', qty: 3, batchref: 'batch-1' },
    });
  });

  it('returns a frozen event, so what was validated stays valid until it is encoded', () => {
    const event = createEvent(
      'io.strangler.allocation.product_created.v1',
      { sku: 'RED-CHAIR' },
      attributes,
    );
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.data)).toBe(true);
    expect(() => {
      (event.data as { sku: string }).sku = 'bad sku with spaces';
    }).toThrow(TypeError);
    const copy = { ...event, data: { ...event.data } };
    expect(toKafkaMessage(event)).toEqual(toKafkaMessage(copy));
  });

  it('omits optional attributes that were not given (no undefined keys)', () => {
    const event = createEvent(eventTypes.ProductCreated, { sku: 'S' }, attributes);
    expect(Object.keys(event)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'partitionkey',
      'data',
    ]);
  });

  it('writes a Date time as its ISO string', () => {
    const time = new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 5));
    const event = createEvent(eventTypes.ProductCreated, { sku: 'S' }, { ...attributes, time });
    expect(event.time).toBe('2024-05-01T12:00:00.005Z');
  });

  it('refuses an unknown field in data, so a typo in a mapping fails at the producer', () => {
    const error = thrown(() =>
      createEvent(
        eventTypes.BatchQuantityChanged,
        { ref: 'b', sku: 's', qty: 1, quantity: 1 } as never,
        attributes,
      ),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      'Cannot create io.strangler.allocation.batch_quantity_changed.v1: data.quantity: is not a known field',
    );
  });

  it('refuses invalid data, naming the field, the rule and the value', () => {
    const error = thrown(() =>
      createEvent(
        eventTypes.BatchCreated,
        { ref: 'b', sku: 's', qty: -1, eta: '2024-13-01' },
        attributes,
      ),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details).toMatchObject({
      eventType: 'io.strangler.allocation.batch_created.v1',
      eventId: attributes.id,
      eventSource: attributes.source,
      path: 'data.qty',
    });
    expect(error.details.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'data.qty: must be >= 0 (got -1)',
      'data.eta: must be a date YYYY-MM-DD or null (got "2024-13-01")',
    ]);
  });

  it.each([
    [
      { time: '2024-05-01 12:00:00' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "2024-05-01 12:00:00")',
    ],
    [
      { time: '2024-05-01T12:00:00' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "2024-05-01T12:00:00")',
    ],
    [
      { time: new Date(Number.NaN) },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "Invalid Date")',
    ],
    [{ id: '' }, 'id: must not be empty (got "")'],
    [
      { source: 'shop db' },
      'source: must be an RFC 3986 URI-reference, e.g. /legacy/postgres/shop or urn:shop:legacy (got "shop db")',
    ],
    [{ source: '' }, 'source: must not be empty (got "")'],
    [
      { dataschema: '/schemas/a.json' },
      'dataschema: must be an absolute RFC 3986 URI, e.g. https://example.com/schemas/batch.json (got "/schemas/a.json")',
    ],
    [{ sourceposition: '' }, 'sourceposition: must not be empty (got "")'],
  ])('refuses the attribute %j with INVALID_ENVELOPE', (change, problem) => {
    const error = thrown(() =>
      createEvent(eventTypes.ProductCreated, { sku: 'S' }, { ...attributes, ...change }),
    );
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(
      `Cannot create io.strangler.allocation.product_created.v1: ${problem}`,
    );
  });

  it('refuses subject and partitionkey: both are the aggregate id, set from the data', () => {
    const error = thrown(() =>
      createEvent(eventTypes.ProductCreated, { sku: 'S' }, {
        ...attributes,
        partitionkey: 'other',
      } as CreateEventAttributes),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'Cannot create io.strangler.allocation.product_created.v1: partitionkey: is set by createEvent to the aggregate id and cannot be given',
    );
  });

  it('refuses an attribute the catalog does not know, listing the accepted ones', () => {
    const error = thrown(() =>
      createEvent(eventTypes.ProductCreated, { sku: 'S' }, {
        ...attributes,
        traceparent: '00-x',
      } as CreateEventAttributes),
    );
    expect(error.message).toBe(
      'Cannot create io.strangler.allocation.product_created.v1: traceparent: is not an attribute of this catalog (accepted: id, source, time, dataschema, sourceposition, sourcetx, causationid, correlationid)',
    );
  });

  it('refuses a type that is not in the catalog', () => {
    const error = thrown(() =>
      createEvent(
        'io.strangler.allocation.batch_deleted.v1' as never,
        { sku: 'S' } as never,
        attributes,
      ),
    );
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe(
      'Cannot create event: type: "io.strangler.allocation.batch_deleted.v1" is not in the event catalog',
    );
  });
});
