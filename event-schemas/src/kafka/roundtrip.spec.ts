import { describe, expect, it } from 'vitest';
import { eventDefinitions } from '../catalog.js';
import { createEvent } from '../create.js';
import { deterministicEventId } from '../ids.js';
import type {
  DomainEventType,
  EventData,
  KafkaIncomingMessage,
  KafkaOutgoingMessage,
} from '../types.js';
import { fromKafkaMessage } from './decode.js';
import { toKafkaMessage } from './encode.js';
import { parseKafkaMessage } from './parse-message.js';

const SOURCE = '/legacy/postgres/shop';

/** What a kafkajs consumer hands to eachMessage for what a producer sent: Buffers everywhere. */
function delivered(sent: KafkaOutgoingMessage): KafkaIncomingMessage {
  return {
    key: Buffer.from(sent.key),
    value: Buffer.from(sent.value),
    headers: Object.fromEntries(Object.entries(sent.headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function build(type: DomainEventType, data: unknown, index = 0) {
  return createEvent(type, data as EventData<typeof type>, {
    id: deterministicEventId(SOURCE, '0/16B3748', index),
    source: SOURCE,
    time: '2024-05-01T12:00:00.123456+02:00',
    sourceposition: '0/16B3748',
    sourcetx: '771',
  });
}

describe('Kafka codec round trip', () => {
  it.each(eventDefinitions.map((d) => [d.type, d] as const))(
    '%s survives toKafkaMessage -> kafkajs Buffers -> parseKafkaMessage unchanged',
    (type, d) => {
      const event = build(type, d.example);
      expect(parseKafkaMessage(delivered(toKafkaMessage(event)))).toEqual({
        ok: true,
        event,
        extensions: {},
      });
    },
  );

  it('survives with string headers and value as well', () => {
    const event = build('io.strangler.allocation.batch_eta_changed.v1', {
      ref: 'b',
      sku: 'ß-ünïcödé',
      eta: null,
    });
    const sent = toKafkaMessage(event);
    expect(parseKafkaMessage(sent)).toEqual({ ok: true, event, extensions: {} });
  });

  it('survives structured mode (the event as application/cloudevents+json)', () => {
    const event = build('io.strangler.allocation.allocated.v1', {
      orderid: 'o',
      sku: 'S',
      qty: 2,
      batchref: 'b',
    });
    const result = parseKafkaMessage({
      key: Buffer.from('S'),
      value: Buffer.from(JSON.stringify(event)),
      headers: { 'content-type': Buffer.from('application/cloudevents+json') },
    });
    expect(result).toEqual({ ok: true, event, extensions: {} });
  });

  it('produces byte-identical messages when a change is captured again after a crash', () => {
    const data = { ref: 'b', sku: 'S', qty: 5 };
    const first = [0, 1].map((i) =>
      toKafkaMessage(build('io.strangler.allocation.batch_quantity_changed.v1', data, i)),
    );
    const replay = [0, 1].map((i) =>
      toKafkaMessage(build('io.strangler.allocation.batch_quantity_changed.v1', data, i)),
    );
    expect(replay).toEqual(first);
    expect(first[0]?.headers.ce_id).not.toBe(first[1]?.headers.ce_id);
  });

  it('keeps a foreign extension header through decode and reports it beside the event', () => {
    const sent = toKafkaMessage(build('io.strangler.allocation.product_created.v1', { sku: 'S' }));
    const received = delivered({
      ...sent,
      headers: { ...sent.headers, ce_traceparent: '00-abc-01' },
    });
    const result = parseKafkaMessage(received);
    expect(result.ok && result.extensions).toEqual({ traceparent: '00-abc-01' });
    expect(fromKafkaMessage(received).ok).toBe(true);
  });

  it.each([
    ['DECODE_FAILED', { value: Buffer.from('nope') }],
    ['INVALID_ENVELOPE', { headersChange: { ce_time: 'soon' } }],
    ['UNKNOWN_TYPE', { headersChange: { ce_type: 'io.strangler.allocation.batch_deleted.v1' } }],
    ['INVALID_DATA', { value: Buffer.from('{"sku":""}') }],
  ] as const)('parseKafkaMessage reports %s from the stage that refused', (code, change) => {
    const sent = delivered(
      toKafkaMessage(build('io.strangler.allocation.product_created.v1', { sku: 'S' })),
    );
    const headersChange = 'headersChange' in change ? change.headersChange : {};
    const result = parseKafkaMessage({
      ...sent,
      value: 'value' in change ? change.value : sent.value,
      headers: { ...sent.headers, ...headersChange },
    });
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });
});
