import { describe, expect, it } from 'vitest';
import { NewServiceError } from '../errors.js';
import type { ServiceCliOptions } from '../types.js';
import { parseCli } from './parse.js';

const options = {
  topic: {
    type: 'string',
    flag: 'topic',
    env: 'ORDERS_TOPIC',
    default: 'orders',
    description: 't',
  },
  group: { type: 'string', flag: 'group', env: 'ORDERS_GROUP', description: 'g' },
  cache: { type: 'boolean', flag: 'cache', env: 'CACHE', default: true, description: 'c' },
  limit: {
    type: 'integer',
    flag: 'limit',
    env: 'LIMIT',
    default: 5,
    min: 1,
    max: 10,
    description: 'l',
  },
} as const;
const spec: ServiceCliOptions<typeof options> = {
  name: 'orders',
  description: 'orders',
  options,
  defaults: { port: 3001 },
  service: () => ({}),
};
const required = {
  DATABASE_URL: 'postgres://u:p@db:5432/orders',
  KAFKA_BROKERS: 'k1:9092, k2:9092',
};
const parse = (argv: string[], env: NodeJS.ProcessEnv = required) => parseCli(spec, argv, env);

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NewServiceError && err.code === 'config') return err.message;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('parseCli', () => {
  it("reads the environment and applies the defaults, the service's own included", () => {
    expect(parse([])).toEqual({
      command: 'serve',
      databaseUrl: required.DATABASE_URL,
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      clientId: undefined,
      port: 3001,
      host: '0.0.0.0',
      poolSize: 10,
      readinessMaxLag: undefined,
      readinessMaxBehindMs: undefined,
      logLevel: 'info',
      ids: undefined,
      consumer: undefined,
      options: { topic: 'orders', group: undefined, cache: true, limit: 5 },
    });
  });

  it('lets a flag win over its variable', () => {
    const config = parse(
      ['--port', '8080', '--topic', 'b', '--kafka-brokers', 'k9:1', '--no-cache', '--limit', '7'],
      {
        ...required,
        PORT: '9000',
        ORDERS_TOPIC: 'a',
        CACHE: 'on',
        LIMIT: '2',
      },
    );
    expect(config).toMatchObject({
      port: 8080,
      kafkaBrokers: ['k9:1'],
      options: { topic: 'b', cache: false, limit: 7 },
    });
  });

  it('reads booleans from on/off, true/false, 1/0, yes/no', () => {
    expect(parse([], { ...required, CACHE: 'off' })?.options.cache).toBe(false);
    expect(parse([], { ...required, CACHE: 'YES' })?.options.cache).toBe(true);
    expect(parse(['--cache'], { ...required, CACHE: 'off' })?.options.cache).toBe(true);
  });

  it('reads the commands and their arguments', () => {
    expect(
      parse(['replay-dead-letters', '--id', '4', '--id', '7', '--consumer', 'orders']),
    ).toMatchObject({
      command: 'replay-dead-letters',
      ids: ['4', '7'],
      consumer: 'orders',
    });
    expect(parse(['rebuild', 'orders'])).toMatchObject({ command: 'rebuild', consumer: 'orders' });
    expect(parse(['--help'])).toBeNull();
  });

  it('names the variable and the flag of a missing or bad setting', () => {
    expect(configError(() => parse([], {}))).toMatch(
      /^DATABASE_URL is required: set it or pass --database-url/,
    );
    expect(configError(() => parse([], { ...required, KAFKA_BROKERS: 'nohost' }))).toBe(
      'KAFKA_BROKERS (--kafka-brokers): "nohost" is not host:port (e.g. localhost:9092)',
    );
    expect(configError(() => parse([], { ...required, LIMIT: '11' }))).toBe(
      'LIMIT (--limit) must be an integer from 1 to 10, got "11"',
    );
    expect(configError(() => parse([], { ...required, LOG_LEVEL: 'loud' }))).toMatch(
      /^LOG_LEVEL \(--log-level\) must be one of/,
    );
    expect(configError(() => parse(['replay-dead-letters', '--id', 'x']))).toBe(
      '--id must be a dead letter id (digits), got "x"',
    );
    expect(configError(() => parse(['--consumer', 'x']))).toBe(
      '--consumer only goes with the replay-dead-letters command',
    );
    expect(configError(() => parse(['rebuild', 'a', 'b']))).toBe(
      'rebuild needs the name of one consumer: rebuild <consumer>',
    );
  });

  it("refuses a service flag that repeats one of the kit's", () => {
    const clash = {
      ...spec,
      options: { port: { type: 'string', flag: 'port', description: 'x' } },
    } as never;
    expect(() => parseCli(clash, [], required)).toThrow(
      'orders: the flag --port is declared twice',
    );
  });
});
