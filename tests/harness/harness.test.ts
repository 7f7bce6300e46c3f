import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseServerUrl, kafkaBrokers, testDatabase } from './index.js';

describe('test harness', () => {
  it('gives each test file its own database with logical decoding enabled', async () => {
    const db = await testDatabase('harness');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ db: string; wal: string }>(
      "select current_database() as db, current_setting('wal_level') as wal",
    );
    await client.end();
    expect(rows[0]).toEqual({ db: db.name, wal: 'logical' });
    expect(databaseServerUrl()).toMatch(/^postgres(ql)?:\/\//);
  });
  it('provides kafka brokers', () => {
    expect(kafkaBrokers().length).toBeGreaterThan(0);
  });
  it('runs onCleanup callbacks after the file, last first, from beforeAll and tests too, each even when one throws', async () => {
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
    const log = join(mkdtempSync(join(tmpdir(), 'cleanup-')), 'log');
    const run = promisify(execFile)(
      process.execPath,
      [join(fixtures, '../../../node_modules/vitest/vitest.mjs'), 'run', '--root', fixtures],
      { env: { ...process.env, CLEANUP_LOG: log, CI: 'true' } },
    );
    // The failing cleanup fails the child's run: that is how a broken cleanup gets noticed.
    const failure = await run.then(
      () => undefined,
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(`${failure?.stdout}${failure?.stderr}`).toContain('a failing cleanup');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'test ran',
      'inside a test',
      'beforeAll, after an await',
      'top level',
    ]);
  }, 60_000);
});
