import type { DomainEventType, EventData } from '@strangler/event-schemas';
import type { CapturedTransaction, RowChange } from '../capture/transaction.js';
import type { Row } from '../pg/pgoutput.js';

/** A domain event before the adapter gives it an id, a source position and a time. */
export type EventDraft = {
  [T in DomainEventType]: { type: T; data: EventData<T> };
}[DomainEventType];

export interface MappingContext {
  /**
   * The last known version of a row, by primary key: from changes already seen on the stream or
   * in the snapshot (deleted rows keep their last values), else read from the legacy database.
   * Use it for reference data that does not change (a batch's reference, an order line's order).
   */
  lookup(table: string, key: Record<string, string>): Promise<Row | null>;
  /**
   * The row as of the change being mapped, or null when unknown: only rows seen on the stream or in
   * the snapshot, never a database read (which may already hold a later version). Use it for
   * values that must not run ahead of the stream, such as an aggregate version.
   */
  seen(table: string, key: Record<string, string>): Row | null;
}

/**
 * The anti-corruption layer: turns the legacy schema's row changes into the new model's domain
 * events. Mapping is per change, in commit order, so lookups see the rows changed earlier in the
 * same transaction. A thrown error means the change cannot be mapped.
 */
export interface Mapper {
  /** Tables to capture, schema-qualified; also the order in which the snapshot reads them. */
  readonly tables: readonly string[];
  /** Tables whose updates and deletes must carry the old row (REPLICA IDENTITY FULL). */
  readonly fullIdentityTables: readonly string[];
  /** Domain events for one row change (inserts only, during the snapshot). */
  mapChange(change: RowChange, ctx: MappingContext): Promise<EventDraft[]>;
  /** A last pass over a transaction's events, e.g. to stamp the aggregate version on all of them. */
  finishTransaction?(
    events: EventDraft[],
    tx: Pick<CapturedTransaction, 'changes'>,
    ctx: MappingContext,
  ): Promise<EventDraft[]>;
}
