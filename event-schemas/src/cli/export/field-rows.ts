import { isSchemaObject, listValues, type SchemaObject } from '../compat/schema.js';

/** One row of a field table. */
export interface FieldRow {
  field: string;
  type: string;
  required: boolean;
  description: string;
}

/** Integers are bounded to JavaScript's safe range by zod; saying so on every row is noise. */
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The fields of an object schema as table rows, nested objects flattened to `a.b` and array items
 * to `a[]`, in declaration order.
 */
export function fieldRows(schema: SchemaObject, prefix = ''): FieldRow[] {
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows: FieldRow[] = [];
  for (const [name, child] of Object.entries(properties)) {
    if (!isSchemaObject(child)) continue;
    const field = `${prefix}${name}`;
    rows.push({
      field,
      type: typeText(child),
      required: required.has(name),
      description: typeof child.description === 'string' ? child.description : '',
    });
    rows.push(...nested(child, field));
  }
  return rows;
}

function nested(schema: SchemaObject, field: string): FieldRow[] {
  for (const alternative of alternatives(schema)) {
    if (alternative.type === 'object') return fieldRows(alternative, `${field}.`);
    if (alternative.type === 'array' && isSchemaObject(alternative.items)) {
      const items = alternative.items;
      if (items.type === 'object') return fieldRows(items, `${field}[].`);
    }
  }
  return [];
}

/** `string (date) or null`, `integer, >= 0`, `one of "a", "b"`. */
export function typeText(schema: SchemaObject): string {
  const texts = alternatives(schema).map(alternativeText);
  return [...new Set(texts)].join(' or ');
}

function alternatives(schema: SchemaObject): SchemaObject[] {
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.filter(isSchemaObject).flatMap(alternatives);
  if (Array.isArray(schema.type)) return schema.type.map((type: unknown) => ({ ...schema, type }));
  return [schema];
}

function alternativeText(schema: SchemaObject): string {
  if ('const' in schema) return listValues([schema.const]);
  if (Array.isArray(schema.enum)) return `one of ${listValues(schema.enum)}`;
  const type = typeof schema.type === 'string' ? schema.type : 'any';
  const base =
    type === 'string' && typeof schema.format === 'string'
      ? `string (${schema.format})`
      : type === 'array' && isSchemaObject(schema.items)
        ? `array of ${typeText(schema.items)}`
        : type;
  return [base, ...constraints(schema)].join(', ');
}

function constraints(schema: SchemaObject): string[] {
  const parts: string[] = [];
  const num = (key: string) =>
    typeof schema[key] === 'number' ? (schema[key] as number) : undefined;
  const minimum = num('minimum');
  const maximum = num('maximum');
  if (minimum !== undefined && minimum !== -SAFE) parts.push(`>= ${minimum}`);
  if (num('exclusiveMinimum') !== undefined) parts.push(`> ${num('exclusiveMinimum')}`);
  if (maximum !== undefined && maximum !== SAFE) parts.push(`<= ${maximum}`);
  if (num('exclusiveMaximum') !== undefined) parts.push(`< ${num('exclusiveMaximum')}`);
  if (num('multipleOf') !== undefined) parts.push(`multiple of ${num('multipleOf')}`);
  if (num('minLength') !== undefined) parts.push(`length >= ${num('minLength')}`);
  if (num('maxLength') !== undefined) parts.push(`length <= ${num('maxLength')}`);
  if (num('minItems') !== undefined) parts.push(`items >= ${num('minItems')}`);
  if (num('maxItems') !== undefined) parts.push(`items <= ${num('maxItems')}`);
  if (typeof schema.pattern === 'string' && schema.format === undefined) {
    parts.push(`pattern \`${schema.pattern}\``);
  }
  return parts;
}
