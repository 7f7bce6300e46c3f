import type { AnyCatalog } from '../../types.js';
import { stableJson } from '../json-file.js';
import type { ExportFiles, ExportOptions } from '../types.js';
import { asyncApiDocument } from './asyncapi.js';
import { jsonSchemaFiles } from './json-schema-files.js';
import { markdownCatalog } from './markdown.js';
import { validateAsyncApi } from './validate-asyncapi.js';

/** The AsyncAPI document's file name in the output folder. */
export const ASYNCAPI_FILE = 'asyncapi.json';
/** The markdown catalog's file name in the output folder. */
export const MARKDOWN_FILE = 'catalog.md';

/**
 * Generates every export file in memory: `json-schema/<type>.json` per version, `asyncapi.json`
 * (validated with @asyncapi/parser; errors throw) and `catalog.md`. The same catalog always gives
 * the same bytes. Returns the files and the parser's warnings.
 */
export async function exportCatalog(
  catalog: AnyCatalog,
  options: ExportOptions = {},
): Promise<{ files: ExportFiles; warnings: string[] }> {
  const topics = options.topics?.length ? options.topics : [`${catalog.name}.events`];
  const document = asyncApiDocument(catalog, topics, options.version ?? '0.0.0');
  const warnings = await validateAsyncApi(document);
  const files = new Map<string, string>();
  for (const [path, schema] of jsonSchemaFiles(catalog)) files.set(path, stableJson(schema));
  files.set(ASYNCAPI_FILE, stableJson(document));
  files.set(MARKDOWN_FILE, markdownCatalog(catalog, topics));
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1))), warnings };
}
