import { describe, expect, it } from 'vitest';
import type { EventSchemaError } from '../errors.js';
import type { KafkaHeaderValue, KafkaIncomingMessage } from '../types.js';
import { fromKafkaMessage } from './decode.js';

const headers = (): Record<string, KafkaHeaderValue> => ({
  ce_specversion: Buffer.from('1.0'),
  ce_id: Buffer.from('e-1'),
  ce_source: Buffer.from('/legacy/postgres/bank'),
  ce_type: Buffer.from('com.example.bank.account_opened.v2'),
  ce_time: Buffer.from('2024-05-01T12:00:00Z'),
  ce_subject: Buffer.from('acc-1'),
  ce_partitionkey: Buffer.from('acc-1'),
  'content-type': Buffer.from('application/json'),
});
const message = (change: Partial<KafkaIncomingMessage> = {}): KafkaIncomingMessage => ({
  key: Buffer.from('acc-1'),
  value: Buffer.from('{"accountId":"acc-1","owner":"Ada","currency":"EUR"}'),
  headers: headers(),
  ...change,
});
const withHeaders = (change: Record<string, KafkaHeaderValue>) =>
  message({ headers: { ...headers(), ...change } });

const decodedEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: '/legacy/postgres/bank',
  type: 'com.example.bank.account_opened.v2',
  time: '2024-05-01T12:00:00Z',
  subject: 'acc-1',
  partitionkey: 'acc-1',
  datacontenttype: 'application/json',
  data: { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
};

function refused(input: KafkaIncomingMessage): EventSchemaError {
  const result = fromKafkaMessage(input);
  if (result.ok) throw new Error('expected fromKafkaMessage to refuse the message');
  return result.error;
}

describe('fromKafkaMessage in binary mode', () => {
  it('reads Buffer headers, a Buffer key and a Buffer value as kafkajs delivers them', () => {
    expect(fromKafkaMessage(message())).toEqual({ ok: true, event: decodedEvent });
  });

  it('reads string headers, key and value', () => {
    const strings = Object.fromEntries(
      Object.entries(headers()).map(([name, value]) => [name, String(value)]),
    );
    const result = fromKafkaMessage({
      key: 'acc-1',
      value: '{"accountId":"acc-1","owner":"Ada","currency":"EUR"}',
      headers: strings,
    });
    expect(result).toEqual({ ok: true, event: decodedEvent });
  });

  it('reads a header delivered as an array of one value', () => {
    const result = fromKafkaMessage(withHeaders({ ce_id: [Buffer.from('e-1')] }));
    expect(result.ok && result.event.id).toBe('e-1');
  });

  it('keeps unknown ce_ headers as extension attributes and ignores other headers', () => {
    const result = fromKafkaMessage(
      withHeaders({
        ce_traceparent: '00-abc-01',
        'x-retry': Buffer.from([0xff, 0xfe]),
        traceparent: 'y',
      }),
    );
    expect(result.ok && result.event.traceparent).toBe('00-abc-01');
    expect(result.ok && 'x-retry' in result.event).toBe(false);
  });

  it('takes partitionkey from the key when the header is absent', () => {
    const { ce_partitionkey: _header, ...rest } = headers();
    const result = fromKafkaMessage(message({ headers: rest }));
    expect(result.ok && result.event.partitionkey).toBe('acc-1');
  });

  it('accepts a message without key', () => {
    const result = fromKafkaMessage(message({ key: null }));
    expect(result.ok && result.event.partitionkey).toBe('acc-1');
  });

  it('reads data as JSON when content-type is absent, and leaves datacontenttype unset', () => {
    const { 'content-type': _type, ...rest } = headers();
    const result = fromKafkaMessage(message({ headers: rest }));
    expect(result).toEqual({ ok: true, event: { ...decodedEvent, datacontenttype: undefined } });
    expect(result.ok && 'datacontenttype' in result.event).toBe(false);
  });

  it('accepts Content-Type in any case and JSON media types with a UTF-8 charset', () => {
    const { 'content-type': _type, ...rest } = headers();
    const result = fromKafkaMessage(
      message({ headers: { ...rest, 'Content-Type': 'application/json; charset=UTF-8' } }),
    );
    expect(result.ok && result.event.datacontenttype).toBe('application/json; charset=UTF-8');
  });

  it.each([
    [
      'all four required headers are missing',
      message({ headers: { 'content-type': 'application/json' } }),
      'headers.ce_specversion: is required in binary mode; headers.ce_id: is required in binary mode; headers.ce_source: is required in binary mode; headers.ce_type: is required in binary mode',
    ],
    [
      'ce_id is missing',
      withHeaders({ ce_id: undefined }),
      'headers.ce_id: is required in binary mode',
    ],
    [
      'a header repeats',
      withHeaders({ ce_id: [Buffer.from('e-1'), Buffer.from('e-2')] }),
      'headers.ce_id: appears 2 times; expected once',
    ],
    [
      'content-type is given twice in different cases',
      withHeaders({ 'Content-Type': 'application/json' }),
      'headers.Content-Type: appears 2 times; expected once',
    ],
    [
      'a ce_ header is not UTF-8',
      withHeaders({ ce_type: Buffer.from([0xc3, 0x28]) }),
      'headers.ce_type: is not valid UTF-8',
    ],
    ['the key is not UTF-8', message({ key: Buffer.from([0xff]) }), 'key: is not valid UTF-8'],
    [
      'the value is null (a tombstone)',
      message({ value: null }),
      'value: is empty (a tombstone?) but must carry the data',
    ],
    [
      'the value is not JSON',
      message({ value: Buffer.from('{not json at all, clearly') }),
      'value: is not valid JSON (starts with "{not json at all, cl")',
    ],
    [
      'the value is not UTF-8',
      message({ value: Buffer.from([0x7b, 0xff, 0x7d]) }),
      'value: is not valid UTF-8',
    ],
    [
      'the content type is not JSON',
      withHeaders({ 'content-type': 'text/plain' }),
      'headers.content-type: "text/plain" is not supported: the data must be UTF-8 JSON (application/json)',
    ],
    [
      'the charset is not UTF-8',
      withHeaders({ 'content-type': 'application/json; charset=iso-8859-1' }),
      'headers.content-type: "application/json; charset=iso-8859-1" is not supported: the data must be UTF-8 JSON (application/json)',
    ],
    [
      'ce_partitionkey disagrees with the key',
      withHeaders({ ce_partitionkey: 'acc-2' }),
      'key: partitionkey "acc-2" differs from the message key "acc-1"',
    ],
    [
      'a header claims to be the data',
      withHeaders({ ce_data: '{}' }),
      'headers.ce_data: is not an attribute: data travels in the value',
    ],
  ])('says DECODE_FAILED when %s', (_why, input, problem) => {
    const error = refused(input);
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toBe(`Cannot decode Kafka message: ${problem}`);
  });

  it('names the event id in a decode error when ce_id could be read', () => {
    expect(refused(message({ value: null })).details.eventId).toBe('e-1');
  });

  it.each([
    [{ ce_specversion: '0.3' }, 'specversion: must be "1.0" (CloudEvents 1.0) (got "0.3")'],
    [
      { ce_time: 'yesterday' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "yesterday")',
    ],
    [{ ce_time: undefined }, 'time: is required'],
    [
      { ce_TraceParent: 'x' },
      'TraceParent: is not a valid CloudEvents attribute name (lower-case letters a-z and digits only) (got "x")',
    ],
  ])('says INVALID_ENVELOPE for the headers %j', (change, problem) => {
    const error = refused(withHeaders(change));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(
      `Invalid envelope of event e-1 from /legacy/postgres/bank: ${problem}`,
    );
  });
});

describe('fromKafkaMessage in structured mode', () => {
  const structured = (
    value: unknown,
    contentType = 'application/cloudevents+json; charset=UTF-8',
  ) =>
    message({
      headers: { 'content-type': contentType, ce_id: 'ignored-in-structured-mode' },
      value: Buffer.from(JSON.stringify(value)),
    });
  const { datacontenttype: _type, partitionkey: _key, ...whole } = decodedEvent;

  it('reads the whole event from the value and the partitionkey from the key', () => {
    const result = fromKafkaMessage(structured(whole));
    expect(result).toEqual({ ok: true, event: { ...whole, partitionkey: 'acc-1' } });
  });

  it('treats attributes set to null as absent', () => {
    const result = fromKafkaMessage(structured({ ...whole, subject: null, dataschema: null }));
    expect(result.ok && 'subject' in result.event).toBe(false);
  });

  it.each([
    [
      'the value is a JSON array',
      structured([whole]),
      'value: must be a JSON object in structured mode (got [{"specversion":"1.0","id":"e-1","source":"/legacy/postgr...)',
    ],
    [
      'the value is null',
      message({ headers: { 'content-type': 'application/cloudevents+json' }, value: null }),
      'value: is empty (a tombstone?) but must carry the whole event (structured mode)',
    ],
    [
      'the format is not JSON',
      structured(whole, 'application/cloudevents+avro'),
      'headers.content-type: "application/cloudevents+avro" is not supported: of the structured formats only application/cloudevents+json is supported',
    ],
    [
      'the value is a batch',
      structured([whole], 'application/cloudevents-batch+json'),
      'headers.content-type: "application/cloudevents-batch+json" is not supported: of the structured formats only application/cloudevents+json is supported',
    ],
  ])('says DECODE_FAILED when %s', (_why, input, problem) => {
    const error = refused(input);
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toBe(`Cannot decode Kafka message: ${problem}`);
  });

  it('says INVALID_ENVELOPE for binary data (data_base64)', () => {
    const { data: _data, ...attributes } = whole;
    const error = refused(structured({ ...attributes, data_base64: 'e30=' }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.details.issues.map((issue) => issue.path)).toEqual(['data', 'data_base64']);
  });
});
