import { gunzipSync } from 'node:zlib';
import { KafkaErrorCode } from '../errors.js';
import { crc32c } from './crc32c.js';
import { Reader } from './reader.js';

/** Bytes before the records of a v2 record batch. */
export const BATCH_HEADER_BYTES = 61;
/** baseOffset (8) + batchLength (4): the part of the header outside batchLength. */
export const BATCH_LOG_OVERHEAD = 12;
const CRC_START = 21;

export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size in bytes, header included. */
  size: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch starting at `at`; null when fewer bytes than a header remain. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader | null {
  if (buf.length - at < BATCH_HEADER_BYTES) return null;
  return {
    baseOffset: Number(buf.readBigInt64BE(at)),
    size: buf.readInt32BE(at + 8) + BATCH_LOG_OVERHEAD,
    magic: buf.readInt8(at + 16),
    crc: buf.readUInt32BE(at + 17),
    attributes: buf.readInt16BE(at + 21),
    lastOffsetDelta: buf.readInt32BE(at + 23),
    firstTimestamp: Number(buf.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
    producerId: Number(buf.readBigInt64BE(at + 43)),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    recordCount: buf.readInt32BE(at + 57),
  };
}

export function crcMatches(batch: Buffer, header: BatchHeader): boolean {
  return crc32c(batch, CRC_START, header.size) === header.crc;
}

export type BatchCheck =
  { ok: true; header: BatchHeader } | { ok: false; error: KafkaErrorCode; reason: string };

/**
 * Validates a produced record set the way a Kafka broker does for produce v3+: exactly one v2 batch,
 * a matching length, a correct CRC-32C and at least one record.
 */
export function checkProducedBatch(records: Buffer, maxMessageBytes: number): BatchCheck {
  const header = readBatchHeader(records);
  if (!header)
    return {
      ok: false,
      error: KafkaErrorCode.CORRUPT_MESSAGE,
      reason: 'record set shorter than a batch header',
    };
  if (header.magic !== 2) {
    return {
      ok: false,
      error: KafkaErrorCode.INVALID_RECORD,
      reason: `record batch magic ${header.magic}; only v2 batches are served`,
    };
  }
  if (header.size !== records.length) {
    return {
      ok: false,
      error:
        header.size > records.length
          ? KafkaErrorCode.CORRUPT_MESSAGE
          : KafkaErrorCode.INVALID_RECORD,
      reason: `batch length ${header.size} but record set holds ${records.length} bytes (exactly one batch per partition)`,
    };
  }
  if (records.length > maxMessageBytes) {
    return {
      ok: false,
      error: KafkaErrorCode.MESSAGE_TOO_LARGE,
      reason: `batch of ${records.length} bytes exceeds maxMessageBytes ${maxMessageBytes}`,
    };
  }
  if (!crcMatches(records, header))
    return { ok: false, error: KafkaErrorCode.CORRUPT_MESSAGE, reason: 'CRC-32C mismatch' };
  if (header.recordCount < 1 || header.lastOffsetDelta < 0) {
    return {
      ok: false,
      error: KafkaErrorCode.INVALID_RECORD,
      reason: `batch with ${header.recordCount} records`,
    };
  }
  return { ok: true, header };
}

/** Stamps the broker-assigned offset into a stored batch (not covered by the CRC). */
export function assignBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  batch.writeInt32BE(0, 12); // partitionLeaderEpoch: this broker is always leader epoch 0
}

const COMPRESSION_MASK = 0x07;
const GZIP = 1;

/**
 * The first record in the batch with a timestamp >= `target`, for ListOffsets by time. Exact for
 * uncompressed and gzip batches; other codecs fall back to the batch's first offset and time, which
 * is where a consumer starting there would begin anyway.
 */
export function firstRecordAtOrAfter(
  batch: Buffer,
  header: BatchHeader,
  target: number,
): { offset: number; timestamp: number } | null {
  if (header.maxTimestamp < target) return null;
  const codec = header.attributes & COMPRESSION_MASK;
  let records: Buffer;
  if (codec === 0) records = batch.subarray(BATCH_HEADER_BYTES, header.size);
  else if (codec === GZIP) records = gunzipSync(batch.subarray(BATCH_HEADER_BYTES, header.size));
  else return { offset: header.baseOffset, timestamp: header.firstTimestamp };
  const r = new Reader(records);
  for (let i = 0; i < header.recordCount && r.remaining > 0; i++) {
    const length = r.varint();
    const end = r.offset + length;
    r.int8(); // attributes
    const timestamp = header.firstTimestamp + r.varint();
    const offsetDelta = r.varint();
    if (timestamp >= target) return { offset: header.baseOffset + offsetDelta, timestamp };
    r.offset = end;
  }
  return null;
}
