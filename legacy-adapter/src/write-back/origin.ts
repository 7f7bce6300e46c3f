import type pg from 'pg';
import { formatLsn, parseLsn } from '../pg/lsn.js';

/**
 * The replication origin of one partition's writes. Its progress (an LSN, here the offset of the
 * next event) commits with the writes, so a batch applied before is recognised after a crash, and
 * only one session can hold it: two instances never write the same partition at once.
 */
export const originName = (origin: string, topic: string, partition: number) =>
  `${origin}:${topic}:${partition}`;

/** Creates the origin unless it exists (another instance may create it at the same moment). */
export async function ensureOrigin(client: pg.PoolClient, name: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_replication_origin WHERE roname = $1', [
    name,
  ]);
  if (rowCount) return;
  await client.query('SELECT pg_replication_origin_create($1)', [name]).catch((e: unknown) => {
    if ((e as { code?: string }).code !== '23505') throw e; // created by another instance
  });
}

/** Takes the origin for this session; fails while another session holds it. */
export async function holdOrigin(client: pg.PoolClient, name: string): Promise<void> {
  await client.query('SELECT pg_replication_origin_session_setup($1)', [name]);
}

/** The held origin's committed progress: the offset of the next event to apply. */
export async function originProgress(client: pg.PoolClient): Promise<bigint> {
  const { rows } = await client.query<{ lsn: string | null }>(
    'SELECT pg_replication_origin_session_progress(true)::text AS lsn',
  );
  const lsn = rows[0]?.lsn;
  return lsn ? parseLsn(lsn) : 0n;
}

/** Marks the open transaction as having applied everything before `nextOffset`. */
export async function recordProgress(client: pg.PoolClient, nextOffset: bigint): Promise<void> {
  await client.query('SELECT pg_replication_origin_xact_setup($1::pg_lsn, now())', [
    formatLsn(nextOffset),
  ]);
}

export async function releaseOrigin(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_replication_origin_session_reset()');
}
