// Public API of @strangler/legacy-adapter: start the capture with your catalog and mapper, build
// the mapper (defineMapper, column readers) and read dead letters. The test kit is in ./testing.
export { startAdapter } from './adapter.js';
export { columns, parseArrayLiteral, type ArrayNode, type ColumnReader } from './columns/index.js';
export { LegacyAdapterError, type LegacyAdapterErrorCode } from './errors.js';
export { UNCHANGED_TOAST_MARKER, type DeadLetterRecord } from './mapping/dead-letter.js';
export { defineMapper } from './mapping/define-mapper.js';
export { outboxMapper, type OutboxMapperOptions } from './mapping/outbox-mapper.js';
export { defineWriteBack } from './write-back/define-write-back.js';
export { startWriteBack } from './write-back/write-back.js';
export type {
  AnyEventDraft,
  DraftEnvelope,
  CapturedChange,
  DeleteChange,
  Drafts,
  EventDraft,
  InsertChange,
  Mapper,
  MappingContext,
  RowChange,
  TransactionInfo,
  TruncateChange,
  UpdateChange,
} from './mapping/types.js';
export { UNCHANGED_TOAST, type ColumnValue, type Row } from './pg/pgoutput.js';
export type {
  AdapterOptions,
  AdapterStatus,
  BarrierPosition,
  Logger,
  RunningAdapter,
  RunningWriteBack,
  WriteBackBehind,
  WriteBackMapping,
  WriteBackOptions,
  WriteBackStatus,
  WriteBackTransaction,
} from './types.js';
