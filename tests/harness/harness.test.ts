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
});
