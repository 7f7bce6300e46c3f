/**
 * What stopped the adapter or refused a value:
 * - `INVALID_CONFIG`: an option, flag, catalog or mapper file is wrong (the message names it).
 * - `SOURCE_NOT_READY`: the legacy database cannot be captured as it is (the message says what to run).
 * - `SLOT_MISSING`, `SLOT_LOST`: the replication slot is gone or invalidated; changes were lost.
 * - `MAPPING_FAILED`: the mapper threw, or a draft it returned was refused by the catalog.
 * - `UNHANDLED_TRUNCATE`: a captured table was truncated and the mapper has no `mapTruncate`.
 * - `REPLICATION_FAILED`: the replication connection ended (retriable).
 * - `LOOKUP_FAILED`: `ctx.lookup` could not read the legacy database (retriable when the connection
 *   failed; not when the query itself is wrong, e.g. an unknown table or column).
 * - `INVALID_COLUMN`: a column reader got a value that is not of the form it reads.
 * - `UNCHANGED_TOAST`: a column reader got an unchanged TOAST value (its content was not sent).
 * - `WRITE_BACK_FAILED`: an event could not be applied to the legacy database (retried, never
 *   skipped).
 * - `BARRIER_FAILED`: what was committed could not be confirmed published in time (retriable).
 */
export type LegacyAdapterErrorCode =
  | 'INVALID_CONFIG'
  | 'SOURCE_NOT_READY'
  | 'SLOT_MISSING'
  | 'SLOT_LOST'
  | 'MAPPING_FAILED'
  | 'UNHANDLED_TRUNCATE'
  | 'REPLICATION_FAILED'
  | 'LOOKUP_FAILED'
  | 'INVALID_COLUMN'
  | 'UNCHANGED_TOAST'
  | 'WRITE_BACK_FAILED'
  | 'BARRIER_FAILED';

/** The one error class of this package. `retriable` says whether restarting the adapter may help. */
export class LegacyAdapterError extends Error {
  override readonly name = 'LegacyAdapterError';
  constructor(
    readonly code: LegacyAdapterErrorCode,
    message: string,
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options);
    this.retriable = options?.retriable ?? false;
  }
  readonly retriable: boolean;
}
