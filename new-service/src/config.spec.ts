import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { NewServiceError } from './errors.js';
import { resolveOptions } from './options.js';

const required = {
  DATABASE_URL: 'postgres://u:p@db:5432/newservice',
  KAFKA_BROKERS: 'k1:9092, k2:9092',
};

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NewServiceError && err.code === 'config') return err.message;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('parseConfig (flags and environment)', () => {
  it('reads the environment and applies the defaults', () => {
    expect(parseConfig([], required)).toEqual({
      command: 'serve',
      databaseUrl: required.DATABASE_URL,
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      port: 3001,
      poolSize: 10,
      readCache: true,
      logLevel: 'info',
    });
  });

  it('turns the read cache off by flag or by READ_CACHE=off', () => {
    expect(parseConfig(['--no-read-cache'], required)).toMatchObject({ readCache: false });
    expect(parseConfig([], { ...required, READ_CACHE: 'off' })).toMatchObject({ readCache: false });
    expect(parseConfig([], { ...required, READ_CACHE: 'on' })).toMatchObject({ readCache: true });
  });

  it('lets a flag win over its variable', () => {
    const config = parseConfig(
      ['--port', '8080', '--topic', 'orders.events', '--group', 'svc-2', '--kafka-brokers', 'k9:1'],
      {
        ...required,
        PORT: '9000',
        STRANGLER_EVENTS_TOPIC: 'ignored',
        STRANGLER_CONSUMER_GROUP: 'x',
      },
    );
    expect(config).toMatchObject({
      port: 8080,
      topic: 'orders.events',
      group: 'svc-2',
      kafkaBrokers: ['k9:1'],
    });
  });

  it('reads the replay-dead-letters command, which needs no Kafka', () => {
    expect(
      parseConfig(['replay-dead-letters', '--id', '4', '--id', '7'], {
        DATABASE_URL: required.DATABASE_URL,
      }),
    ).toEqual({
      command: 'replay-dead-letters',
      databaseUrl: required.DATABASE_URL,
      ids: ['4', '7'],
      logLevel: 'info',
    });
    expect(configError(() => parseConfig(['replay'], required))).toMatch(
      /^unknown command "replay"/,
    );
  });

  it('returns null for --help', () => {
    expect(parseConfig(['--help'], {})).toBeNull();
  });

  it('names the variable and the flag of a missing or bad setting', () => {
    expect(configError(() => parseConfig([], { KAFKA_BROKERS: 'k:1' }))).toMatch(
      /^DATABASE_URL is required: set it or pass --database-url/,
    );
    expect(configError(() => parseConfig([], { DATABASE_URL: required.DATABASE_URL }))).toMatch(
      /^KAFKA_BROKERS is required/,
    );
    expect(configError(() => parseConfig([], { ...required, KAFKA_BROKERS: 'nohost' }))).toBe(
      'KAFKA_BROKERS (--kafka-brokers): "nohost" is not host:port (e.g. localhost:9092)',
    );
    expect(configError(() => parseConfig([], { ...required, PORT: 'http' }))).toBe(
      'PORT (--port) must be an integer from 0 to 65535, got "http"',
    );
    expect(configError(() => parseConfig([], { ...required, DATABASE_URL: 'mysql://x/y' }))).toBe(
      'DATABASE_URL (--database-url) must start with postgres:// or postgresql://, got mysql://',
    );
    expect(configError(() => parseConfig(['--bogus'], required))).toMatch(/--bogus/);
  });
});

describe('resolveOptions (startNewService)', () => {
  it('names the option and the value it refuses', () => {
    const base = { databaseUrl: required.DATABASE_URL, kafkaBrokers: ['k:9092'] };
    expect(configError(() => resolveOptions({ ...base, kafkaBrokers: [] }))).toMatch(
      /^kafkaBrokers is required/,
    );
    expect(configError(() => resolveOptions({ ...base, topic: 'bad topic' }))).toBe(
      'topic "bad topic" is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)',
    );
    expect(configError(() => resolveOptions({ ...base, consumer: { retryMaxMs: -1 } }))).toBe(
      'consumer.retryMaxMs must be an integer from 1 to 3600000, got -1',
    );
    expect(configError(() => resolveOptions({ kafkaBrokers: ['k:9092'] }))).toMatch(
      /^databaseUrl is required/,
    );
  });
});
