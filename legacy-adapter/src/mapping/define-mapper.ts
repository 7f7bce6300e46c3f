import { isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import { LegacyAdapterError } from '../errors.js';
import type { Mapper } from './types.js';

/** A mapper as the adapter uses it: checked, with `fullIdentityTables` filled in. */
export type CheckedMapper = Mapper & { readonly fullIdentityTables: readonly string[] };

const invalid = (message: string) => new LegacyAdapterError('INVALID_CONFIG', message);

/**
 * Checks that a value is a mapper (`{ tables, fullIdentityTables?, mapChange, mapTruncate? }`),
 * with errors that name the field, prefixed by `name` (`mapper`, or the file it came from).
 */
export function checkMapper(value: unknown, name = 'mapper'): CheckedMapper {
  if (typeof value !== 'object' || value === null) {
    throw invalid(
      `${name} must be a mapper { tables, fullIdentityTables?, mapChange, mapTruncate? } (made with defineMapper); got ${value === null ? 'null' : typeof value}`,
    );
  }
  const m = value as Partial<Mapper>;
  if (!Array.isArray(m.tables) || m.tables.length === 0) {
    throw invalid(`${name}.tables must be a non-empty list of tables such as ["public.customers"]`);
  }
  for (const [i, table] of m.tables.entries()) {
    if (typeof table !== 'string' || !/^[^.]+\.[^.]+$/.test(table)) {
      throw invalid(
        `${name}.tables[${i}] is ${JSON.stringify(table)}: name each table with its schema, e.g. "public.customers"`,
      );
    }
  }
  if (new Set(m.tables).size !== m.tables.length) {
    throw invalid(`${name}.tables lists a table twice: ${m.tables.join(', ')}`);
  }
  const full = m.fullIdentityTables ?? [];
  if (!Array.isArray(full)) {
    throw invalid(`${name}.fullIdentityTables must be a list of tables from ${name}.tables`);
  }
  for (const table of full) {
    if (!m.tables.includes(table)) {
      throw invalid(
        `${name}.fullIdentityTables names ${JSON.stringify(table)}, which is not in ${name}.tables`,
      );
    }
  }
  if (typeof m.mapChange !== 'function') {
    throw invalid(`${name}.mapChange must be a function (change, ctx) => drafts`);
  }
  if (m.mapTruncate !== undefined && typeof m.mapTruncate !== 'function') {
    throw invalid(`${name}.mapTruncate must be a function (change, ctx) => drafts, or absent`);
  }
  return Object.freeze({
    ...(m as Mapper),
    tables: Object.freeze([...m.tables]),
    fullIdentityTables: Object.freeze([...full]),
  });
}

/**
 * Declares a mapper for a catalog: the drafts `mapChange` and `mapTruncate` return are typed by it
 * (`{ type, data }` of the catalog's current events), so a wrong field is a compile error. The
 * definition is checked at once; errors name the field.
 *
 * ```ts
 * export default defineMapper(catalog, {
 *   tables: ['public.customers'],
 *   mapChange(change, ctx) { ... return [{ type: catalog.types.CustomerRegistered, data }]; },
 * });
 * ```
 */
export function defineMapper<C extends AnyCatalog>(catalog: C, definition: Mapper<C>): Mapper<C> {
  if (!isCatalog(catalog)) {
    throw invalid('defineMapper(catalog, definition): catalog must be made with defineCatalog');
  }
  return checkMapper(definition, 'defineMapper: definition') as Mapper<C>;
}
