import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { toEventIssues } from '../issues.js';
import type {
  AllocatedV1Data,
  BatchCreatedV1Data,
  BatchEtaChangedV1Data,
  BatchQuantityChangedV1Data,
  DeallocatedV1Data,
  ProductCreatedV1Data,
} from '../types.js';
import {
  allocatedV1,
  batchCreatedV1,
  batchEtaChangedV1,
  batchQuantityChangedV1,
  deallocatedV1,
  productCreatedV1,
} from './allocation.js';
import {
  allocatedV1Data,
  batchCreatedV1Data,
  batchEtaChangedV1Data,
  batchQuantityChangedV1Data,
  deallocatedV1Data,
  productCreatedV1Data,
} from './allocation-data.js';

/** The issues a schema reports for `data`, as `path: message` lines. */
function problems(schema: z.ZodType, data: unknown): string[] {
  const result = schema.safeParse(data);
  if (result.success) return [];
  return toEventIssues(result.error, data, ['data']).map(
    (issue) => `${issue.path}: ${issue.message}`,
  );
}

const definitions = [
  productCreatedV1,
  batchCreatedV1,
  batchQuantityChangedV1,
  batchEtaChangedV1,
  allocatedV1,
  deallocatedV1,
];

describe('every allocation event', () => {
  it.each(definitions.map((d) => [d.name, d] as const))('%s accepts its example', (_name, d) => {
    expect(problems(d.schema, d.example)).toEqual([]);
    expect(problems(d.strictSchema, d.example)).toEqual([]);
  });

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s accepts data without the optional product version',
    (_name, d) => {
      const { version: _version, ...rest } = d.example as { version?: number };
      expect(problems(d.strictSchema, rest)).toEqual([]);
    },
  );

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s drops unknown fields when reading but refuses them when writing',
    (_name, d) => {
      const withExtra = { ...d.example, addedLater: 'x' };
      expect(d.schema.parse(withExtra)).toEqual(d.example);
      expect(problems(d.strictSchema, withExtra)).toEqual([
        'data.addedLater: is not a known field',
      ]);
    },
  );

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s names every missing required field',
    (_name, d) => {
      const required = Object.keys(d.example).filter((field) => field !== 'version');
      expect(problems(d.schema, {})).toEqual(required.map((field) => `data.${field}: is required`));
    },
  );

  it.each(definitions.map((d) => [d.name, d] as const))('%s keys the event by sku', (_name, d) => {
    expect(d.aggregateId(d.example as never)).toBe('RED-CHAIR');
  });

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s refuses a bad sku and a bad product version',
    (_name, d) => {
      expect(problems(d.schema, { ...d.example, sku: '' })).toEqual([
        'data.sku: must not be empty (got "")',
      ]);
      expect(problems(d.schema, { ...d.example, sku: 42 })).toEqual([
        'data.sku: must be a string (got 42)',
      ]);
      expect(problems(d.schema, { ...d.example, version: -1 })).toEqual([
        'data.version: must be >= 0 (got -1)',
      ]);
      expect(problems(d.schema, { ...d.example, version: 1.5 })).toEqual([
        'data.version: must be an integer (got 1.5)',
      ]);
      expect(problems(d.schema, { ...d.example, version: null })).toEqual([
        'data.version: must be an integer (got null)',
      ]);
    },
  );

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s refuses data that is not an object',
    (_n, d) => {
      expect(problems(d.schema, 'RED-CHAIR')).toEqual([
        'data: Invalid input: expected object, received string (got "RED-CHAIR")',
      ]);
      expect(problems(d.schema, null)).toEqual([
        'data: Invalid input: expected object, received null (got null)',
      ]);
    },
  );
});

describe('BatchCreated v1', () => {
  const valid = batchCreatedV1.example;

  it('accepts qty 0 and a null eta (stock already in the warehouse)', () => {
    expect(problems(batchCreatedV1Data, { ...valid, qty: 0, eta: null })).toEqual([]);
  });

  it('accepts 29 February of a leap year', () => {
    expect(problems(batchCreatedV1Data, { ...valid, eta: '2024-02-29' })).toEqual([]);
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
    expect(problems(batchCreatedV1Data, { ...valid, ...change })).toEqual([problem]);
  });
});

describe('BatchQuantityChanged v1', () => {
  it('accepts a quantity of 0', () => {
    expect(problems(batchQuantityChangedV1Data, { ref: 'b', sku: 's', qty: 0 })).toEqual([]);
  });

  it('refuses a negative quantity and a missing ref', () => {
    expect(problems(batchQuantityChangedV1Data, { sku: 's', qty: -3 })).toEqual([
      'data.ref: is required',
      'data.qty: must be >= 0 (got -3)',
    ]);
  });
});

describe('BatchEtaChanged v1', () => {
  it('accepts a date and null', () => {
    expect(problems(batchEtaChangedV1Data, { ref: 'b', sku: 's', eta: '2030-12-31' })).toEqual([]);
    expect(problems(batchEtaChangedV1Data, { ref: 'b', sku: 's', eta: null })).toEqual([]);
  });

  it('refuses an impossible date and a missing eta', () => {
    expect(problems(batchEtaChangedV1Data, { ref: 'b', sku: 's', eta: '2024-04-31' })).toEqual([
      'data.eta: must be a date YYYY-MM-DD or null (got "2024-04-31")',
    ]);
    expect(problems(batchEtaChangedV1Data, { ref: 'b', sku: 's' })).toEqual([
      'data.eta: is required',
    ]);
  });
});

describe.each([
  ['Allocated v1', allocatedV1Data],
  ['Deallocated v1', deallocatedV1Data],
])('%s', (_name, schema) => {
  const valid = { orderid: 'o1', sku: 's', qty: 1, batchref: 'b1' };

  it('accepts a line of quantity 1', () => {
    expect(problems(schema, valid)).toEqual([]);
  });

  it.each([
    [{ qty: 0 }, 'data.qty: must be >= 1 (got 0)'],
    [{ qty: -5 }, 'data.qty: must be >= 1 (got -5)'],
    [{ orderid: '' }, 'data.orderid: must not be empty (got "")'],
    [{ batchref: undefined }, 'data.batchref: is required'],
    [{ batchref: 7 }, 'data.batchref: must be a string (got 7)'],
  ])('refuses %j', (change, problem) => {
    expect(problems(schema, { ...valid, ...change })).toEqual([problem]);
  });
});

describe('ProductCreated v1', () => {
  it('accepts a bare sku', () => {
    expect(problems(productCreatedV1Data, { sku: 'RED-CHAIR' })).toEqual([]);
  });
});

describe('the data schemas and the published interfaces of types.ts', () => {
  it('infer exactly the same types (checked by tsc)', () => {
    expectTypeOf<z.output<typeof productCreatedV1Data>>().toEqualTypeOf<ProductCreatedV1Data>();
    expectTypeOf<z.output<typeof batchCreatedV1Data>>().toEqualTypeOf<BatchCreatedV1Data>();
    expectTypeOf<
      z.output<typeof batchQuantityChangedV1Data>
    >().toEqualTypeOf<BatchQuantityChangedV1Data>();
    expectTypeOf<z.output<typeof batchEtaChangedV1Data>>().toEqualTypeOf<BatchEtaChangedV1Data>();
    expectTypeOf<z.output<typeof allocatedV1Data>>().toEqualTypeOf<AllocatedV1Data>();
    expectTypeOf<z.output<typeof deallocatedV1Data>>().toEqualTypeOf<DeallocatedV1Data>();
    expect(definitions).toHaveLength(6);
  });
});
