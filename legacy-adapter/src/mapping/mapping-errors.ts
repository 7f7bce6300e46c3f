import { LegacyAdapterError } from '../errors.js';
import { changeLabel, rowOf, rowPreview, type MappingFailure } from './describe.js';
import type { CapturedChange, TruncateChange } from './types.js';

const STOP_HINT =
  'Nothing from this change on is confirmed, so a restart maps it again: fix the mapper, or start with --on-mapping-error dead-letter';

/** The one-line stop of `onMappingError: 'stop'`: table, position, xid, change, reason, row. */
export function mappingFailed(
  change: CapturedChange,
  where: string,
  failure: MappingFailure,
  cause: unknown,
): LegacyAdapterError {
  const row = rowOf(change);
  return new LegacyAdapterError(
    'MAPPING_FAILED',
    `cannot map ${changeLabel(change)} at ${where}: ${failure.reason}` +
      `${row ? `; row ${rowPreview(row)}` : ''}. ${STOP_HINT}`,
    { cause },
  );
}

/** The one-line stop at a TRUNCATE the mapper has no `mapTruncate` for. */
export function unhandledTruncate(change: TruncateChange, where: string): LegacyAdapterError {
  return new LegacyAdapterError(
    'UNHANDLED_TRUNCATE',
    `TRUNCATE of ${change.tables.join(', ')} at ${where}: the mapper has no mapTruncate; add mapTruncate to the mapper to emit an event, or start with --on-truncate skip. ` +
      'Nothing from this transaction on is confirmed: a restart stops here again',
  );
}

/** A lost database connection under ctx.lookup: a restart may cure it, so it is no mapping error. */
export function isRetriable(e: unknown): boolean {
  for (let c = e, depth = 0; c && depth < 5; c = (c as Error).cause, depth++) {
    if (c instanceof LegacyAdapterError && c.retriable) return true;
  }
  return false;
}
