import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
type RecordFn = (r: object) => Encoded;
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as RecordFn;
const makeRecord = require('../../worker/kafkajs-record.cjs') as (encoder: unknown) => RecordFn;
const fastRecord = makeRecord(require('kafkajs/src/protocol/encoder'));

describe('the producer thread’s record encoder', () => {
  it('writes exactly the bytes kafkajs 2.2.4 writes, for every shape of record it is given', () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: 'c2b1f0a4-1c2d-5e3f-9a8b-7c6d5e4f3a2b',
      ce_type: 'io.strangler.allocation.batch_created.v1',
      'content-type': 'application/json',
      ünï: 'çødé ✓',
    };
    const records = [
      { key: 'SKU-1', value: '{"sku":"SKU-1"}', headers, offsetDelta: 0, timestampDelta: 0 },
      {
        key: Buffer.from('k'),
        value: Buffer.alloc(300, 7),
        headers: { a: Buffer.from('b') },
        offsetDelta: 70,
        timestampDelta: 123_456,
      },
      { key: null, value: null, headers: {}, offsetDelta: 1_000_000, timestampDelta: -5 },
      {
        key: 'x',
        value: 'y'.repeat(10_000),
        headers: { many: ['1', '2', '3'] },
        offsetDelta: 9,
        timestampDelta: 2 ** 40,
      },
      { key: 'no-headers', value: 'v' },
    ];
    for (const r of records)
      expect(fastRecord(r).buffer.toString('hex'), JSON.stringify(r).slice(0, 80)).toBe(
        kafkajsRecord(r).buffer.toString('hex'),
      );
  });
});
