import type { Lsn } from '../pg/lsn.js';
import type { PgoutputMessage, Relation } from '../pg/pgoutput.js';
import type { CapturedTransaction } from './transaction.js';

const qualified = (r: Relation) => `${r.schema}.${r.name}`;

/**
 * Groups the pgoutput stream into whole transactions. pgoutput (without streaming) sends a
 * transaction only once it committed, from Begin to Commit, so nothing half-done ever leaves here.
 */
export class TransactionAssembler {
  private current: CapturedTransaction | null = null;

  /** True between a Begin and its Commit. */
  get inTransaction(): boolean {
    return this.current !== null;
  }

  /** Feeds one message; returns the transaction it completed, if any. */
  push(msg: PgoutputMessage): CapturedTransaction | null {
    switch (msg.tag) {
      case 'begin':
        this.current = {
          xid: msg.xid,
          commitLsn: msg.commitLsn,
          endLsn: 0n as Lsn,
          commitTime: msg.commitTime,
          origin: null,
          changes: [],
          messages: [],
        };
        return null;
      case 'commit': {
        const tx = this.open(msg.tag);
        tx.endLsn = msg.endLsn;
        tx.commitTime = msg.commitTime;
        this.current = null;
        return tx;
      }
      case 'origin':
        this.open(msg.tag).origin = msg.name;
        return null;
      case 'insert':
        this.open(msg.tag).changes.push({
          kind: 'insert',
          table: qualified(msg.relation),
          row: msg.row,
          snapshot: false,
        });
        return null;
      case 'update':
        this.open(msg.tag).changes.push({
          kind: 'update',
          table: qualified(msg.relation),
          row: msg.row,
          old: msg.old,
          oldIsKeyOnly: msg.oldIsKeyOnly,
        });
        return null;
      case 'delete':
        this.open(msg.tag).changes.push({
          kind: 'delete',
          table: qualified(msg.relation),
          old: msg.old,
          oldIsKeyOnly: msg.oldIsKeyOnly,
        });
        return null;
      case 'truncate':
        this.open(msg.tag).changes.push({
          kind: 'truncate',
          tables: msg.relations.map(qualified),
          cascade: msg.cascade,
          restartIdentity: msg.restartIdentity,
        });
        return null;
      case 'message':
        // Non-transactional messages arrive outside any transaction; they carry no data for us.
        if (msg.transactional)
          this.open(msg.tag).messages.push({ prefix: msg.prefix, content: msg.content });
        return null;
      case 'relation':
      case 'type':
        return null;
      default: {
        const never: never = msg;
        throw new Error(`unhandled pgoutput message ${JSON.stringify(never)}`);
      }
    }
  }

  private open(tag: string): CapturedTransaction {
    if (!this.current) throw new Error(`pgoutput ${tag} outside a transaction`);
    return this.current;
  }
}
