export { startAdapter } from './adapter.js';
export { LegacyAdapterError, type LegacyAdapterErrorCode } from './errors.js';
export { allocationMapper } from './mapping/allocation-mapper.js';
export type { EventDraft, Mapper, MappingContext } from './mapping/mapper.js';
export type { CapturedTransaction, RowChange } from './capture/transaction.js';
export { UNCHANGED_TOAST, type ColumnValue, type Row } from './pg/pgoutput.js';
export type { AdapterOptions, AdapterStatus, Logger, RunningAdapter } from './types.js';
