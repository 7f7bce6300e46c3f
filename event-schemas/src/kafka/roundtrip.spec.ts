import { describe, expect, it } from 'vitest';
import { deterministicEventId } from '../ids.js';
import { bankCatalog } from '../testing/bank-catalog.js';
import type {
  CatalogEventData,
  CatalogEventType,
  KafkaIncomingMessage,
  KafkaOutgoingMessage,
} from '../types.js';
import { fromKafkaMessage } from './decode.js';

type Bank = typeof bankCatalog;
const { parseKafkaMessage, toKafkaMessage, types } = bankCatalog;
const SOURCE = '/legacy/postgres/bank';

/** What a kafkajs consumer hands to eachMessage for what a producer sent: Buffers everywhere. */
function delivered(sent: KafkaOutgoingMessage): KafkaIncomingMessage {
  return {
    key: Buffer.from(sent.key),
    value: Buffer.from(sent.value),
    headers: Object.fromEntries(Object.entries(sent.headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function build<T extends CatalogEventType<Bank>>(
  type: T,
  data: CatalogEventData<Bank, T>,
  index = 0,
) {
  // `as never`: TypeScript cannot relate the two spellings of "the data of T" while T is generic.
  return bankCatalog.createEvent(type, data as never, {
    id: deterministicEventId(SOURCE, '0/16B3748', index),
    source: SOURCE,
    time: '2024-05-01T12:00:00.123456+02:00',
    sourceposition: '0/16B3748',
    sourcetx: '771',
  });
}
const opened = { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' };

describe('Kafka codec round trip', () => {
  it.each(Object.values(bankCatalog.current).map((d) => [d.type, d] as const))(
    '%s survives toKafkaMessage -> kafkajs Buffers -> parseKafkaMessage unchanged',
    (type, d) => {
      const event = build(type, d.example as never);
      expect(parseKafkaMessage(delivered(toKafkaMessage(event)))).toEqual({
        ok: true,
        event,
        extensions: {},
      });
    },
  );

  it('survives with string headers and value as well', () => {
    const event = build(types.AccountOpened, { ...opened, owner: 'ß-ünïcödé' });
    const sent = toKafkaMessage(event);
    expect(parseKafkaMessage(sent)).toEqual({ ok: true, event, extensions: {} });
  });

  it('survives structured mode (the event as application/cloudevents+json)', () => {
    const event = build(types.MoneyDeposited, { accountId: 'acc-1', cents: 2, memo: 'x' });
    const result = parseKafkaMessage({
      key: Buffer.from('acc-1'),
      value: Buffer.from(JSON.stringify(event)),
      headers: { 'content-type': Buffer.from('application/cloudevents+json') },
    });
    expect(result).toEqual({ ok: true, event, extensions: {} });
  });

  it('produces byte-identical messages when a change is captured again after a crash', () => {
    const data = { accountId: 'acc-1', cents: 5, memo: null };
    const first = [0, 1].map((i) => toKafkaMessage(build(types.MoneyDeposited, data, i)));
    const replay = [0, 1].map((i) => toKafkaMessage(build(types.MoneyDeposited, data, i)));
    expect(replay).toEqual(first);
    expect(first[0]?.headers.ce_id).not.toBe(first[1]?.headers.ce_id);
  });

  it('keeps a foreign extension header through decode and reports it beside the event', () => {
    const sent = toKafkaMessage(build(types.AccountOpened, opened));
    const received = delivered({
      ...sent,
      headers: { ...sent.headers, ce_traceparent: '00-abc-01' },
    });
    const result = parseKafkaMessage(received);
    expect(result.ok && result.extensions).toEqual({ traceparent: '00-abc-01' });
    expect(fromKafkaMessage(received).ok).toBe(true);
  });

  it('delivers an old version sent by an old producer in the current shape', () => {
    const sent = delivered({
      key: 'acc-1',
      value: '{"accountId":"acc-1","owner":"Ada"}',
      headers: {
        ce_specversion: '1.0',
        ce_id: 'e-old',
        ce_source: SOURCE,
        ce_type: 'com.example.bank.account_opened.v1',
        ce_time: '2023-01-02T03:04:05Z',
        'content-type': 'application/json',
      },
    });
    expect(parseKafkaMessage(sent)).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'e-old',
        source: SOURCE,
        type: 'com.example.bank.account_opened.v2',
        time: '2023-01-02T03:04:05Z',
        datacontenttype: 'application/json',
        partitionkey: 'acc-1',
        data: opened,
      },
      extensions: {},
      upcastFrom: 'com.example.bank.account_opened.v1',
    });
  });

  it.each([
    ['DECODE_FAILED', { value: Buffer.from('nope') }],
    ['INVALID_ENVELOPE', { headersChange: { ce_time: 'soon' } }],
    ['UNKNOWN_TYPE', { headersChange: { ce_type: 'com.example.bank.account_closed.v1' } }],
    ['INVALID_DATA', { value: Buffer.from('{"accountId":"acc-1","owner":"","currency":"EUR"}') }],
  ] as const)('parseKafkaMessage reports %s from the stage that refused', (code, change) => {
    const sent = delivered(toKafkaMessage(build(types.AccountOpened, opened)));
    const headersChange = 'headersChange' in change ? change.headersChange : {};
    const result = parseKafkaMessage({
      ...sent,
      value: 'value' in change ? change.value : sent.value,
      headers: { ...sent.headers, ...headersChange },
    });
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });
});
