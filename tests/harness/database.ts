import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection string to the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, terminating connections still open to it. */
  drop(): Promise<void>;
}

/** A lower-case name unique to this run, safe as a database, topic or SKU name. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Creates a fresh database on the server behind `serverUrl`. */
export async function createTestDatabase(
  serverUrl: string,
  prefix = 'test',
): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => dropDatabase(serverUrl, name),
  };
}

/**
 * Drops a test database. Logical replication slots pin their database (DROP DATABASE refuses while
 * one exists, even an idle one), so the database's slots go first, their walsenders terminated.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdmin(serverUrl, async (c) => {
    const { rows } = await c.query<{ slot_name: string; active_pid: number | null }>(
      'SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1',
      [name],
    );
    for (const slot of rows) {
      if (slot.active_pid) await c.query('SELECT pg_terminate_backend($1)', [slot.active_pid]);
      for (let attempt = 0; ; attempt++) {
        try {
          await c.query('SELECT pg_drop_replication_slot($1)', [slot.slot_name]);
          break;
        } catch (e) {
          // A terminated walsender takes a moment to release its slot.
          if (attempt >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
