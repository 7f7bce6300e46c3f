import type { AnyCatalog, CatalogDraft } from '@strangler/event-schemas';
import type { Row } from '../pg/pgoutput.js';

/**
 * A new row. `snapshot` is true for the rows of the initial load (read from the consistent
 * snapshot the slot starts at), false for rows inserted later and streamed.
 */
export interface InsertChange {
  kind: 'insert';
  /** Schema-qualified table name, e.g. `public.customers`. */
  table: string;
  /** Every column, as Postgres prints it (text), `null` for SQL NULL. */
  row: Row;
  /** True for a row of the initial snapshot (then `ctx.transaction` is null). */
  snapshot: boolean;
}

/** A changed row. */
export interface UpdateChange {
  kind: 'update';
  table: string;
  /** The row after the update. An unchanged TOASTed column is `UNCHANGED_TOAST` unless `old` has it. */
  row: Row;
  /**
   * The row before: every column with REPLICA IDENTITY FULL; only the key columns when the key
   * changed under DEFAULT identity (`oldIsKeyOnly`); null when the key did not change under DEFAULT
   * identity.
   */
  old: Row | null;
  /** `old` holds only the primary-key columns. */
  oldIsKeyOnly: boolean;
}

/** A deleted row. */
export interface DeleteChange {
  kind: 'delete';
  table: string;
  /** The row before: every column with REPLICA IDENTITY FULL, else only the key columns (`oldIsKeyOnly`). */
  old: Row;
  oldIsKeyOnly: boolean;
}

/** One row change: what `mapChange` receives. Switch on `kind`. */
export type RowChange = InsertChange | UpdateChange | DeleteChange;

/** `TRUNCATE` of one or more captured tables (one statement): what `mapTruncate` receives. */
export interface TruncateChange {
  kind: 'truncate';
  /** The captured tables the statement emptied, schema-qualified. */
  tables: string[];
  /** `TRUNCATE ... CASCADE`. */
  cascade: boolean;
  /** `TRUNCATE ... RESTART IDENTITY`. */
  restartIdentity: boolean;
}

/** Any change of a captured transaction, in commit order. */
export type CapturedChange = RowChange | TruncateChange;

/** The source transaction of the change being mapped. */
export interface TransactionInfo {
  /** Postgres transaction id. */
  xid: number;
  /** The commit LSN, e.g. `0/16B3748`: the `sourceposition` of the events it gives. */
  position: string;
  /** When the transaction committed: the `time` of the events it gives. */
  commitTime: Date;
  /** Every change of the transaction, in commit order, including the one being mapped. */
  changes: readonly CapturedChange[];
}

/** What a mapper can ask while it maps a change. */
export interface MappingContext {
  /**
   * The last known version of a row, by primary key (`{ id: '7' }`, values as text): from changes
   * already seen on the stream or in the snapshot (deleted rows keep their last values), else read
   * from the legacy database. Use it for values that do not change (a reference, an owner).
   */
  lookup(table: string, key: Record<string, string>): Promise<Row | null>;
  /**
   * The row as of the change being mapped, or null when unknown: only rows seen on the stream or in
   * the snapshot, never a database read (which may already hold a later version). Use it for values
   * that must not run ahead of the stream, such as an aggregate version.
   */
  seen(table: string, key: Record<string, string>): Row | null;
  /** The transaction of the change being mapped; null for snapshot rows. */
  readonly transaction: TransactionInfo | null;
}

/**
 * Envelope attributes a draft may bring instead of the adapter's: for events that already have
 * them, such as the rows of an outbox table (an event made by a service keeps its id and source).
 * A mapper of row changes leaves them out: the adapter's deterministic id and the commit time are
 * what make a replay repeat an event exactly.
 */
export interface DraftEnvelope {
  /** Event id; unique within `source`. Default: derived from the commit position and index. */
  id?: string;
  /** The producer. Default: the adapter's `source`. */
  source?: string;
  /** ISO 8601. Default: the commit time. */
  time?: string;
  /** Id of the event or command that caused this one. */
  causationid?: string;
  /** Id shared by the events of one business flow. */
  correlationid?: string;
}

/** A draft of no particular catalog: what an untyped mapper returns (the catalog checks it at run time). */
export interface AnyEventDraft {
  type: string;
  data: unknown;
  envelope?: DraftEnvelope;
}

/**
 * An event before the adapter gives it an id, a source, a position and a time: `{ type, data }`
 * of one current event of the catalog `C` (any draft when no catalog type is given), with
 * `envelope` for attributes it already has.
 */
export type EventDraft<C extends AnyCatalog = AnyCatalog> = [CatalogDraft<C>] extends [never]
  ? AnyEventDraft
  : CatalogDraft<C> & { envelope?: DraftEnvelope };

/** Drafts, returned directly or as a promise. */
export type Drafts<C extends AnyCatalog = AnyCatalog> = EventDraft<C>[] | Promise<EventDraft<C>[]>;

/**
 * The anti-corruption layer: turns the legacy schema's row changes into the catalog's events.
 * Changes are mapped one at a time, in commit order; a thrown error (or a draft the catalog
 * refuses) is a mapping error of that change.
 */
export interface Mapper<C extends AnyCatalog = AnyCatalog> {
  /** Tables to capture, schema-qualified (`public.customers`); also the order the snapshot reads them. */
  readonly tables: readonly string[];
  /** Tables whose updates and deletes must carry the whole old row (REPLICA IDENTITY FULL). Default none. */
  readonly fullIdentityTables?: readonly string[];
  /** Events for one row change (snapshot rows are inserts with `snapshot: true`). */
  mapChange(change: RowChange, ctx: MappingContext): Drafts<C>;
  /**
   * Events for a `TRUNCATE` of captured tables. Without it the adapter stops at a truncate, unless
   * started with `onTruncate: 'skip'`.
   */
  mapTruncate?(change: TruncateChange, ctx: MappingContext): Drafts<C>;
}
