import { describe, expect, it } from 'vitest';
import { parseCli } from './options.js';

const env = {
  LEGACY_DATABASE_URL: 'postgres://u:secret@db/legacy',
  KAFKA_BROKERS: 'k1:9092, k2:9092',
  STRANGLER_CATALOG: './catalog.js',
  STRANGLER_MAPPER: './mapper.js',
  STRANGLER_EVENTS_TOPIC: 'events',
};

describe('parseCli', () => {
  it('reads the publish timeout from the flag before the environment, and leaves the default to the adapter', () => {
    expect(parseCli([], env).publishTimeoutMs).toBeUndefined();
    expect(parseCli([], { ...env, STRANGLER_PUBLISH_TIMEOUT_MS: '5000' }).publishTimeoutMs).toBe(
      5000,
    );
    expect(
      parseCli(['--publish-timeout-ms', '750'], { ...env, STRANGLER_PUBLISH_TIMEOUT_MS: '5000' })
        .publishTimeoutMs,
    ).toBe(750);
  });

  it('refuses a publish timeout that is not a positive whole number, naming the flag and value', () => {
    for (const bad of ['0', '-5', '1.5', 'soon']) {
      expect(() => parseCli([`--publish-timeout-ms=${bad}`], env)).toThrow(
        `--publish-timeout-ms must be a positive whole number of ms; got "${bad}"`,
      );
    }
  });

  it('reads the linger from the flag or the environment, where 0 turns it off', () => {
    expect(parseCli([], env).lingerMs).toBeUndefined();
    expect(parseCli([], { ...env, STRANGLER_LINGER_MS: '0' }).lingerMs).toBe(0);
    expect(parseCli(['--linger-ms=20'], { ...env, STRANGLER_LINGER_MS: '0' }).lingerMs).toBe(20);
    expect(() => parseCli(['--linger-ms=-1'], env)).toThrow(
      '--linger-ms must be a whole number of ms (0 or more); got "-1"',
    );
  });

  it('takes --outbox TABLE instead of a mapper, and refuses both or neither', () => {
    const { STRANGLER_MAPPER: _, ...noMapper } = env;
    expect(parseCli(['--outbox', 'public.strangler_outbox'], noMapper)).toMatchObject({
      outbox: 'public.strangler_outbox',
      mapper: undefined,
    });
    expect(() => parseCli(['--outbox', 'public.outbox'], env)).toThrow(
      '--mapper and --outbox are both set: give --mapper for row changes or --outbox for an outbox table, not both',
    );
    expect(() => parseCli([], noMapper)).toThrow(
      'the mapper is not set: pass --mapper (a module exporting defineMapper(...)) or --outbox TABLE, or set STRANGLER_MAPPER or STRANGLER_OUTBOX',
    );
    expect(() => parseCli(['--outbox', 'outbox'], noMapper)).toThrow(
      '--outbox must name a table with its schema, e.g. public.strangler_outbox; got "outbox"',
    );
  });

  it('refuses a status port out of range without printing the database URL', () => {
    let message = '';
    try {
      parseCli(['--status-port', '70000'], env);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('--status-port must be a port number (0-65535); got "70000"');
    expect(message).not.toContain('secret');
  });

  it('splits the broker list and names what is missing', () => {
    expect(parseCli([], env).kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    const { KAFKA_BROKERS: _, ...noKafka } = env;
    expect(() => parseCli([], noKafka)).toThrow(
      'Kafka is not set: pass --kafka-brokers or set KAFKA_BROKERS',
    );
  });
});
