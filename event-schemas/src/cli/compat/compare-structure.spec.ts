import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SchemaBreak } from '../types.js';
import { findBreaks } from './compare.js';

// Hand-written JSON Schema for what zod rarely emits: the rules must still never pass a change
// they cannot prove.
const obj = (properties: object, extra: object = {}) => ({ type: 'object', properties, ...extra });
const only = (breaks: SchemaBreak[]) => breaks.map((b) => `${b.path} ${b.rule}/${b.keyword}`);

describe('structure', () => {
  it('breaks when a closed reader meets a field the writer writes', () => {
    const reader = obj({ a: { type: 'string' } }, { additionalProperties: false });
    const writer = obj(
      { a: { type: 'string' }, b: { type: 'string' } },
      { additionalProperties: false },
    );
    expect(only(findBreaks(reader, writer))).toEqual(['data.b closed/field']);
  });

  it('breaks when a closed reader meets an open writer', () => {
    const reader = obj({ a: { type: 'string' } }, { additionalProperties: false });
    expect(only(findBreaks(reader, obj({ a: { type: 'string' } })))).toEqual([
      'data closed/additionalProperties',
    ]);
  });

  it('cannot prove a declared reader field against an open writer that does not declare it', () => {
    const reader = obj({ a: { type: 'string' } });
    expect(only(findBreaks(reader, obj({})))).toEqual(['data.a unproven/type']);
  });

  it('checks writer fields against the reader additionalProperties schema', () => {
    const reader = obj({}, { additionalProperties: { type: 'string' } });
    const writer = obj({ n: { type: 'integer' } }, { additionalProperties: false });
    expect(only(findBreaks(reader, writer))).toEqual(['data.n type/type']);
  });

  it('reports an unknown reader keyword as unproven unless the writer has the same', () => {
    const reader = obj({ a: { type: 'string', not: { const: 'x' } } });
    const same = obj({ a: { type: 'string', not: { const: 'x' } } }, { required: ['a'] });
    const other = obj({ a: { type: 'string' } }, { additionalProperties: false });
    expect(findBreaks(reader, same)).toEqual([]);
    expect(only(findBreaks(reader, other))).toEqual(['data.a unproven/not']);
  });

  it('ignores annotations (descriptions, titles, examples)', () => {
    const reader = obj({ a: { type: 'string', description: 'new words', examples: ['x'] } });
    const writer = obj({ a: { type: 'string', title: 'A' } }, { additionalProperties: false });
    expect(findBreaks(reader, writer)).toEqual([]);
  });

  it('follows $ref, and terminates on recursive schemas', () => {
    const node = z.object({
      name: z.string(),
      get children(): z.ZodArray<typeof node> {
        return z.array(node);
      },
    });
    const reader = z.toJSONSchema(node, { target: 'draft-07', io: 'input' });
    const writer = z.toJSONSchema(node, { target: 'draft-07', io: 'output' });
    expect(findBreaks(reader, writer)).toEqual([]);
    const renamed = JSON.parse(JSON.stringify(reader).replaceAll('"string"', '"integer"'));
    expect(only(findBreaks(renamed, writer))).toEqual([
      'data.children[].name type/type',
      'data.name type/type',
    ]);
  });

  it('reports a $ref it cannot resolve as unproven', () => {
    const reader = obj({ a: { $ref: 'https://example.com/a.json' } });
    expect(
      only(findBreaks(reader, obj({ a: { type: 'string' } }, { additionalProperties: false }))),
    ).toEqual(['data.a unproven/$ref https://example.com/a.json']);
  });

  it('reads a oneOf of distinct types as a union, and refuses to guess on overlapping ones', () => {
    const distinct = obj({ a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } });
    const overlapping = obj({
      a: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 2 }] },
    });
    const writer = obj({ a: { type: 'string' } }, { additionalProperties: false });
    expect(findBreaks(distinct, writer)).toEqual([]);
    expect(only(findBreaks(overlapping, writer))).toEqual(['data.a unproven/oneOf']);
  });

  it('holds the writer to every allOf part of the reader', () => {
    const reader = obj({ a: { allOf: [{ type: 'string' }, { minLength: 2 }] } });
    const loose = obj({ a: { type: 'string' } }, { additionalProperties: false });
    const tight = obj({ a: { type: 'string', minLength: 3 } }, { additionalProperties: false });
    expect(findBreaks(reader, tight)).toEqual([]);
    expect(only(findBreaks(reader, loose))).toEqual(['data.a bound/minLength']);
  });

  it('compares tuples item by item', () => {
    const tuple = (second: string) => ({
      type: 'array',
      items: [{ type: 'string' }, { type: second }],
      additionalItems: false,
    });
    expect(findBreaks(tuple('integer'), tuple('integer'))).toEqual([]);
    expect(only(findBreaks(tuple('string'), tuple('integer')))).toEqual(['data[1] type/type']);
  });

  it('breaks on uniqueItems and minItems the writer does not guarantee', () => {
    const reader = { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1 };
    expect(only(findBreaks(reader, { type: 'array', items: { type: 'string' } }))).toEqual([
      'data bound/minItems',
      'data bound/uniqueItems',
    ]);
  });

  it('checks property names of a closed writer against the reader propertyNames', () => {
    const reader = { type: 'object', propertyNames: { pattern: '^[a-z]+$' } };
    const good = obj({ abc: { type: 'string' } }, { additionalProperties: false });
    const bad = obj({ Abc: { type: 'string' } }, { additionalProperties: false });
    expect(findBreaks(reader, good)).toEqual([]);
    expect(only(findBreaks(reader, bad))).toEqual(['data unproven/propertyNames']);
  });

  it('passes anything to a reader of true, and breaks a reader of false', () => {
    expect(findBreaks(true, { type: 'string' })).toEqual([]);
    expect(only(findBreaks(false, { type: 'string' }))).toEqual(['data unproven/false']);
    expect(findBreaks({ type: 'string' }, false)).toEqual([]);
  });

  it('cannot prove a writer that may write any type', () => {
    expect(only(findBreaks({ type: 'string' }, {}))).toEqual(['data unproven/type']);
  });
});
