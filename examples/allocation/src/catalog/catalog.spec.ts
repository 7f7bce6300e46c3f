import {
  EVENT_TYPE_PATTERN,
  EventSchemaError,
  type CatalogEventData,
  type EventEnvelope,
} from '@strangler/event-schemas';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type {
  allocatedV1Data,
  batchCreatedV1Data,
  batchEtaChangedV1Data,
  batchQuantityChangedV1Data,
  deallocatedV1Data,
  productCreatedV1Data,
} from './data.js';
import catalog, {
  allocatedV1,
  allocationCatalog,
  batchCreatedV1,
  batchEtaChangedV1,
  batchQuantityChangedV1,
  deallocatedV1,
  productCreatedV1,
  type AllocatedData,
  type AllocationDraft,
  type AllocationEvent,
  type BatchCreatedData,
} from './index.js';

type Allocation = typeof allocationCatalog;
const { createEvent, parseEvent, parseKafkaMessage, toKafkaMessage, types } = allocationCatalog;
const definitions = [
  productCreatedV1,
  batchCreatedV1,
  batchQuantityChangedV1,
  batchEtaChangedV1,
  allocatedV1,
  deallocatedV1,
];
const attributes = { id: 'e-1', source: '/legacy/postgres/shop', time: '2024-05-01T12:00:00Z' };

/** What a consumer is told about `data` of `type`, as `path: message` lines (reader schema). */
function problems(type: string, data: unknown): string[] {
  const result = parseEvent({ specversion: '1.0', ...attributes, type, data });
  if (result.ok) return [];
  expect(result.error.code).toBe('INVALID_DATA');
  return result.error.details.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

/** What a producer is told about `data` of `type` (writer schema: unknown fields refused). */
function writeProblems(type: string, data: unknown): string[] {
  try {
    createEvent(type as never, data as never, attributes);
    return [];
  } catch (error) {
    if (!(error instanceof EventSchemaError)) throw error;
    expect(error.code).toBe('INVALID_DATA');
    return error.details.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

describe('the allocation catalog', () => {
  it('is the default export, named for the generated documents', () => {
    expect(catalog).toBe(allocationCatalog);
    expect(allocationCatalog.name).toBe('allocation');
    expect(allocationCatalog.definitions).toEqual(definitions);
  });

  it('has one current version of each of the six events', () => {
    expect(types).toEqual({
      ProductCreated: 'io.strangler.allocation.product_created.v1',
      BatchCreated: 'io.strangler.allocation.batch_created.v1',
      BatchQuantityChanged: 'io.strangler.allocation.batch_quantity_changed.v1',
      BatchEtaChanged: 'io.strangler.allocation.batch_eta_changed.v1',
      Allocated: 'io.strangler.allocation.allocated.v1',
      Deallocated: 'io.strangler.allocation.deallocated.v1',
    });
  });
});

describe('every allocation event', () => {
  const each = definitions.map((d) => [d.name, d] as const);

  it.each(each)('%s is a reverse-DNS type about the Product aggregate', (_name, d) => {
    expect(d.type).toMatch(EVENT_TYPE_PATTERN);
    expect(d.aggregate).toBe('Product');
    expect(d.description).not.toBe('');
  });

  it.each(each)('%s accepts its example when reading and when writing', (_name, d) => {
    expect(problems(d.type, d.example)).toEqual([]);
    expect(writeProblems(d.type, d.example)).toEqual([]);
  });

  it.each(each)('%s accepts data without the optional product version', (_name, d) => {
    const { version: _version, ...rest } = d.example as { version?: number };
    expect(writeProblems(d.type, rest)).toEqual([]);
  });

  it.each(each)('%s drops unknown fields when reading but refuses them when writing', (_n, d) => {
    const withExtra = { ...d.example, addedLater: 'x' };
    const read = parseEvent({ specversion: '1.0', ...attributes, type: d.type, data: withExtra });
    expect(read.ok && read.event.data).toEqual(d.example);
    expect(writeProblems(d.type, withExtra)).toEqual(['data.addedLater: is not a known field']);
  });

  it.each(each)('%s names every missing required field', (_name, d) => {
    const required = Object.keys(d.example).filter((field) => field !== 'version');
    expect(problems(d.type, {})).toEqual(required.map((field) => `data.${field}: is required`));
  });

  it.each(each)('%s keys the event by sku: Kafka key, subject and partitionkey', (_name, d) => {
    expect(d.aggregateId(d.example as never)).toBe('RED-CHAIR');
    const event = createEvent(d.type as never, d.example as never, attributes) as EventEnvelope;
    expect([event.subject, event.partitionkey]).toEqual(['RED-CHAIR', 'RED-CHAIR']);
  });

  it.each(each)('%s refuses a bad sku and a bad product version', (_name, d) => {
    expect(problems(d.type, { ...d.example, sku: '' })).toEqual([
      'data.sku: must not be empty (got "")',
    ]);
    expect(problems(d.type, { ...d.example, sku: 42 })).toEqual([
      'data.sku: must be a string (got 42)',
    ]);
    expect(problems(d.type, { ...d.example, version: -1 })).toEqual([
      'data.version: must be >= 0 (got -1)',
    ]);
    expect(problems(d.type, { ...d.example, version: 1.5 })).toEqual([
      'data.version: must be an integer (got 1.5)',
    ]);
    expect(problems(d.type, { ...d.example, version: null })).toEqual([
      'data.version: must be an integer (got null)',
    ]);
  });

  it.each(each)('%s refuses data that is not an object', (_name, d) => {
    expect(problems(d.type, 'RED-CHAIR')).toEqual([
      'data: Invalid input: expected object, received string (got "RED-CHAIR")',
    ]);
    expect(problems(d.type, null)).toEqual([
      'data: Invalid input: expected object, received null (got null)',
    ]);
  });

  it.each(each)('%s exports to draft-07 JSON Schema in both directions', (_name, d) => {
    const reader = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'input' });
    const writer = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'output' });
    expect(reader).toMatchObject({ type: 'object', title: `${d.name} v1` });
    expect(writer).toMatchObject({ additionalProperties: false });
    expect(Object.keys(reader.properties ?? {})).toEqual(Object.keys(d.example));
  });

  it.each(each)('%s survives toKafkaMessage -> parseKafkaMessage unchanged', (_name, d) => {
    const event = createEvent(d.type as never, d.example as never, attributes) as EventEnvelope;
    expect(parseKafkaMessage(toKafkaMessage(event))).toEqual({ ok: true, event, extensions: {} });
  });
});

describe('BatchCreated v1', () => {
  const type = types.BatchCreated;
  const valid = batchCreatedV1.example;

  it('accepts qty 0 and a null eta (stock already in the warehouse)', () => {
    expect(problems(type, { ...valid, qty: 0, eta: null })).toEqual([]);
  });

  it('accepts 29 February of a leap year', () => {
    expect(problems(type, { ...valid, eta: '2024-02-29' })).toEqual([]);
  });

  it.each([
    [{ qty: -1 }, 'data.qty: must be >= 0 (got -1)'],
    [{ qty: 1.5 }, 'data.qty: must be an integer (got 1.5)'],
    [{ qty: '5' }, 'data.qty: must be an integer (got "5")'],
    [{ qty: 2 ** 53 }, 'data.qty: must be an integer (got 9007199254740992)'],
    [{ eta: '2023-02-29' }, 'data.eta: must be a date YYYY-MM-DD or null (got "2023-02-29")'],
    [
      { eta: '2024-06-01T00:00:00Z' },
      'data.eta: must be a date YYYY-MM-DD or null (got "2024-06-01T00:00:00Z")',
    ],
    [{ eta: '01/06/2024' }, 'data.eta: must be a date YYYY-MM-DD or null (got "01/06/2024")'],
    [{ eta: undefined }, 'data.eta: is required'],
    [{ ref: '' }, 'data.ref: must not be empty (got "")'],
  ])('refuses %j', (change, problem) => {
    expect(problems(type, { ...valid, ...change })).toEqual([problem]);
  });
});

describe('BatchQuantityChanged v1', () => {
  it('accepts a quantity of 0', () => {
    expect(problems(types.BatchQuantityChanged, { ref: 'b', sku: 's', qty: 0 })).toEqual([]);
  });

  it('refuses a negative quantity and a missing ref', () => {
    expect(problems(types.BatchQuantityChanged, { sku: 's', qty: -3 })).toEqual([
      'data.ref: is required',
      'data.qty: must be >= 0 (got -3)',
    ]);
  });
});

describe('BatchEtaChanged v1', () => {
  const type = types.BatchEtaChanged;

  it('accepts a date and null', () => {
    expect(problems(type, { ref: 'b', sku: 's', eta: '2030-12-31' })).toEqual([]);
    expect(problems(type, { ref: 'b', sku: 's', eta: null })).toEqual([]);
  });

  it('refuses an impossible date and a missing eta', () => {
    expect(problems(type, { ref: 'b', sku: 's', eta: '2024-04-31' })).toEqual([
      'data.eta: must be a date YYYY-MM-DD or null (got "2024-04-31")',
    ]);
    expect(problems(type, { ref: 'b', sku: 's' })).toEqual(['data.eta: is required']);
  });
});

describe.each([
  ['Allocated v1', types.Allocated],
  ['Deallocated v1', types.Deallocated],
])('%s', (_name, type) => {
  const valid = { orderid: 'o1', sku: 's', qty: 1, batchref: 'b1' };

  it('accepts a line of quantity 1', () => {
    expect(problems(type, valid)).toEqual([]);
  });

  it.each([
    [{ qty: 0 }, 'data.qty: must be >= 1 (got 0)'],
    [{ qty: -5 }, 'data.qty: must be >= 1 (got -5)'],
    [{ orderid: '' }, 'data.orderid: must not be empty (got "")'],
    [{ batchref: undefined }, 'data.batchref: is required'],
    [{ batchref: 7 }, 'data.batchref: must be a string (got 7)'],
  ])('refuses %j', (change, problem) => {
    expect(problems(type, { ...valid, ...change })).toEqual([problem]);
  });
});

describe('ProductCreated v1', () => {
  it('accepts a bare sku', () => {
    expect(problems(types.ProductCreated, { sku: 'RED-CHAIR' })).toEqual([]);
  });
});

/** The new service's projection: the compiler proves every allocation event is handled. */
function describeEvent(event: AllocationEvent): string {
  switch (event.type) {
    case types.ProductCreated:
      return `product ${event.data.sku}`;
    case types.BatchCreated:
      return `batch ${event.data.ref} of ${event.data.qty} due ${event.data.eta ?? 'now'}`;
    case types.BatchQuantityChanged:
      return `batch ${event.data.ref} now ${event.data.qty}`;
    case types.BatchEtaChanged:
      return `batch ${event.data.ref} due ${event.data.eta ?? 'now'}`;
    case types.Allocated:
      return `${event.data.orderid} -> ${event.data.batchref}`;
    case types.Deallocated:
      return `${event.data.orderid} <- ${event.data.batchref}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

describe('the allocation types', () => {
  it('narrow data by type in an exhaustive switch', () => {
    const event = createEvent(types.Allocated, allocatedV1.example, attributes);
    expect(describeEvent(event)).toBe('order-42 -> batch-001');
    const drafts: AllocationDraft[] = [
      { type: types.ProductCreated, data: { sku: 'S' } },
      { type: types.BatchCreated, data: { ref: 'b', sku: 'S', qty: 2, eta: null } },
    ];
    const described = drafts.map((draft) => {
      const result = parseEvent({ specversion: '1.0', ...attributes, ...draft });
      if (!result.ok) throw result.error;
      return describeEvent(result.event);
    });
    expect(described).toEqual(['product S', 'batch b of 2 due now']);
  });

  it('are inferred from the data schemas (checked by tsc)', () => {
    expectTypeOf<BatchCreatedData>().toEqualTypeOf<z.output<typeof batchCreatedV1Data>>();
    expectTypeOf<BatchCreatedData>().toEqualTypeOf<{
      ref: string;
      sku: string;
      qty: number;
      eta: string | null;
      version?: number | undefined;
    }>();
    expectTypeOf<AllocatedData>().toEqualTypeOf<z.output<typeof allocatedV1Data>>();
    expectTypeOf<CatalogEventData<Allocation, typeof types.ProductCreated>>().toEqualTypeOf<
      z.output<typeof productCreatedV1Data>
    >();
    expectTypeOf<CatalogEventData<Allocation, typeof types.BatchQuantityChanged>>().toEqualTypeOf<
      z.output<typeof batchQuantityChangedV1Data>
    >();
    expectTypeOf<CatalogEventData<Allocation, typeof types.BatchEtaChanged>>().toEqualTypeOf<
      z.output<typeof batchEtaChangedV1Data>
    >();
    expectTypeOf<CatalogEventData<Allocation, typeof types.Deallocated>>().toEqualTypeOf<
      z.output<typeof deallocatedV1Data>
    >();
    expect(definitions).toHaveLength(6);
  });
});
