import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SchemaBreak } from '../types.js';
import { findBreaks } from './compare.js';
import type { Schema } from './schema.js';

const reader = (s: z.ZodType) =>
  z.toJSONSchema(z.object({ v: s }), { target: 'draft-07', io: 'input' }) as Schema;
const writer = (s: z.ZodType) =>
  z.toJSONSchema(z.strictObject({ v: s }), { target: 'draft-07', io: 'output' }) as Schema;
/** Breaks of field `v` going from `released` to `current`, per direction. */
const backward = (released: z.ZodType, current: z.ZodType) =>
  findBreaks(reader(current), writer(released));
const forward = (released: z.ZodType, current: z.ZodType) =>
  findBreaks(reader(released), writer(current));
const only = (breaks: SchemaBreak[]) => breaks.map(({ rule, keyword }) => `${rule}/${keyword}`);

describe('values and constraints', () => {
  it('breaks BACKWARD when an enum is narrowed, naming the values no longer accepted', () => {
    const released = z.enum(['a', 'b', 'c']);
    const current = z.enum(['a', 'b']);
    expect(backward(released, current)).toEqual([
      { path: 'data.v', rule: 'enum', keyword: 'enum', reader: '"a", "b"', writer: '"c"' },
    ]);
    expect(forward(released, current)).toEqual([]);
  });

  it('breaks FORWARD when an enum is widened', () => {
    const released = z.enum(['a']);
    const current = z.enum(['a', 'b']);
    expect(backward(released, current)).toEqual([]);
    expect(forward(released, current)).toEqual([
      { path: 'data.v', rule: 'enum', keyword: 'enum', reader: '"a"', writer: '"b"' },
    ]);
  });

  it('breaks both ways when a const changes', () => {
    expect(only(backward(z.literal('x'), z.literal('y')))).toEqual(['enum/enum']);
    expect(only(forward(z.literal('x'), z.literal('y')))).toEqual(['enum/enum']);
  });

  it('breaks BACKWARD when a free string becomes an enum; FORWARD passes', () => {
    expect(backward(z.string(), z.enum(['a']))).toEqual([
      { path: 'data.v', rule: 'enum', keyword: 'enum', reader: '"a"' },
    ]);
    expect(forward(z.string(), z.enum(['a']))).toEqual([]);
  });

  it('checks enum values against the reader constraints (a pattern they match passes)', () => {
    expect(backward(z.enum(['EUR', 'USD']), z.string().regex(/^[A-Z]{3}$/))).toEqual([]);
    expect(only(backward(z.enum(['EUR', 'euro']), z.string().regex(/^[A-Z]{3}$/)))).toEqual([
      'enum/enum',
    ]);
  });

  it('breaks BACKWARD on a raised minimum, FORWARD on a lowered one', () => {
    expect(backward(z.int().min(0), z.int().min(1))).toEqual([
      { path: 'data.v', rule: 'bound', keyword: 'lower bound', reader: '>= 1', writer: '>= 0' },
    ]);
    expect(forward(z.int().min(0), z.int().min(1))).toEqual([]);
    expect(backward(z.int().min(1), z.int().min(0))).toEqual([]);
    expect(only(forward(z.int().min(1), z.int().min(0)))).toEqual(['bound/lower bound']);
  });

  it('breaks BACKWARD on a lowered maximum and on an added one', () => {
    expect(only(backward(z.number().max(10), z.number().max(5)))).toEqual(['bound/upper bound']);
    expect(only(backward(z.number(), z.number().lt(5)))).toEqual(['bound/upper bound']);
  });

  it('knows integer bounds: > 0 and >= 1 are the same for integers, not for numbers', () => {
    expect(backward(z.int().min(1), z.int().positive())).toEqual([]);
    expect(backward(z.int().positive(), z.int().min(1))).toEqual([]);
    expect(only(backward(z.number().positive(), z.number().min(1)))).toEqual(['bound/lower bound']);
  });

  it('breaks on a multipleOf the writer does not guarantee', () => {
    expect(backward(z.number().multipleOf(4), z.number().multipleOf(2))).toEqual([]);
    expect(only(backward(z.number().multipleOf(2), z.number().multipleOf(4)))).toEqual([
      'bound/multipleOf',
    ]);
    expect(backward(z.int(), z.number().multipleOf(1))).toEqual([]);
  });

  it('breaks BACKWARD on a raised minLength or a lowered maxLength', () => {
    expect(only(backward(z.string(), z.string().min(3)))).toEqual(['bound/minLength']);
    expect(only(backward(z.string().max(10), z.string().max(5)))).toEqual(['bound/maxLength']);
    expect(backward(z.string().min(3).max(5), z.string().min(1).max(10))).toEqual([]);
  });

  it('breaks BACKWARD on a new pattern, FORWARD on a removed one', () => {
    const code = z.string().regex(/^[A-Z]{3}$/);
    expect(backward(z.string(), code)).toEqual([
      { path: 'data.v', rule: 'pattern', keyword: 'pattern', reader: '^[A-Z]{3}$' },
    ]);
    expect(forward(z.string(), code)).toEqual([]);
    expect(only(forward(code, z.string()))).toEqual(['pattern/pattern']);
  });

  it('breaks BACKWARD on a new format', () => {
    expect(only(backward(z.string(), z.email()))).toContain('format/format');
    expect(backward(z.email(), z.email())).toEqual([]);
  });

  it('breaks on a union member the reader refuses, passes when the reader keeps it', () => {
    const both = z.union([z.string(), z.int()]);
    expect(only(backward(both, z.string()))).toEqual(['type/type']);
    expect(backward(z.string(), both)).toEqual([]);
  });

  it('breaks on a field whose record values change type', () => {
    expect(only(backward(z.record(z.string(), z.int()), z.record(z.string(), z.string())))).toEqual(
      ['type/type'],
    );
  });
});
