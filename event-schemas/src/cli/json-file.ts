import { readFile } from 'node:fs/promises';
import { EventSchemaError } from '../errors.js';

/**
 * JSON with object keys sorted at every level, two-space indent and a trailing newline: the same
 * value always gives the same bytes, so committed files diff cleanly.
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortKeys(child)]));
}

/** Reads and parses a JSON file; a bad file throws naming it and the fix. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${what} ${file}: ${messageOf(error)}`, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`${what} ${file} is not valid JSON: ${messageOf(error)}`, error);
  }
}

/** The error of bad input to the tools (a file, a flag): the CLI prints it and exits 2. */
export function usageError(message: string, cause?: unknown): EventSchemaError {
  return new EventSchemaError('INVALID_ARGUMENT', message, {}, { cause });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
