import {
  assignBaseOffset,
  firstRecordAtOrAfter,
  type BatchHeader,
} from '../protocol/record-batch.js';
import type { LogFile } from './log-file.js';

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  buf: Buffer;
  header: BatchHeader;
}

/**
 * One partition's log: record batches stored verbatim, in memory, optionally mirrored to an
 * append-only file. With one replica, the high watermark is the log end offset.
 */
export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  logStartOffset = 0;
  /** Log end offset = high watermark: the offset the next record gets. */
  nextOffset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly file?: LogFile,
  ) {}

  /** Restores a batch read back from the log file at startup. */
  restore(buf: Buffer, header: BatchHeader): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (this.batches.length === 0) this.logStartOffset = header.baseOffset;
    this.batches.push({ baseOffset: header.baseOffset, lastOffset, buf, header });
    this.nextOffset = lastOffset + 1;
  }

  /** Appends a validated batch, assigns its offsets, and wakes waiting fetches. */
  append(batch: Buffer, header: BatchHeader): number {
    const baseOffset = this.nextOffset;
    assignBaseOffset(batch, baseOffset);
    this.file?.append(batch);
    const stored = {
      baseOffset,
      lastOffset: baseOffset + header.lastOffsetDelta,
      buf: batch,
      header: { ...header, baseOffset },
    };
    this.batches.push(stored);
    this.nextOffset = stored.lastOffset + 1;
    for (const wake of [...this.listeners]) wake();
    return baseOffset;
  }

  /**
   * Batches from the one holding `offset`, up to `maxBytes`. The first batch is returned even when
   * larger than the limit (when `atLeastOne`), so a consumer always makes progress, as in Kafka.
   */
  read(
    offset: number,
    maxBytes: number,
    atLeastOne: boolean,
  ): { buffers: Buffer[]; bytes: number } {
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const batch = this.batches[i]!;
      if (bytes + batch.buf.length > maxBytes && !(atLeastOne && buffers.length === 0)) break;
      buffers.push(batch.buf);
      bytes += batch.buf.length;
    }
    return { buffers, bytes };
  }

  /** Earliest offset whose record timestamp is >= `timestamp`, for ListOffsets by time. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const batch of this.batches) {
      const found = firstRecordAtOrAfter(batch.buf, batch.header, timestamp);
      if (found) return found;
    }
    return null;
  }

  /** Calls `listener` after every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Index of the first batch whose last offset is >= offset (binary search). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
