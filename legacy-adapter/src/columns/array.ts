import { LegacyAdapterError } from '../errors.js';
import { INVALID, nodeParsers, reader, type ColumnReader } from './reader.js';

/** A parsed array literal: elements as text, SQL NULL as null, sub-arrays of a multi-dimensional array. */
export type ArrayNode = Array<string | null | ArrayNode>;

/**
 * Parses Postgres's array output, e.g. `{a,"b,c","say \"hi\"",NULL}` or `{{1,2},{3,4}}`, with an
 * optional dimension prefix (`[0:1]={7,8}`). Quoted elements keep their text (`"NULL"` is the
 * string NULL); backslash escapes any character. Returns undefined when the text is not an array.
 */
export function parseArrayLiteral(text: string): ArrayNode | undefined {
  let at = 0;
  if (text.startsWith('[')) {
    at = text.indexOf('=') + 1;
    if (at === 0) return undefined;
  }
  const fail = () => {
    throw INVALID;
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const array = (): ArrayNode => {
    if (text[at] !== '{') fail();
    at++;
    const items: ArrayNode = [];
    space();
    if (text[at] === '}') {
      at++;
      return items;
    }
    for (;;) {
      space();
      if (text[at] === '{') items.push(array());
      else if (text[at] === '"') items.push(quoted());
      else items.push(unquoted());
      space();
      const c = text[at++];
      if (c === '}') return items;
      if (c !== ',') fail();
    }
  };
  const quoted = (): string => {
    let out = '';
    for (at++; at < text.length; at++) {
      const c = text[at]!;
      if (c === '"') {
        at++;
        return out;
      }
      if (c === '\\') at++;
      if (at >= text.length) break;
      out += text[at];
    }
    return fail();
  };
  const unquoted = (): string | null => {
    let out = '';
    let escaped = false;
    for (; at < text.length; at++) {
      const c = text[at]!;
      if (c === ',' || c === '}') break;
      if (c === '{' || c === '"') fail();
      if (c === '\\') {
        at++;
        escaped = true;
        if (at >= text.length) break;
      }
      out += text[at];
    }
    const trimmed = out.trim();
    if (trimmed === '' && !escaped) fail();
    return !escaped && trimmed.toUpperCase() === 'NULL' ? null : trimmed;
  };
  try {
    const node = array();
    return at === text.length ? node : undefined;
  } catch (e) {
    if (e === INVALID) return undefined;
    throw e;
  }
}

/**
 * An array column, each element read with `element` (its errors name the element, `tags[2]`).
 * NULL elements need a nullable element reader: `columns.array(columns.int.nullable)`. A
 * multi-dimensional array is read with an array of arrays: `columns.array(columns.array(columns.int))`.
 */
export function array<T>(element: ColumnReader<T>): ColumnReader<T[]> {
  const fromNode = (node: ArrayNode, column: string): T[] =>
    node.map((item, i) => {
      const label = `${column}[${i + 1}]`;
      const nested = nodeParsers.get(element);
      if (Array.isArray(item)) {
        if (!nested) {
          throw new LegacyAdapterError(
            'INVALID_COLUMN',
            `column ${column} is a multi-dimensional array; read it with columns.array(columns.array(...))`,
          );
        }
        return nested(item, label) as T;
      }
      if (nested && item !== null) {
        throw new LegacyAdapterError(
          'INVALID_COLUMN',
          `column ${label} is not an array; the array has fewer dimensions than its reader`,
        );
      }
      return element.parse(item, label);
    });
  const read = reader('array', 'an array literal such as {a,"b c",NULL}', (text, column) => {
    const node = parseArrayLiteral(text);
    return node === undefined ? INVALID : fromNode(node, column);
  });
  const parseNode = (node: unknown[], column: string) => fromNode(node as ArrayNode, column);
  nodeParsers.set(read, parseNode);
  nodeParsers.set(read.nullable, parseNode);
  return read;
}
