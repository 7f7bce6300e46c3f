import type { AnyCatalog } from '@strangler/event-schemas';
import { checkMapper } from '../mapping/define-mapper.js';
import { draftMessages, type EventOrigin } from '../mapping/draft-events.js';
import type { CapturedChange, Mapper, TransactionInfo } from '../mapping/types.js';
import { FakeRows } from './fake-rows.js';
import { MapperSpecResult, type Outcome } from './mapper-spec-result.js';
import { pgRow, type TestRow } from './pg-text.js';

/** A row the mapper's context knows before the change: `{ table, row }`. */
export interface GivenRow {
  table: string;
  row: TestRow;
}

/** The transaction the changes of `when` belong to; each field has a fixed default. */
export interface TransactionContext {
  xid?: number;
  /** Commit LSN. Default `0/1000`. */
  position?: string;
  /** Default 2024-01-01T00:00:00Z. */
  commitTime?: Date;
}

const SOURCE = '/strangler/mapper-spec';

/**
 * Given/when/then for a mapper, after emmett's DeciderSpecification: the rows seen earlier, a
 * change (or the changes of one transaction), then the drafts it must give. Every draft is
 * validated by the catalog exactly as the adapter does (one `createEvent` each) before the
 * comparison; assertions use node:assert, so any test runner shows their diff.
 *
 * ```ts
 * await MapperSpec.for(mapper, catalog)
 *   .given([{ table: 'public.customers', row: { id: 7, email: 'ada@example.com' } }])
 *   .when(change.insert('public.orders', { id: 1, customer_id: 7, total: '12.50' }))
 *   .then([{ type: 'com.example.shop.order_placed.v1', data: { ... } }]);
 * ```
 */
export class MapperSpec<C extends AnyCatalog> {
  private constructor(
    private readonly mapper: Mapper<C> | Mapper,
    private readonly catalog: C,
    private readonly seen: readonly GivenRow[],
    private readonly database: readonly GivenRow[],
  ) {}

  static for<C extends AnyCatalog>(mapper: Mapper<C> | Mapper, catalog: C): MapperSpec<C> {
    checkMapper(mapper);
    return new MapperSpec<C>(mapper, catalog, [], []);
  }

  /** Rows the stream showed before (snapshot or earlier changes): `ctx.seen` and `ctx.lookup` find them. */
  given(rows: readonly GivenRow[]): MapperSpec<C> {
    return new MapperSpec(this.mapper, this.catalog, [...this.seen, ...rows], this.database);
  }

  /** Rows only in the legacy database (not seen on the stream): `ctx.lookup` finds them, `ctx.seen` does not. */
  givenDatabase(rows: readonly GivenRow[]): MapperSpec<C> {
    return new MapperSpec(this.mapper, this.catalog, this.seen, [...this.database, ...rows]);
  }

  /**
   * The change to map, or the changes of one transaction (mapped in order; each sees the ones
   * before, and `ctx.transaction.changes` holds them all). Snapshot rows have no transaction.
   */
  when(
    changes: CapturedChange | readonly CapturedChange[],
    transaction: TransactionContext = {},
  ): MapperSpecResult<C> {
    const list = Array.isArray(changes) ? [...changes] : [changes as CapturedChange];
    return new MapperSpecResult(() => this.run(list, transaction));
  }

  private async run(changes: CapturedChange[], tx: TransactionContext): Promise<Outcome> {
    const snapshot = changes.filter((c) => c.kind === 'insert' && c.snapshot).length;
    if (snapshot > 0 && snapshot < changes.length) {
      throw new Error('MapperSpec: snapshot rows and streamed changes cannot share a transaction');
    }
    const position = tx.position ?? '0/1000';
    const transaction: TransactionInfo | null =
      snapshot > 0
        ? null
        : {
            xid: tx.xid ?? 1000,
            position,
            commitTime: tx.commitTime ?? new Date('2024-01-01T00:00:00Z'),
            changes,
          };
    const origin: EventOrigin = {
      source: SOURCE,
      position: transaction ? position : 'snapshot@0/1000',
      time: (transaction?.commitTime ?? new Date('2024-01-01T00:00:00Z')).toISOString(),
      xid: transaction?.xid ?? null,
    };
    const rows = new FakeRows(
      this.seen.map((g) => ({ table: g.table, row: pgRow(g.row) })),
      this.database.map((g) => ({ table: g.table, row: pgRow(g.row) })),
    );
    const ctx = rows.context(transaction);
    const drafts: unknown[] = [];
    for (const change of changes) {
      try {
        let out: unknown;
        if (change.kind !== 'truncate') out = await this.mapper.mapChange(change, ctx);
        else if (this.mapper.mapTruncate) out = await this.mapper.mapTruncate(change, ctx);
        else {
          throw new Error(
            "the mapper has no mapTruncate: the adapter stops at this truncate (or skips it with onTruncate: 'skip')",
          );
        }
        draftMessages(this.catalog, out, origin, drafts.length, 'mapper-spec');
        drafts.push(...(out as unknown[]));
      } catch (e) {
        return { error: e instanceof Error ? e : new Error(String(e)), change };
      }
      rows.remember(change);
    }
    return { drafts };
  }
}
