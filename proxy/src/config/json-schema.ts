import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema (draft-07, which editors' YAML plugins support best) of the route file as
 * written, with every field's description and default. Reference it from the file with
 * `# yaml-language-server: $schema=<path>/config.schema.json`.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
  });
  return { ...schema, title: 'strangler-proxy route file' };
}
