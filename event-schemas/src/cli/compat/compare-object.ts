import type { SchemaBreak } from '../types.js';
import { accepts } from './accepts.js';
import { childPath, unproven, type CompareContext } from './context.js';
import { lowerCount, upperCount } from './compare-scalar.js';
import {
  containsRef,
  deepEqual,
  isSchemaObject,
  type Schema,
  type SchemaObject,
} from './schema.js';

// Objects follow the open/closed content model: zod writes closed objects (output mode refuses
// unknown fields) and reads open ones (input mode strips them), so adding an optional field is
// compatible both ways, and a required one is not.

export function compareObject(
  context: CompareContext,
  reader: SchemaObject,
  writer: SchemaObject,
  path: string,
): SchemaBreak[] {
  const readerProps = propertiesOf(reader);
  const writerProps = propertiesOf(writer);
  const readerRequired = requiredOf(reader);
  const writerRequired = requiredOf(writer);
  const writerExtra = extraOf(writer);
  const breaks: SchemaBreak[] = [];

  for (const name of readerRequired) {
    if (writerRequired.has(name)) continue;
    const writerSide = Object.hasOwn(writerProps, name) ? 'optional' : 'absent';
    breaks.push({
      path: childPath(path, name),
      rule: 'required',
      keyword: 'required',
      writer: writerSide,
    });
  }
  for (const [name, schema] of Object.entries(readerProps)) {
    const at = childPath(path, name);
    if (Object.hasOwn(writerProps, name)) {
      breaks.push(...context.compare(schema, writerProps[name] as Schema, at));
    } else if (writerExtra !== false && !(readerRequired.has(name) && !writerRequired.has(name))) {
      // An open writer may carry the field with any value its additionalProperties allow.
      breaks.push(...context.compare(schema, writerExtra, at));
    }
  }
  breaks.push(...extraFields(context, reader, writerProps, readerProps, writerExtra, path));
  breaks.push(...names(context, reader, writer, writerProps, writerExtra, path));
  breaks.push(...lowerCount(reader, writer, 'minProperties', path));
  breaks.push(...upperCount(reader, writer, 'maxProperties', path));
  return breaks;
}

/** Fields the writer may write that the reader does not declare. */
function extraFields(
  context: CompareContext,
  reader: SchemaObject,
  writerProps: Record<string, Schema>,
  readerProps: Record<string, Schema>,
  writerExtra: Schema,
  path: string,
): SchemaBreak[] {
  const readerExtra = reader.additionalProperties;
  const breaks: SchemaBreak[] = [];
  for (const [name, schema] of Object.entries(writerProps)) {
    if (Object.hasOwn(readerProps, name)) continue;
    if (readerExtra === false) {
      breaks.push({ path: childPath(path, name), rule: 'closed', keyword: 'field' });
    } else if (isSchemaObject(readerExtra)) {
      breaks.push(...context.compare(readerExtra, schema, childPath(path, name)));
    }
  }
  if (writerExtra === false) return breaks;
  if (readerExtra === false) {
    breaks.push({ path, rule: 'closed', keyword: 'additionalProperties' });
  } else if (isSchemaObject(readerExtra)) {
    breaks.push(...context.compare(readerExtra, writerExtra, `${path}.*`));
  }
  return breaks;
}

/** `propertyNames` on the reader, and `patternProperties` (only the same on both sides). */
function names(
  context: CompareContext,
  reader: SchemaObject,
  writer: SchemaObject,
  writerProps: Record<string, Schema>,
  writerExtra: Schema,
  path: string,
): SchemaBreak[] {
  const breaks: SchemaBreak[] = [];
  const patterns = [reader.patternProperties, writer.patternProperties];
  if (
    patterns.some((value) => value !== undefined) &&
    (!deepEqual(patterns[0], patterns[1]) || containsRef(patterns[0]))
  ) {
    breaks.push(unproven(path, 'patternProperties'));
  }
  const readerNames = reader.propertyNames as Schema | undefined;
  if (readerNames === undefined) return breaks;
  if (writerExtra === false && writer.patternProperties === undefined) {
    const refused = Object.keys(writerProps).filter(
      (name) => accepts(context.readerRoot, readerNames, name) !== true,
    );
    if (refused.length > 0) breaks.push(unproven(path, 'propertyNames'));
    return breaks;
  }
  const writerNames = (writer.propertyNames as Schema | undefined) ?? { type: 'string' };
  breaks.push(...context.compare(readerNames, writerNames, `${path} (property names)`));
  return breaks;
}

function propertiesOf(schema: SchemaObject): Record<string, Schema> {
  return isSchemaObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
}

function requiredOf(schema: SchemaObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
}

/** What the writer may put in fields it does not declare: `false` when it is closed. */
function extraOf(writer: SchemaObject): Schema {
  const extra = writer.additionalProperties;
  return extra === undefined ? true : (extra as Schema);
}
