import type { CapturedChange } from '../mapping/types.js';
import type { Lsn } from '../pg/lsn.js';

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
  /** Row changes and truncates, in commit order. */
  changes: CapturedChange[];
  /** Transactional logical messages (pg_logical_emit_message) in this transaction. */
  messages: Array<{ prefix: string; content: Buffer }>;
}
