import { describe, expect, it } from 'vitest';
import { parseWriteBackCli } from './write-back-options.js';

const env = {
  LEGACY_DATABASE_URL: 'postgres://u:secret@db/legacy',
  KAFKA_BROKERS: 'k1:9092',
  STRANGLER_CATALOG: './catalog.js',
  STRANGLER_WRITE_BACK: './write-back.js',
  STRANGLER_SERVICE_EVENTS_TOPIC: 'service.events',
};

describe('parseWriteBackCli', () => {
  it('reads flags before the environment, lists split on commas', () => {
    expect(
      parseWriteBackCli(['--sources', '/a, /b', '--group', 'g1'], {
        ...env,
        STRANGLER_WRITE_BACK_GROUP: 'g0',
      }),
    ).toMatchObject({
      catalog: './catalog.js',
      mapping: './write-back.js',
      topic: 'service.events',
      kafkaBrokers: ['k1:9092'],
      sources: ['/a', '/b'],
      groupId: 'g1',
      origin: undefined,
    });
  });

  it('names the missing setting without printing the database URL', () => {
    const { STRANGLER_WRITE_BACK: _, ...noMapping } = env;
    expect(() => parseWriteBackCli([], noMapping)).toThrow(
      'the write-back mapping is not set: pass --mapping or set STRANGLER_WRITE_BACK',
    );
    let message = '';
    try {
      parseWriteBackCli(['--bogus'], env);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('--bogus');
    expect(message).not.toContain('secret');
  });
});
