import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SchemaBreak } from '../types.js';
import { findBreaks } from './compare.js';
import type { Schema } from './schema.js';

// Each rule on real zod output: `released` is the schema in the snapshot, `current` the edited
// one. BACKWARD: the current reader reads what the released writer wrote. FORWARD: the released
// reader reads what the current writer writes.
const reader = (s: z.ZodObject) => z.toJSONSchema(s, { target: 'draft-07', io: 'input' }) as Schema;
const writer = (s: z.ZodObject) =>
  z.toJSONSchema(s.strict(), { target: 'draft-07', io: 'output' }) as Schema;
const backward = (released: z.ZodObject, current: z.ZodObject) =>
  findBreaks(reader(current), writer(released));
const forward = (released: z.ZodObject, current: z.ZodObject) =>
  findBreaks(reader(released), writer(current));
const rules = (breaks: SchemaBreak[]) => breaks.map((b) => `${b.path} ${b.rule}`);

const base = z.object({ id: z.string(), qty: z.int().min(0), memo: z.string().optional() });

describe('fields', () => {
  it('passes an unchanged schema in both directions', () => {
    expect(backward(base, base)).toEqual([]);
    expect(forward(base, base)).toEqual([]);
  });

  it('passes an added optional field both ways (readers drop unknown fields)', () => {
    const current = base.extend({ note: z.string().optional() });
    expect(backward(base, current)).toEqual([]);
    expect(forward(base, current)).toEqual([]);
  });

  it('breaks BACKWARD when a required field is added, and passes FORWARD', () => {
    const current = base.extend({ currency: z.string() });
    expect(backward(base, current)).toEqual([
      { path: 'data.currency', rule: 'required', keyword: 'required', writer: 'absent' },
    ]);
    expect(forward(base, current)).toEqual([]);
  });

  it('breaks FORWARD when the writer drops a required field, and passes BACKWARD', () => {
    const current = base.omit({ qty: true });
    expect(backward(base, current)).toEqual([]);
    expect(forward(base, current)).toEqual([
      { path: 'data.qty', rule: 'required', keyword: 'required', writer: 'absent' },
    ]);
  });

  it('passes a removed optional field both ways', () => {
    const current = base.omit({ memo: true });
    expect(backward(base, current)).toEqual([]);
    expect(forward(base, current)).toEqual([]);
  });

  it('breaks BACKWARD when an optional field becomes required', () => {
    const current = base.extend({ memo: z.string() });
    expect(backward(base, current)).toEqual([
      { path: 'data.memo', rule: 'required', keyword: 'required', writer: 'optional' },
    ]);
    expect(forward(base, current)).toEqual([]);
  });

  it('breaks FORWARD when a required field becomes optional', () => {
    const current = base.extend({ qty: z.int().min(0).optional() });
    expect(backward(base, current)).toEqual([]);
    expect(rules(forward(base, current))).toEqual(['data.qty required']);
  });

  it('treats a field with a default as optional for readers', () => {
    const current = base.extend({ currency: z.string().default('EUR') });
    expect(backward(base, current)).toEqual([]);
  });

  it('breaks both ways on a type change, naming both types', () => {
    const current = base.extend({ id: z.number() });
    expect(backward(base, current)).toEqual([
      { path: 'data.id', rule: 'type', keyword: 'type', reader: 'number', writer: 'string' },
    ]);
    expect(forward(base, current)).toEqual([
      { path: 'data.id', rule: 'type', keyword: 'type', reader: 'string', writer: 'number' },
    ]);
  });

  it('passes integer -> number BACKWARD (a number reader reads integers) but not FORWARD', () => {
    const released = z.object({ n: z.int() });
    const current = z.object({ n: z.number() });
    expect(backward(released, current)).toEqual([]);
    expect(rules(forward(released, current))).toEqual(['data.n type']);
  });

  it('breaks BACKWARD when null is no longer accepted, FORWARD when it becomes possible', () => {
    const nullable = z.object({ eta: z.string().nullable() });
    const plain = z.object({ eta: z.string() });
    expect(backward(nullable, plain)).toEqual([
      { path: 'data.eta', rule: 'nullable', keyword: 'type' },
    ]);
    expect(forward(nullable, plain)).toEqual([]);
    expect(backward(plain, nullable)).toEqual([]);
    expect(rules(forward(plain, nullable))).toEqual(['data.eta nullable']);
  });

  it('checks nested objects field by field, with the nested path', () => {
    const released = z.object({ address: z.object({ city: z.string() }) });
    const current = z.object({ address: z.object({ city: z.string(), zip: z.string() }) });
    expect(rules(backward(released, current))).toEqual(['data.address.zip required']);
    expect(forward(released, current)).toEqual([]);
  });

  it('checks array items, with [] in the path', () => {
    const released = z.object({ tags: z.array(z.string()) });
    const current = z.object({ tags: z.array(z.int()) });
    expect(rules(backward(released, current))).toEqual(['data.tags[] type']);
  });

  it('checks objects inside arrays', () => {
    const released = z.object({ lines: z.array(z.object({ sku: z.string() })) });
    const current = z.object({ lines: z.array(z.object({ sku: z.string(), qty: z.int() })) });
    expect(rules(backward(released, current))).toEqual(['data.lines[].qty required']);
  });
});
