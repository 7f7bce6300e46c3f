import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl, parseConfig } from './config.js';

const url = 'postgres://app:secret@db.internal:6543/legacy';

describe('parseConfig', () => {
  it('reads the environment and applies defaults', () => {
    expect(parseConfig([], { DATABASE_URL: url })).toEqual({
      databaseUrl: url,
      port: 3000,
      host: '0.0.0.0',
      poolSize: 10,
      logLevel: 'info',
    });
  });

  it('lets flags win over environment variables', () => {
    const config = parseConfig(
      [
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--database-url',
        url,
        '--pool-size',
        '3',
        '--log-level',
        'warn',
      ],
      { DATABASE_URL: 'postgres://other/db', PORT: '4000', HOST: '::', LOG_LEVEL: 'debug' },
    );
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: url,
      poolSize: 3,
      logLevel: 'warn',
    });
  });

  it('refuses to start without a database, naming DATABASE_URL and the flag', () => {
    expect(() => parseConfig([], {})).toThrow(
      /DATABASE_URL is required: set it or pass --database-url/,
    );
    expect(() => parseConfig([], { DATABASE_URL: '' })).toThrow(/DATABASE_URL is required/);
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/],
    [{ DATABASE_URL: 'mysql://h/db' }, /DATABASE_URL must start with postgres:\/\//],
    [
      { DATABASE_URL: url, PORT: '70000' },
      /PORT \(--port\) must be an integer from 0 to 65535, got "70000"/,
    ],
    [{ DATABASE_URL: url, PORT: '3k' }, /PORT \(--port\) must be an integer/],
    [{ DATABASE_URL: url, POOL_SIZE: '0' }, /POOL_SIZE \(--pool-size\) must be an integer from 1/],
    [{ DATABASE_URL: url, LOG_LEVEL: 'loud' }, /LOG_LEVEL \(--log-level\) must be one of/],
  ])('rejects bad settings with a message naming them (%j)', (env, message) => {
    expect(() => parseConfig([], env)).toThrow(message);
  });

  it('rejects unknown flags and answers null to --help', () => {
    expect(() => parseConfig(['--prot', '1'], { DATABASE_URL: url })).toThrow(
      /--prot.*\n.*--help/s,
    );
    expect(parseConfig(['--help'], {})).toBeNull();
    expect(parseConfig(['-h'], {})).toBeNull();
  });
});

describe('describeDatabaseUrl', () => {
  it('names host, port, database and user, never the password', () => {
    const described = describeDatabaseUrl(url);
    expect(described).toEqual({
      host: 'db.internal',
      port: '6543',
      database: 'legacy',
      user: 'app',
    });
    expect(JSON.stringify(described)).not.toContain('secret');
  });
});
