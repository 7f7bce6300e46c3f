import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

const CHECKED_IN = fileURLToPath(new URL('../../config.schema.json', import.meta.url));

type Schema = {
  properties?: Record<string, Schema>;
  description?: string;
  anyOf?: Schema[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

function undocumented(schema: Schema, path: string, out: string[]): string[] {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (!child.description) out.push(`${path}.${key}`);
    undocumented(child, `${path}.${key}`, out);
  }
  for (const alt of schema.anyOf ?? []) undocumented(alt, path, out);
  if (schema.items) undocumented(schema.items, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object')
    undocumented(schema.additionalProperties, `${path}.*`, out);
  return out;
}

describe('configJsonSchema', () => {
  it('is draft-07 and matches the checked-in config.schema.json (regenerate with `strangler-proxy schema`)', async () => {
    const schema = configJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(JSON.parse(await readFile(CHECKED_IN, 'utf8'))).toEqual(schema);
  });

  it('documents every field', () => {
    expect(undocumented(configJsonSchema() as Schema, '', [])).toEqual([]);
  });
});
