import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from './public.js';

describe('migrate', () => {
  it('refuses a list of migrations in place of the options, which would run none of them', async () => {
    await expect(migrate({} as Pool, ['CREATE TABLE t (id int)'] as never)).rejects.toThrow(
      'migrate(pool, options): pass the migrations as { migrations: [...] }',
    );
  });
});
