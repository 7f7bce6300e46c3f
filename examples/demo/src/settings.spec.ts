import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError, type Settings } from './settings.js';

const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => readSettings(argv, env) as Settings;

describe('readSettings', () => {
  it('keeps the proxy on this machine unless HOST opens it up', () => {
    expect(read([]).proxyHost).toBe('127.0.0.1');
    expect(read([], { HOST: ' ' }).proxyHost).toBe('127.0.0.1');
    expect(read([], { HOST: '0.0.0.0' }).proxyHost).toBe('0.0.0.0');
  });

  it('takes ports from flags before the environment, and refuses one that is not a port', () => {
    expect(read(['--proxy-port', '9000'], { PROXY_PORT: '9100' }).ports.proxy).toBe(9000);
    expect(read([], { PROXY_PORT: '9100' }).ports.proxy).toBe(9100);
    expect(() => read([], { ADMIN_PORT: '70000' })).toThrow(
      new SettingsError('--admin-port / ADMIN_PORT must be a port number; got "70000"'),
    );
  });
});
