import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import {
  crcMatches,
  readBatchHeader,
  BATCH_HEADER_BYTES,
  type BatchHeader,
} from '../protocol/record-batch.js';

export interface LoadedLog {
  file: LogFile;
  batches: Array<{ buf: Buffer; header: BatchHeader }>;
  /** Bytes cut from the end because the last write was torn or corrupt. */
  truncatedBytes: number;
}

/**
 * A partition's append-only log file in Kafka's own on-disk batch format. Appends go to the OS
 * before the produce is acknowledged (they survive a process crash); fsync happens on `sync()`,
 * which the broker calls on its flush interval, or on every append when the interval is 0.
 */
export class LogFile {
  private dirty = false;
  private constructor(
    private fd: number | null,
    private readonly syncEachAppend: boolean,
  ) {}

  static open(path: string, syncEachAppend: boolean): LoadedLog {
    const fd = openSync(path, 'a+');
    const data = readFileSync(path);
    const batches: LoadedLog['batches'] = [];
    let at = 0;
    while (at < data.length) {
      const header = readBatchHeader(data, at);
      if (!header || header.size < BATCH_HEADER_BYTES || at + header.size > data.length) break;
      const buf = data.subarray(at, at + header.size);
      if (!crcMatches(buf, header)) break;
      batches.push({ buf, header });
      at += header.size;
    }
    const truncatedBytes = data.length - at;
    if (truncatedBytes > 0) {
      ftruncateSync(fd, at);
      fsyncSync(fd);
    }
    return { file: new LogFile(fd, syncEachAppend), batches, truncatedBytes };
  }

  append(buf: Buffer): void {
    if (this.fd === null) return;
    let written = 0;
    while (written < buf.length) written += writeSync(this.fd, buf, written);
    if (this.syncEachAppend) fsyncSync(this.fd);
    else this.dirty = true;
  }

  sync(): void {
    if (this.fd !== null && this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }
}
