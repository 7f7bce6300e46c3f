import { eventTypes, toKafkaMessage, createEvent } from '@strangler/event-schemas';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { translate } from './eventConsumer.js';

const attributes = { id: 'e-1', source: '/legacy/postgres/shop', time: '2026-01-01T00:00:00Z' };

function asReceived(message: {
  key: string;
  value: string;
  headers: Record<string, string>;
}): KafkaMessage {
  return {
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]),
    ),
    timestamp: '0',
    attributes: 0,
    offset: '0',
  };
}

describe('translate (integration event -> command)', () => {
  it('turns each event type into its recording command, keeping the aggregate version', () => {
    const cases = [
      [
        eventTypes.ProductCreated,
        { sku: 'S', version: 2 },
        { type: 'RecordProduct', sku: 'S', version: 2 },
      ],
      [
        eventTypes.BatchCreated,
        { sku: 'S', ref: 'b', qty: 1, eta: null },
        { type: 'RecordBatch', sku: 'S', ref: 'b', qty: 1, eta: null },
      ],
      [
        eventTypes.BatchQuantityChanged,
        { sku: 'S', ref: 'b', qty: 3 },
        { type: 'RecordBatchQuantity', sku: 'S', ref: 'b', qty: 3 },
      ],
      [
        eventTypes.BatchEtaChanged,
        { sku: 'S', ref: 'b', eta: '2030-01-01' },
        { type: 'RecordBatchEta', sku: 'S', ref: 'b', eta: '2030-01-01' },
      ],
      [
        eventTypes.Allocated,
        { sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
        { type: 'RecordAllocation', sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
      ],
      [
        eventTypes.Deallocated,
        { sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
        { type: 'RecordDeallocation', sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
      ],
    ] as const;
    for (const [type, data, command] of cases) {
      const message = asReceived(toKafkaMessage(createEvent(type, data as never, attributes)));
      expect(translate(message)).toEqual({
        ok: true,
        event: { source: attributes.source, id: 'e-1', type },
        command,
      });
    }
  });

  it('keeps the identity of an event whose data is invalid, so a redelivery is recognised', () => {
    const good = toKafkaMessage(createEvent(eventTypes.ProductCreated, { sku: 'S' }, attributes));
    const result = translate(asReceived({ ...good, value: '{"sku":""}' }));
    expect(result).toMatchObject({
      ok: false,
      event: { source: attributes.source, id: 'e-1' },
      reason: { code: 'INVALID_DATA' },
    });
  });
});
