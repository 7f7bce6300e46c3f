import { createRequire } from 'node:module';

// kafkajs's own record-batch encoder, so batch tests check against what the real client sends.
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const { Types } = require('kafkajs/src/protocol/message/compression') as {
  Types: { None: number; GZIP: number };
};

export interface FixtureMessage {
  key?: string;
  value: string;
  timestamp: number;
}

/** A v2 record batch exactly as kafkajs 2.2.4 encodes it for a produce request. */
export async function kafkajsBatch(
  messages: FixtureMessage[],
  opts: { gzip?: boolean; producerId?: number; firstSequence?: number } = {},
): Promise<Buffer> {
  const first = Math.min(...messages.map((m) => m.timestamp));
  const records = messages.map((m, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: m.timestamp - first,
      key: m.key === undefined ? null : Buffer.from(m.key),
      value: Buffer.from(m.value),
    }),
  );
  const batch = await RecordBatch({
    compression: opts.gzip ? Types.GZIP : Types.None,
    records,
    firstTimestamp: first,
    maxTimestamp: Math.max(...messages.map((m) => m.timestamp)),
    producerId: opts.producerId ?? -1,
    firstSequence: opts.firstSequence ?? 0,
    lastOffsetDelta: records.length - 1,
  });
  return Buffer.from(batch.buffer);
}
