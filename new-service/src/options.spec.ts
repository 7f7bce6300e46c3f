import { describe, expect, it } from 'vitest';
import { defineConsumer } from './consumer/define-consumer.js';
import { NewServiceError } from './errors.js';
import { resolveOptions } from './options.js';
import { loyaltyCatalog, loyaltyConsumer } from './testing/loyalty.fixture.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NewServiceError && err.code === 'config') return err.message;
    throw err;
  }
  throw new Error('expected a config error');
}

const base = { databaseUrl: 'postgres://u:p@db:5432/service', kafkaBrokers: ['k:9092'] };
const consumer = (overrides: Record<string, unknown>) =>
  defineConsumer({
    name: 'c',
    catalog: loyaltyCatalog,
    topic: 't',
    unitOfWork: () => undefined,
    handle: async () => {},
    ...overrides,
  } as never);

describe('defineConsumer', () => {
  it('fills the group with the name', () => {
    expect(consumer({}).group).toBe('c');
  });

  it('names the option it refuses', () => {
    expect(configError(() => consumer({ name: 'a b' }))).toBe(
      'consumer name "a b" must be 1-100 of A-Z a-z 0-9 . _ - (it keys the consumer\'s rows)',
    );
    expect(configError(() => consumer({ catalog: {} }))).toBe(
      'consumer "c": catalog must be made by defineCatalog from @strangler/event-schemas',
    );
    expect(configError(() => consumer({ topic: 'bad topic' }))).toMatch(
      /^consumer "c": topic "bad topic" is not a Kafka topic name/,
    );
    expect(configError(() => consumer({ handle: 'no' }))).toBe(
      'consumer "c": handle must be a function',
    );
    expect(configError(() => consumer({ reset: 1 }))).toBe(
      'consumer "c": reset must be a function when given',
    );
  });
});

describe('resolveOptions (startService)', () => {
  it('fills the defaults', () => {
    expect(resolveOptions(base)).toMatchObject({
      name: 'new-service',
      clientId: 'new-service',
      port: 3000,
      host: '0.0.0.0',
      poolSize: 10,
      maxLag: 0,
      consume: true,
      migrate: true,
    });
  });

  it('names the option and the value it refuses', () => {
    const c = loyaltyConsumer({ topic: 't' });
    expect(
      configError(() => resolveOptions({ ...base, kafkaBrokers: [], consumers: [c] })),
    ).toMatch(/^kafkaBrokers is required/);
    expect(configError(() => resolveOptions({ ...base, kafkaBrokers: ['nohost'] }))).toBe(
      'kafkaBrokers: "nohost" is not host:port (e.g. localhost:9092)',
    );
    expect(configError(() => resolveOptions({ ...base, consumer: { retryMaxMs: -1 } }))).toBe(
      'consumer.retryMaxMs must be an integer from 1 to 3600000, got -1',
    );
    expect(configError(() => resolveOptions({ kafkaBrokers: [] }))).toMatch(
      /^databaseUrl is required/,
    );
    expect(configError(() => resolveOptions({ ...base, databaseUrl: 'mysql://x/y' }))).toBe(
      'databaseUrl must start with postgres:// or postgresql://, got mysql://',
    );
    expect(configError(() => resolveOptions({ ...base, readiness: { maxBehindMs: 1.5 } }))).toMatch(
      /^readiness.maxBehindMs must be an integer/,
    );
    expect(configError(() => resolveOptions({ ...base, readiness: { maxLag: -1 } }))).toMatch(
      /^readiness.maxLag must be an integer/,
    );
    expect(configError(() => resolveOptions({ ...base, consumers: [{ ...c }] }))).toBe(
      'consumers[0] is not made by defineConsumer',
    );
    expect(configError(() => resolveOptions({ ...base, migrations: [42 as never] }))).toBe(
      'migrations[0] must be SQL text or a function (tx) => Promise<void>',
    );
  });

  it('refuses two consumers with one name or one Kafka group', () => {
    const a = loyaltyConsumer({ name: 'a', topic: 't', group: 'g' });
    expect(
      configError(() =>
        resolveOptions({ ...base, consumers: [a, loyaltyConsumer({ name: 'a', topic: 'u' })] }),
      ),
    ).toBe('two consumers are named "a": names key their rows');
    expect(
      configError(() =>
        resolveOptions({
          ...base,
          consumers: [a, loyaltyConsumer({ name: 'b', topic: 'u', group: 'g' })],
        }),
      ),
    ).toBe('consumers "a" and "b" share the Kafka group "g": give each its own group');
  });
});
