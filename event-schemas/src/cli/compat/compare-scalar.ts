import type { SchemaBreak } from '../types.js';
import { numberAt } from './context.js';
import type { SchemaObject } from './schema.js';

// Rules for strings, numbers and counts: the reader's constraint must hold for every value the
// writer may write, so the writer's own constraint must be at least as tight.

export function compareString(reader: SchemaObject, writer: SchemaObject, path: string) {
  return [
    ...lowerCount(reader, writer, 'minLength', path),
    ...upperCount(reader, writer, 'maxLength', path),
    ...sameText(reader, writer, 'pattern', path),
    ...sameText(reader, writer, 'format', path),
  ];
}

/** `minItems`, `minProperties`, `minLength`: absent on the writer means 0. */
export function lowerCount(
  reader: SchemaObject,
  writer: SchemaObject,
  key: string,
  path: string,
): SchemaBreak[] {
  const needed = numberAt(reader, key);
  const given = numberAt(writer, key);
  if (needed === undefined || (given ?? 0) >= needed) return [];
  return [bound(path, key, String(needed), given)];
}

/** `maxItems`, `maxProperties`, `maxLength`: absent on the writer means unbounded. */
export function upperCount(
  reader: SchemaObject,
  writer: SchemaObject,
  key: string,
  path: string,
): SchemaBreak[] {
  const allowed = numberAt(reader, key);
  const given = numberAt(writer, key);
  if (allowed === undefined || (given !== undefined && given <= allowed)) return [];
  return [bound(path, key, String(allowed), given)];
}

function bound(path: string, keyword: string, reader: string, writer: number | undefined) {
  const found: SchemaBreak = { path, rule: 'bound', keyword, reader };
  if (writer !== undefined) found.writer = String(writer);
  return found;
}

function sameText(
  reader: SchemaObject,
  writer: SchemaObject,
  key: 'pattern' | 'format',
  path: string,
): SchemaBreak[] {
  const needed = reader[key];
  if (needed === undefined || writer[key] === needed) return [];
  const found: SchemaBreak = { path, rule: key, keyword: key, reader: String(needed) };
  if (writer[key] !== undefined) found.writer = String(writer[key]);
  return [found];
}

type Limit = { value: number; exclusive: boolean };

export function compareNumber(
  reader: SchemaObject,
  writer: SchemaObject,
  integer: boolean,
  path: string,
): SchemaBreak[] {
  const breaks: SchemaBreak[] = [];
  for (const side of ['lower', 'upper'] as const) {
    const needed = limitOf(reader, side, integer);
    const given = limitOf(writer, side, integer);
    if (needed === undefined || (given !== undefined && within(given, needed, side))) continue;
    const found: SchemaBreak = {
      path,
      rule: 'bound',
      keyword: `${side} bound`,
      reader: text(needed, side),
    };
    if (given !== undefined) found.writer = text(given, side);
    breaks.push(found);
  }
  const step = numberAt(reader, 'multipleOf');
  if (step !== undefined && !divides(step, numberAt(writer, 'multipleOf') ?? (integer ? 1 : 0))) {
    const found: SchemaBreak = { path, rule: 'bound', keyword: 'multipleOf', reader: String(step) };
    const given = numberAt(writer, 'multipleOf');
    if (given !== undefined) found.writer = String(given);
    breaks.push(found);
  }
  return breaks;
}

/** The tighter of `minimum`/`exclusiveMinimum` (or the maximum pair); integers made inclusive. */
function limitOf(schema: SchemaObject, side: 'lower' | 'upper', integer: boolean) {
  const inclusive = numberAt(schema, side === 'lower' ? 'minimum' : 'maximum');
  const exclusive = numberAt(schema, side === 'lower' ? 'exclusiveMinimum' : 'exclusiveMaximum');
  const limits: Limit[] = [];
  if (inclusive !== undefined) limits.push({ value: inclusive, exclusive: false });
  if (exclusive !== undefined) limits.push({ value: exclusive, exclusive: true });
  const normalised = limits.map((limit) => (integer ? asInclusiveInteger(limit, side) : limit));
  return normalised.reduce<Limit | undefined>(
    (tightest, limit) =>
      tightest === undefined || within(limit, tightest, side) ? limit : tightest,
    undefined,
  );
}

function asInclusiveInteger(limit: Limit, side: 'lower' | 'upper'): Limit {
  if (side === 'lower') {
    const value = limit.exclusive ? Math.floor(limit.value) + 1 : Math.ceil(limit.value);
    return { value, exclusive: false };
  }
  const value = limit.exclusive ? Math.ceil(limit.value) - 1 : Math.floor(limit.value);
  return { value, exclusive: false };
}

/** True when every number within `given` is within `needed`. */
function within(given: Limit, needed: Limit, side: 'lower' | 'upper'): boolean {
  if (given.value === needed.value) return given.exclusive || !needed.exclusive;
  return side === 'lower' ? given.value > needed.value : given.value < needed.value;
}

function text(limit: Limit, side: 'lower' | 'upper'): string {
  const operator = side === 'lower' ? '>' : '<';
  return `${operator}${limit.exclusive ? '' : '='} ${limit.value}`;
}

/** True when every multiple of `given` is a multiple of `step` (`given` 0: any number). */
function divides(step: number, given: number): boolean {
  if (given === 0 || step <= 0) return false;
  const ratio = given / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}
