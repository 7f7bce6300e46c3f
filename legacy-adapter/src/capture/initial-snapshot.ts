import type pg from 'pg';
import type { ChangeMapper, SnapshotCursor } from '../mapping/change-mapper.js';
import { formatLsn } from '../pg/lsn.js';
import type { ReplicationConnection } from '../pg/replication-connection.js';
import { setMarker } from '../pg/slot.js';
import { readSnapshot } from '../pg/snapshot.js';
import type { AdapterStatus, Logger } from '../types.js';
import type { PublishPipeline } from './pipeline.js';

export interface SnapshotDeps {
  db: pg.PoolClient;
  replication: ReplicationConnection;
  mapper: ChangeMapper;
  pipeline: PublishPipeline;
  /** Captured tables in snapshot order, with their primary-key columns. */
  tables: Array<{ table: string; key: string[] }>;
  slot: string;
  source: string;
  stats: Pick<AdapterStatus, 'snapshotRows' | 'events' | 'deadLetters'>;
  logger: Logger;
}

/**
 * Creates the slot and publishes every existing row as of the slot's consistent point: rows are
 * inserts flagged `snapshot: true`, at position `snapshot@<lsn>`. Only once all of them are in
 * Kafka is the snapshot marked complete; a crash before that redoes it.
 */
export async function takeSnapshot(d: SnapshotDeps): Promise<void> {
  const { consistentPoint, snapshotName } = await d.replication.createSlot(d.slot);
  d.logger.info(
    { slot: d.slot, consistentPoint: formatLsn(consistentPoint) },
    'created replication slot; reading existing rows',
  );
  const cursor: SnapshotCursor = {
    origin: {
      source: d.source,
      position: `snapshot@${formatLsn(consistentPoint)}`,
      time: new Date().toISOString(),
      xid: null,
    },
    nextRow: 0,
    nextEvent: 0,
  };
  for await (const { table, rows } of readSnapshot(d.db, snapshotName, d.tables)) {
    const mapped = await d.mapper.snapshotRows(table, rows, cursor);
    d.pipeline.enqueue({ messages: mapped.messages, endLsn: null });
    d.stats.snapshotRows += rows.length;
    d.stats.events += mapped.events;
    d.stats.deadLetters += mapped.deadLetters;
    await d.pipeline.whenIdle();
  }
  await setMarker(d.db, d.slot);
  d.logger.info(
    { slot: d.slot, rows: d.stats.snapshotRows, events: cursor.nextEvent },
    'initial snapshot published',
  );
}
