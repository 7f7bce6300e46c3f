import type pg from 'pg';
import { LegacyAdapterError } from '../errors.js';
import { parseLsn, type Lsn } from './lsn.js';

export interface SlotInfo {
  plugin: string;
  database: string;
  active: boolean;
  activePid: number | null;
  confirmedFlush: Lsn | null;
  walStatus: string | null;
}

export async function findSlot(
  db: pg.ClientBase | pg.Pool,
  slot: string,
): Promise<SlotInfo | null> {
  const { rows } = await db.query<{
    plugin: string;
    database: string;
    active: boolean;
    active_pid: number | null;
    confirmed_flush_lsn: string | null;
    wal_status: string | null;
  }>(
    `SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    plugin: row.plugin,
    database: row.database,
    active: row.active,
    activePid: row.active_pid,
    confirmedFlush: row.confirmed_flush_lsn ? parseLsn(row.confirmed_flush_lsn) : null,
    walStatus: row.wal_status,
  };
}

/** Refuses a slot that cannot resume the stream exactly where it stopped. */
export function checkSlot(info: SlotInfo, slot: string, database: string): void {
  if (info.plugin !== 'pgoutput' || info.database !== database) {
    throw new LegacyAdapterError(
      'SOURCE_NOT_READY',
      `replication slot ${slot} exists for plugin ${info.plugin} on database ${info.database}; the adapter needs pgoutput on ${database}. Choose another --slot`,
    );
  }
  if (info.walStatus === 'lost') {
    throw new LegacyAdapterError(
      'SLOT_LOST',
      `replication slot ${slot} was invalidated by Postgres (wal_status=lost, usually max_slot_wal_keep_size): WAL it needed is gone and changes were lost. ` +
        `Drop the slot (SELECT pg_drop_replication_slot('${slot}')) and start with --resnapshot to load the current state`,
    );
  }
  if (info.active) {
    throw new LegacyAdapterError(
      'SOURCE_NOT_READY',
      `replication slot ${slot} is in use by another process (pid ${info.activePid}): is another adapter running?`,
      {
        retriable: true,
      },
    );
  }
}

/**
 * A replication origin records that the initial snapshot of a slot was fully published. Origins
 * live in the source database's catalog, next to the slot, and survive restarts; a slot without
 * its marker was created but its snapshot never completed.
 */
export const snapshotMarker = (slot: string) => `strangler_snapshot_${slot}`;

export async function hasMarker(db: pg.ClientBase, slot: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM pg_replication_origin WHERE roname = $1', [
    snapshotMarker(slot),
  ]);
  return rows.length > 0;
}

export async function setMarker(db: pg.ClientBase, slot: string): Promise<void> {
  await db.query('SELECT pg_replication_origin_create($1)', [snapshotMarker(slot)]);
}

export async function dropMarker(db: pg.ClientBase, slot: string): Promise<void> {
  if (await hasMarker(db, slot))
    await db.query('SELECT pg_replication_origin_drop($1)', [snapshotMarker(slot)]);
}

export async function dropSlot(db: pg.ClientBase, slot: string): Promise<void> {
  await db.query('SELECT pg_drop_replication_slot($1)', [slot]);
}
