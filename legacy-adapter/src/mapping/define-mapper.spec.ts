import { describe, expect, it } from 'vitest';
import { shopCatalog } from '../testing/shop-catalog.fixture.js';
import { checkMapper, defineMapper } from './define-mapper.js';

const mapChange = () => [];

describe('defineMapper', () => {
  it('returns the mapper, frozen, with fullIdentityTables filled in', () => {
    const mapper = defineMapper(shopCatalog, { tables: ['public.customers'], mapChange });
    expect(mapper).toMatchObject({ tables: ['public.customers'], fullIdentityTables: [] });
    expect(Object.isFrozen(mapper)).toBe(true);
    expect(Object.isFrozen(mapper.tables)).toBe(true);
  });

  it('refuses a definition that cannot work, naming the field', () => {
    const refused = (definition: unknown) => {
      try {
        defineMapper(shopCatalog, definition as never);
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    };
    expect(refused({ tables: [], mapChange }).message).toBe(
      'defineMapper: definition.tables must be a non-empty list of tables such as ["public.customers"]',
    );
    expect(refused({ tables: ['public.a', 'public.a'], mapChange }).message).toBe(
      'defineMapper: definition.tables lists a table twice: public.a, public.a',
    );
    expect(
      refused({ tables: ['public.a'], fullIdentityTables: ['public.b'], mapChange }).message,
    ).toBe(
      'defineMapper: definition.fullIdentityTables names "public.b", which is not in defineMapper: definition.tables',
    );
    expect(refused({ tables: ['public.a'] }).message).toBe(
      'defineMapper: definition.mapChange must be a function (change, ctx) => drafts',
    );
    expect(refused({ tables: ['public.a'], mapChange, mapTruncate: true }).message).toBe(
      'defineMapper: definition.mapTruncate must be a function (change, ctx) => drafts, or absent',
    );
    expect(() => defineMapper({} as never, { tables: ['public.a'], mapChange })).toThrow(
      'defineMapper(catalog, definition): catalog must be made with defineCatalog',
    );
  });

  it('accepts a plain object of the same shape where a mapper is expected', () => {
    expect(checkMapper({ tables: ['public.a'], mapChange }).tables).toEqual(['public.a']);
    expect(() => checkMapper('mapper.js')).toThrow(
      'mapper must be a mapper { tables, fullIdentityTables?, mapChange, mapTruncate? } (made with defineMapper); got string',
    );
  });
});
