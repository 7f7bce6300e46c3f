import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  currentEvents,
  eventCatalog,
  eventDefinitions,
  eventTypes,
  findDefinition,
} from './catalog.js';
import { defineEvent, EVENT_TYPE_PATTERN } from './define.js';
import { consumedEnvelopeSchema, producedEnvelopeSchema } from './envelope.js';
import type { ProductCreatedV1 } from './types.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the event catalog', () => {
  it.each(eventDefinitions.map((d) => [d.type, d] as const))(
    '%s is a reverse-DNS type whose suffix is its version',
    (type, d) => {
      expect(type).toMatch(EVENT_TYPE_PATTERN);
      expect(type.endsWith(`.v${d.version}`)).toBe(true);
      expect(d.aggregate).toBe('Product');
      expect(d.description).not.toBe('');
    },
  );

  it.each(eventDefinitions.map((d) => [d.type, d] as const))(
    '%s exports to draft-07 JSON Schema in both directions (no dates, no transforms)',
    (_type, d) => {
      const reader = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'input' });
      const writer = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'output' });
      expect(reader).toMatchObject({ type: 'object', title: `${d.name} v${d.version}` });
      expect(writer).toMatchObject({ additionalProperties: false });
      expect(Object.keys(reader.properties ?? {})).toEqual(Object.keys(d.example));
    },
  );

  it('exports both envelopes to draft-07 JSON Schema', () => {
    expect(z.toJSONSchema(producedEnvelopeSchema, { target: 'draft-07' })).toMatchObject({
      additionalProperties: false,
    });
    expect(
      z.toJSONSchema(consumedEnvelopeSchema, { target: 'draft-07', io: 'input' }),
    ).toMatchObject({
      type: 'object',
    });
  });

  it('is keyed by full type, and current versions are the latest of each name', () => {
    expect(Object.keys(eventCatalog)).toEqual(eventDefinitions.map((d) => d.type));
    for (const [name, definition] of Object.entries(currentEvents)) {
      expect(definition.name).toBe(name);
      expect(eventTypes[name as keyof typeof eventTypes]).toBe(definition.type);
    }
  });

  it('finds definitions by type and nothing for unknown or inherited names', () => {
    expect(findDefinition('io.strangler.allocation.allocated.v1')?.name).toBe('Allocated');
    expect(findDefinition('io.strangler.allocation.allocated.v2')).toBeUndefined();
    expect(findDefinition('toString')).toBeUndefined();
    expect(findDefinition('__proto__')).toBeUndefined();
  });

  it('is documented: the README lists every type in the catalog', () => {
    for (const d of eventDefinitions) expect(readme).toContain(`\`${d.type}\``);
  });
});

describe('defineEvent', () => {
  const base = {
    type: 'io.strangler.allocation.product_created.v1',
    name: 'ProductCreated',
    version: 1,
    aggregate: 'Product',
    description: 'x',
    schema: z.object({ sku: z.string(), version: z.int().optional() }),
    aggregateId: (data: { sku: string }) => data.sku,
    example: { sku: 'S' },
  } as const;

  it('refuses a type without a version suffix', () => {
    expect(() =>
      defineEvent<ProductCreatedV1>({ ...base, type: 'ProductCreated' as never }),
    ).toThrow(
      'event type "ProductCreated" must be reverse-DNS with a version suffix, e.g. io.strangler.allocation.batch_created.v1',
    );
  });

  it('refuses a suffix that disagrees with the version', () => {
    expect(() => defineEvent<ProductCreatedV1>({ ...base, version: 2 })).toThrow(
      'event type "io.strangler.allocation.product_created.v1" ends in v1 but its version is 2',
    );
  });

  it('refuses a name that is not PascalCase', () => {
    expect(() => defineEvent<ProductCreatedV1>({ ...base, name: 'product_created' })).toThrow(
      'event name "product_created" of io.strangler.allocation.product_created.v1 must be PascalCase, e.g. BatchCreated',
    );
  });

  it('refuses an example its own writer schema refuses', () => {
    expect(() =>
      defineEvent<ProductCreatedV1>({ ...base, example: { sku: 'S', extra: 1 } as never }),
    ).toThrow('the example of io.strangler.allocation.product_created.v1 is invalid');
  });
});
