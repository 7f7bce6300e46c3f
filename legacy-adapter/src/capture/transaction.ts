import type { Lsn } from '../pg/lsn.js';
import type { Row } from '../pg/pgoutput.js';

/** One row change, as the anti-corruption layer sees it. */
export interface RowChange {
  kind: 'insert' | 'update' | 'delete';
  /** Schema-qualified table name, e.g. `public.batches`. */
  table: string;
  /** The row after the change (insert, update); null for a delete. */
  row: Row | null;
  /**
   * The row before the change: every column with REPLICA IDENTITY FULL, only the key columns with
   * DEFAULT identity (`oldIsKeyOnly`), null for inserts and for updates that did not change the key.
   */
  old: Row | null;
  oldIsKeyOnly: boolean;
}

/** A committed source transaction with its changes in commit order. */
export interface CapturedTransaction {
  xid: number;
  /** Position of the commit record: the transaction's identity in the WAL. */
  commitLsn: Lsn;
  /** End of the commit record: what is confirmed to Postgres once the transaction is published. */
  endLsn: Lsn;
  commitTime: Date;
  /** Replication origin of the writer, when it set one (the write-back sets `strangler_writeback`). */
  origin: string | null;
  changes: RowChange[];
  /** Transactional logical messages (pg_logical_emit_message) in this transaction. */
  messages: Array<{ prefix: string; content: Buffer }>;
  /** Tables truncated in this transaction. */
  truncated: string[];
}
