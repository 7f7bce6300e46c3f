import type pg from 'pg';

/**
 * Query option that returns every value exactly as Postgres prints it: the form the replication
 * stream delivers, so snapshot rows, looked-up rows and streamed rows compare equal.
 */
export const RAW_TEXT = {
  getTypeParser: () => (value: string) => value,
} as unknown as pg.CustomTypesConfig;
