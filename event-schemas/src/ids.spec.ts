import { describe, expect, it } from 'vitest';
import { EventSchemaError } from './errors.js';
import {
  deterministicEventId,
  DNS_NAMESPACE,
  EVENT_ID_NAMESPACE,
  URL_NAMESPACE,
  uuidV5,
} from './ids.js';

const OID_NAMESPACE = '6ba7b812-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it.each([
    // RFC 9562 appendix A.4
    ['www.example.com', DNS_NAMESPACE, '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    // Python documentation of the uuid module
    ['python.org', DNS_NAMESPACE, '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    // The vectors below were computed with Python's uuid.uuid5 (independent implementation)
    [
      'https://www.rfc-editor.org/rfc/rfc9562',
      URL_NAMESPACE,
      '3349c653-56d8-5f05-8876-e348e193dc56',
    ],
    ['bücher.example', DNS_NAMESPACE, '849d4d8f-6c8e-59fa-9721-89ccba396bf9'],
    ['', OID_NAMESPACE, '0a68eb57-c88a-5f34-9e9d-27f85e68af4f'],
  ])('gives the known UUID for %j in its namespace', (name, namespace, expected) => {
    expect(uuidV5(name, namespace)).toBe(expected);
  });

  it('accepts the namespace in upper case', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE.toUpperCase())).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('sets version 5 and the RFC variant bits', () => {
    const id = uuidV5('anything', DNS_NAMESPACE);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a namespace that is not a UUID, naming the argument', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(
      'Invalid argument: namespace: must be a UUID such as 6ba7b810-9dad-11d1-80b4-00c04fd430c8 (got "not-a-uuid")',
    );
  });
});

describe('deterministicEventId', () => {
  it('derives the strangler namespace from the DNS namespace and events.strangler.io', () => {
    expect(EVENT_ID_NAMESPACE).toBe(uuidV5('events.strangler.io', DNS_NAMESPACE));
  });

  it('is a UUID v5 of source|position|index in the strangler namespace (vectors from Python)', () => {
    expect(deterministicEventId('/legacy/postgres/shop', '0/16B3748', 0)).toBe(
      '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
    );
    expect(deterministicEventId('/legacy/postgres/shop', '0/16B3748', 1)).toBe(
      'c39e72d1-2e7c-53df-a02e-4ac75c053840',
    );
  });

  it('gives the same id on every call with the same inputs (a replay keeps its ids)', () => {
    const first = deterministicEventId('urn:shop:legacy', '5/AB000010', 3);
    const again = deterministicEventId('urn:shop:legacy', '5/AB000010', 3);
    expect(again).toBe(first);
  });

  it('gives different ids when source, position or index differ', () => {
    const ids = new Set([
      deterministicEventId('/a', '0/1', 0),
      deterministicEventId('/b', '0/1', 0),
      deterministicEventId('/a', '0/2', 0),
      deterministicEventId('/a', '0/1', 1),
      deterministicEventId('/a', '0/1|1', 0),
    ]);
    expect(ids.size).toBe(5);
  });

  it.each([
    [['', '0/1', 0], 'source: must be a non-empty URI-reference (got "")'],
    [['/a|b', '0/1', 0], 'source: must be a non-empty URI-reference (got "/a|b")'],
    [['/a', '', 0], 'position: must be a non-empty string (got "")'],
    [['/a', '0/1', -1], 'index: must be an integer >= 0 (got -1)'],
    [['/a', '0/1', 1.5], 'index: must be an integer >= 0 (got 1.5)'],
    [['/a', '0/1', Number.NaN], 'index: must be an integer >= 0 (got NaN)'],
  ] as const)('refuses %j with INVALID_ARGUMENT', (args, message) => {
    const [source, position, index] = args;
    let caught: unknown;
    try {
      deterministicEventId(source, position, index);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventSchemaError);
    expect((caught as EventSchemaError).code).toBe('INVALID_ARGUMENT');
    expect((caught as EventSchemaError).message).toBe(`Invalid argument: ${message}`);
  });
});

describe('deterministicEventId across calls', () => {
  it('still refuses a bad source after a good one was used (the good one is remembered, not any)', () => {
    expect(deterministicEventId('/legacy/postgres/shop', '0/1', 0)).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => deterministicEventId('', '0/1', 0)).toThrow(EventSchemaError);
    expect(() => deterministicEventId('not a uri', '0/1', 0)).toThrow(EventSchemaError);
    expect(deterministicEventId('/legacy/postgres/shop', '0/1', 0)).toBe(
      deterministicEventId('/legacy/postgres/shop', '0/1', 0),
    );
  });
});
