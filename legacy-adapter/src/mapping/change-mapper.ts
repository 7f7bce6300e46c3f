import type { AnyCatalog } from '@strangler/event-schemas';
import type { CapturedTransaction } from '../capture/transaction.js';
import { formatLsn } from '../pg/lsn.js';
import type { Row } from '../pg/pgoutput.js';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import type { Logger } from '../types.js';
import { deadLetterMessage, deadLetterRecord } from './dead-letter.js';
import type { CheckedMapper } from './define-mapper.js';
import { changeLabel, failureOf } from './describe.js';
import { draftMessages, type EventOrigin } from './draft-events.js';
import { isRetriable, mappingFailed, unhandledTruncate } from './mapping-errors.js';
import type { RowCache } from './row-cache.js';
import type { CapturedChange, MappingContext, TruncateChange } from './types.js';

export interface ChangeMapperOptions {
  catalog: AnyCatalog;
  mapper: CheckedMapper;
  source: string;
  topic: string;
  deadLetterTopic: string;
  onMappingError: 'stop' | 'dead-letter';
  onTruncate: 'stop' | 'skip';
  cache: RowCache;
  /** Primary-key columns per table, for the row cache. */
  keys: ReadonlyMap<string, readonly string[]>;
  logger: Logger;
}

/** The messages of a transaction or a snapshot batch: events and dead letters, in change order. */
export interface Mapped {
  messages: OutgoingMessage[];
  events: number;
  deadLetters: number;
}

/** Where the snapshot is: its origin, and the next row and event indexes (across batches). */
export interface SnapshotCursor {
  origin: EventOrigin;
  nextRow: number;
  nextEvent: number;
}

/**
 * Runs the user's mapper over captured changes, one at a time in commit order, and makes each
 * change's drafts events right away, so a mapping error (a throw, an unknown type, invalid data) is
 * the error of the change that produced it: it stops the adapter, or dead-letters that change.
 */
export class ChangeMapper {
  constructor(private readonly o: ChangeMapperOptions) {}

  async transaction(tx: CapturedTransaction): Promise<Mapped> {
    const position = formatLsn(tx.commitLsn);
    const ctx = this.o.cache.context({
      xid: tx.xid,
      position,
      commitTime: tx.commitTime,
      changes: tx.changes,
    });
    const origin = {
      source: this.o.source,
      position,
      time: tx.commitTime.toISOString(),
      xid: tx.xid,
    };
    const out: Mapped = { messages: [], events: 0, deadLetters: 0 };
    let nextEvent = 0;
    const count = tx.changes.length;
    for (let i = 0; i < count; i++) {
      const change = tx.changes[i]!;
      const where = () => `${position} (xid ${tx.xid}, change ${i + 1} of ${count})`;
      nextEvent = await this.one(change, ctx, origin, { index: i, where }, nextEvent, out);
      if (change.kind !== 'truncate') {
        this.o.cache.remember(change, this.o.keys.get(change.table) ?? []);
      }
    }
    return out;
  }

  async snapshotRows(table: string, rows: Row[], at: SnapshotCursor): Promise<Mapped> {
    const ctx = this.o.cache.context(null);
    const keys = this.o.keys.get(table) ?? [];
    const out: Mapped = { messages: [], events: 0, deadLetters: 0 };
    for (const row of rows) {
      const change = { kind: 'insert', table, row, snapshot: true } as const;
      const index = at.nextRow++;
      const where = () => `${at.origin.position} (row ${index + 1} of the snapshot)`;
      at.nextEvent = await this.one(change, ctx, at.origin, { index, where }, at.nextEvent, out);
      this.o.cache.remember(change, keys);
    }
    return out;
  }

  /** Maps one change into `out`; returns the index of the next event. */
  private async one(
    change: CapturedChange,
    ctx: MappingContext,
    origin: EventOrigin,
    at: { index: number; where: () => string },
    nextEvent: number,
    out: Mapped,
  ): Promise<number> {
    const { mapper } = this.o;
    if (change.kind === 'truncate' && !mapper.mapTruncate) {
      this.unmappedTruncate(change, at.where());
      return nextEvent;
    }
    let messages: OutgoingMessage[];
    try {
      let drafts: unknown =
        change.kind === 'truncate'
          ? mapper.mapTruncate!(change, ctx)
          : mapper.mapChange(change, ctx);
      if (typeof (drafts as Promise<unknown> | null)?.then === 'function') drafts = await drafts;
      messages = draftMessages(this.o.catalog, drafts, origin, nextEvent, this.o.topic);
    } catch (e) {
      if (isRetriable(e)) throw e;
      this.failed(change, e, origin, at);
      const record = deadLetterRecord(change, { ...origin, index: at.index }, failureOf(e));
      out.messages.push(deadLetterMessage(record, this.o.deadLetterTopic));
      out.deadLetters++;
      return nextEvent;
    }
    for (const m of messages) out.messages.push(m);
    out.events += messages.length;
    return nextEvent + messages.length;
  }

  /** Stops (throws) or logs the dead letter about to be written. */
  private failed(
    change: CapturedChange,
    e: unknown,
    origin: EventOrigin,
    at: { index: number; where: () => string },
  ): void {
    const failure = failureOf(e);
    if (this.o.onMappingError === 'stop') throw mappingFailed(change, at.where(), failure, e);
    this.o.logger.warn(
      {
        change: changeLabel(change),
        position: origin.position,
        xid: origin.xid,
        index: at.index,
        code: failure.code,
        reason: failure.reason,
        deadLetterTopic: this.o.deadLetterTopic,
      },
      'mapping failed: the raw change goes to the dead-letter topic',
    );
  }

  private unmappedTruncate(change: TruncateChange, where: string): void {
    if (this.o.onTruncate === 'skip') {
      this.o.logger.warn(
        { tables: change.tables, at: where },
        'skipped a TRUNCATE (onTruncate: skip): no event says the rows are gone',
      );
      return;
    }
    throw unhandledTruncate(change, where);
  }
}
