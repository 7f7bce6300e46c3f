import { UNCHANGED_TOAST, type Row } from '../pg/pgoutput.js';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import type { MappingFailure } from './describe.js';
import type { CapturedChange } from './types.js';

/** How an unchanged TOAST value is written in a dead letter: its content was never sent. */
export const UNCHANGED_TOAST_MARKER = Object.freeze({ unchangedToast: true });

type DeadLetterRow = Record<string, string | null | typeof UNCHANGED_TOAST_MARKER>;

/**
 * The JSON value of a dead letter: the raw change, where it was, and why it was not mapped. Keyed
 * by table in Kafka, so the dead letters of one table keep their order.
 */
export interface DeadLetterRecord {
  /** The adapter's CloudEvents `source`. */
  source: string;
  /** The table; for a truncate, the first of `tables`. */
  table: string;
  /** Every truncated table (truncate only). */
  tables?: string[];
  kind: CapturedChange['kind'];
  /** True for a row of the initial snapshot. */
  snapshot: boolean;
  /** Commit LSN, or `snapshot@<lsn>`. */
  position: string;
  /** Source transaction id; null for snapshot rows. */
  xid: number | null;
  /** The change's 0-based index in its transaction (in the snapshot for snapshot rows). */
  index: number;
  /** The row after the change (insert, update), as text; null for delete and truncate. */
  row: DeadLetterRow | null;
  /** The row before (update, delete) as the stream sent it; null when not sent. */
  old: DeadLetterRow | null;
  error: { code: string; message: string };
}

export interface DeadLetterOrigin {
  source: string;
  position: string;
  xid: number | null;
  index: number;
}

function raw(row: Row | null): DeadLetterRow | null {
  if (row === null) return null;
  const out: DeadLetterRow = {};
  for (const [name, value] of Object.entries(row)) {
    out[name] = value === UNCHANGED_TOAST ? UNCHANGED_TOAST_MARKER : value;
  }
  return out;
}

export function deadLetterRecord(
  change: CapturedChange,
  at: DeadLetterOrigin,
  failure: MappingFailure,
): DeadLetterRecord {
  const common = {
    source: at.source,
    position: at.position,
    xid: at.xid,
    index: at.index,
    error: { code: failure.code, message: failure.reason },
  };
  switch (change.kind) {
    case 'truncate':
      return {
        ...common,
        table: change.tables[0] ?? '',
        tables: change.tables,
        kind: 'truncate',
        snapshot: false,
        row: null,
        old: null,
      };
    case 'insert':
      return {
        ...common,
        table: change.table,
        kind: 'insert',
        snapshot: change.snapshot,
        row: raw(change.row),
        old: null,
      };
    case 'update':
      return {
        ...common,
        table: change.table,
        kind: 'update',
        snapshot: false,
        row: raw(change.row),
        old: raw(change.old),
      };
    case 'delete':
      return {
        ...common,
        table: change.table,
        kind: 'delete',
        snapshot: false,
        row: null,
        old: raw(change.old),
      };
    default: {
      const never: never = change;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
}

export function deadLetterMessage(record: DeadLetterRecord, topic: string): OutgoingMessage {
  return {
    topic,
    key: record.table,
    value: JSON.stringify(record),
    headers: { 'content-type': 'application/json' },
  };
}
