import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_NAME,
  consumedEnvelopeSchema,
  KNOWN_ATTRIBUTES,
  MAX_ATTRIBUTE_NAME_LENGTH,
  producedEnvelopeSchema,
  withoutNullAttributes,
} from './envelope.js';

const produced = {
  specversion: '1.0',
  id: 'e-1',
  source: '/legacy/postgres/bank',
  type: 'com.example.bank.account_opened.v2',
  subject: 'acc-1',
  time: '2024-05-01T12:00:00Z',
  datacontenttype: 'application/json',
  partitionkey: 'acc-1',
  data: { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
};

describe('the envelope attributes', () => {
  it('follow the CloudEvents naming rules: a-z0-9 and at most 20 characters', () => {
    expect([...KNOWN_ATTRIBUTES]).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'dataschema',
      'sourceposition',
      'sourcetx',
      'causationid',
      'correlationid',
      'datacontenttype',
      'partitionkey',
    ]);
    for (const name of KNOWN_ATTRIBUTES) {
      expect(name).toMatch(ATTRIBUTE_NAME);
      expect(name.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_NAME_LENGTH);
    }
  });

  it.each([
    '2024-05-01T12:00:00Z',
    '2024-05-01T12:00:00.1Z',
    '2024-05-01T12:00:00.123456789+05:30',
    '2024-02-29T23:59:59-08:00',
  ])('accept the RFC 3339 time %s', (time) => {
    expect(producedEnvelopeSchema.safeParse({ ...produced, time }).success).toBe(true);
  });

  it.each([
    '2024-05-01T12:00:00',
    '2024-05-01 12:00:00Z',
    '2024-05-01T12:00Z',
    '2023-02-29T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '1714564800',
  ])('refuse the time %s', (time) => {
    expect(producedEnvelopeSchema.safeParse({ ...produced, time }).success).toBe(false);
  });
});

describe('producedEnvelopeSchema', () => {
  it('accepts a complete envelope', () => {
    expect(producedEnvelopeSchema.safeParse(produced).success).toBe(true);
  });

  it('refuses extension attributes it does not know and a non-JSON content type', () => {
    expect(producedEnvelopeSchema.safeParse({ ...produced, traceparent: 'x' }).success).toBe(false);
    expect(
      producedEnvelopeSchema.safeParse({ ...produced, datacontenttype: 'application/xml' }).success,
    ).toBe(false);
  });
});

describe('consumedEnvelopeSchema', () => {
  it('accepts unknown extensions with string, integer and boolean values, long names included', () => {
    const input = {
      ...produced,
      traceparent: 'x',
      attempt: 3,
      replayed: false,
      averyveryverylongextensionname: 'y',
    };
    expect(consumedEnvelopeSchema.parse(input)).toEqual(input);
  });

  it('accepts an event without datacontenttype, partitionkey or subject', () => {
    const { datacontenttype: _t, partitionkey: _k, subject: _s, ...minimal } = produced;
    expect(consumedEnvelopeSchema.safeParse(minimal).success).toBe(true);
  });

  it('refuses extension values that are not string, integer or boolean', () => {
    expect(consumedEnvelopeSchema.safeParse({ ...produced, attempt: 1.5 }).success).toBe(false);
    expect(consumedEnvelopeSchema.safeParse({ ...produced, tags: ['a'] }).success).toBe(false);
  });
});

describe('withoutNullAttributes', () => {
  it('drops attributes set to null but keeps a null data', () => {
    expect(withoutNullAttributes({ id: 'e', subject: null, data: null })).toEqual({
      id: 'e',
      data: null,
    });
  });
});
