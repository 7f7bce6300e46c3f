import {
  columns,
  type MappingContext,
  type RowChange,
  type TransactionInfo,
} from '@strangler/legacy-adapter';
import type { AllocationDraft } from '../catalog/index.js';
import { PRODUCTS } from './tables.js';

const { text, int } = columns;

/** Product versions each transaction wrote, by sku: computed once per transaction. */
const versionsByTransaction = new WeakMap<TransactionInfo, Map<string, number>>();

function transactionVersions(tx: TransactionInfo): Map<string, number> {
  let versions = versionsByTransaction.get(tx);
  if (!versions) {
    versions = new Map();
    for (const c of tx.changes) {
      if ((c.kind === 'insert' || c.kind === 'update') && c.table === PRODUCTS) {
        versions.set(text(c.row, 'sku'), int(c.row, 'version_number'));
      }
    }
    versionsByTransaction.set(tx, versions);
  }
  return versions;
}

/**
 * The legacy app bumps products.version_number in every write: that is the aggregate version.
 * Consumers skip events older than the version they hold, so a version is stamped only when it is
 * known as of this change's transaction (its last write of the product, even after this change),
 * or from the rows the stream showed; never from a read of the database's current row.
 */
export function stamp(
  drafts: AllocationDraft[],
  change: RowChange,
  ctx: MappingContext,
): AllocationDraft[] {
  return drafts.map((draft) => {
    const { sku } = draft.data;
    let version = ctx.transaction ? transactionVersions(ctx.transaction).get(sku) : undefined;
    if (version === undefined && change.table === PRODUCTS && change.kind === 'insert') {
      version = int(change.row, 'version_number'); // a snapshot row of the product itself
    }
    if (version === undefined) {
      const product = ctx.seen(PRODUCTS, { sku });
      version = product ? int(product, 'version_number') : undefined;
    }
    return version === undefined
      ? draft
      : ({ ...draft, data: { ...draft.data, version } } as AllocationDraft);
  });
}
