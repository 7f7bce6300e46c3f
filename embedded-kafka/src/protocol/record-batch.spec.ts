import { describe, expect, it } from 'vitest';
import { KafkaErrorCode } from '../errors.js';
import { kafkajsBatch } from './kafkajs-batch.fixture.js';
import {
  assignBaseOffset,
  checkProducedBatch,
  crcMatches,
  firstRecordAtOrAfter,
  readBatchHeader,
} from './record-batch.js';

const messages = [
  { key: 'a', value: 'one', timestamp: 1_000 },
  { key: 'b', value: 'two', timestamp: 2_000 },
  { value: 'three', timestamp: 3_000 },
];

describe('record batches', () => {
  it('accepts a batch as kafkajs encodes it and reads its header', async () => {
    const batch = await kafkajsBatch(messages, { producerId: 42, firstSequence: 7 });
    const check = checkProducedBatch(batch, 1_048_588);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.header).toMatchObject({
      size: batch.length,
      magic: 2,
      lastOffsetDelta: 2,
      recordCount: 3,
      firstTimestamp: 1_000,
      maxTimestamp: 3_000,
      producerId: 42,
      baseSequence: 7,
    });
  });

  it('stamps the base offset without invalidating the checksum', async () => {
    const batch = await kafkajsBatch(messages);
    assignBaseOffset(batch, 12_345);
    const header = readBatchHeader(batch)!;
    expect(header.baseOffset).toBe(12_345);
    expect(crcMatches(batch, header)).toBe(true);
  });

  it('answers CORRUPT_MESSAGE for a flipped byte and for a truncated batch', async () => {
    const batch = await kafkajsBatch(messages);
    const flipped = Buffer.from(batch);
    flipped[flipped.length - 1]! ^= 0xff;
    expect(checkProducedBatch(flipped, 1_048_588)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.CORRUPT_MESSAGE,
      reason: 'CRC-32C mismatch',
    });
    expect(checkProducedBatch(batch.subarray(0, batch.length - 1), 1_048_588)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.CORRUPT_MESSAGE,
    });
    expect(checkProducedBatch(batch.subarray(0, 30), 1_048_588)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.CORRUPT_MESSAGE,
    });
  });

  it('answers MESSAGE_TOO_LARGE above the configured limit', async () => {
    const batch = await kafkajsBatch(messages);
    expect(checkProducedBatch(batch, batch.length)).toMatchObject({ ok: true });
    expect(checkProducedBatch(batch, batch.length - 1)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.MESSAGE_TOO_LARGE,
    });
  });

  it('refuses two batches in one partition record set and old message formats', async () => {
    const batch = await kafkajsBatch(messages);
    expect(checkProducedBatch(Buffer.concat([batch, batch]), 10_000_000)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.INVALID_RECORD,
    });
    const v1 = Buffer.from(batch);
    v1.writeInt8(1, 16);
    expect(checkProducedBatch(v1, 10_000_000)).toMatchObject({
      ok: false,
      error: KafkaErrorCode.INVALID_RECORD,
    });
  });

  it.each([false, true])(
    'finds the first record at or after a timestamp (gzip: %s)',
    async (gzip) => {
      const batch = await kafkajsBatch(messages, { gzip });
      assignBaseOffset(batch, 100);
      const header = readBatchHeader(batch)!;
      expect(firstRecordAtOrAfter(batch, header, 0)).toEqual({ offset: 100, timestamp: 1_000 });
      expect(firstRecordAtOrAfter(batch, header, 1_500)).toEqual({ offset: 101, timestamp: 2_000 });
      expect(firstRecordAtOrAfter(batch, header, 3_000)).toEqual({ offset: 102, timestamp: 3_000 });
      expect(firstRecordAtOrAfter(batch, header, 3_001)).toBeNull();
    },
  );
});
