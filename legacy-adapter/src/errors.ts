export type LegacyAdapterErrorCode =
  | 'INVALID_CONFIG'
  | 'SOURCE_NOT_READY'
  | 'SLOT_MISSING'
  | 'SLOT_LOST'
  | 'MAPPING_FAILED'
  | 'REPLICATION_FAILED';

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
