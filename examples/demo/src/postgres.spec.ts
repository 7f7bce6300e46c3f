import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@strangler/tests/harness';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './postgres.js';

const here = dirname(fileURLToPath(import.meta.url));

const until = (check: () => boolean | Promise<boolean>, what: string) =>
  eventually(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );

const answers = async (url: string) => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  // The server may be shut down while this probe is connected; its FATAL 57P01 then arrives as an
  // 'error' event, which must not become an uncaught exception of the test run.
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
};

describe('embedded Postgres launcher', () => {
  it('runs with logical decoding and removes a temporary cluster on stop', async () => {
    const server = await startEmbeddedPostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
    const { rows: dir } = await client.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'data_directory'",
    );
    await client.end();
    expect(rows[0]!.wal_level).toBe('logical');
    await server.stop();
    expect(existsSync(dir[0]!.setting)).toBe(false);
    expect(await answers(server.url)).toBe(false);
  });

  it('stops the server and removes its data when the process that started it is killed outright', async () => {
    // A child process starts a cluster, prints its URL and data directory, then waits to be killed.
    const script = `
      const { startEmbeddedPostgres } = await import(${JSON.stringify(join(here, '..', 'dist', 'postgres.js'))});
      const pg = await import('pg');
      const s = await startEmbeddedPostgres();
      const c = new pg.default.Client({ connectionString: s.url });
      await c.connect();
      const { rows } = await c.query("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
      await c.end();
      console.log(JSON.stringify({ url: s.url, dir: rows[0].setting }));
      setInterval(() => {}, 1000);`;
    if (!existsSync(join(here, '..', 'dist', 'postgres.js')))
      throw new Error('examples/demo/dist is missing: run `npm run build` first');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: here,
    });
    const started = await new Promise<{ url: string; dir: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { url: string; dir: string });
      });
      child.on('exit', (code) =>
        reject(new Error(`child exited with ${code} before starting Postgres`)),
      );
    });
    expect(await answers(started.url)).toBe(true);
    child.kill('SIGKILL');
    await until(async () => !(await answers(started.url)), 'the orphaned server to stop');
    await until(() => !existsSync(started.dir), 'its data directory to be removed');
  });
});
