import { z } from 'zod';
import type { AnyEventDefinition } from '../types.js';
import type { SchemaObject } from './compat/schema.js';
import { messageOf, usageError } from './json-file.js';

/**
 * The reader schema of a version's `data` as JSON Schema draft-07: what a consumer accepts
 * (zod input mode: optional fields with defaults, unknown fields allowed and dropped).
 */
export function readerSchemaOf(definition: AnyEventDefinition): SchemaObject {
  return toJsonSchema(definition, definition.schema, 'input');
}

/**
 * The writer schema: what a producer may write (zod output mode of the strict schema: unknown
 * fields refused, so the object is closed).
 */
export function writerSchemaOf(definition: AnyEventDefinition): SchemaObject {
  return toJsonSchema(definition, definition.strictSchema, 'output');
}

function toJsonSchema(
  definition: AnyEventDefinition,
  schema: z.ZodType,
  io: 'input' | 'output',
): SchemaObject {
  try {
    return z.toJSONSchema(schema, { target: 'draft-07', io }) as SchemaObject;
  } catch (error) {
    throw usageError(
      `${definition.type}: its schema cannot be written as JSON Schema (${messageOf(error)}); use JSON values only (no z.date(), z.bigint() or transforms)`,
      error,
    );
  }
}
