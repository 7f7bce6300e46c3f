import type pg from 'pg';
import type { Row } from './pgoutput.js';
import { RAW_TEXT } from './raw-text.js';
import { quoteIdent } from './setup.js';

/**
 * Reads the tables inside the snapshot the slot was created with, so the initial load and the
 * stream meet exactly: every change committed before the slot's consistent point is in these rows,
 * every later one arrives on the stream. Rows come in primary-key order, `batchSize` at a time, as
 * text (the form the stream delivers).
 */
export async function* readSnapshot(
  db: pg.ClientBase,
  snapshotName: string,
  tables: ReadonlyArray<{ table: string; key: string[] }>,
  batchSize = 1000,
): AsyncGenerator<{ table: string; rows: Row[] }> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await db.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replaceAll("'", "''")}'`);
    for (const [i, { table, key }] of tables.entries()) {
      const cursor = `strangler_snapshot_${i}`;
      await db.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT * FROM ${table} ORDER BY ${key.map(quoteIdent).join(', ')}`,
      );
      for (;;) {
        const { rows } = await db.query<Row>({
          text: `FETCH ${batchSize} FROM ${cursor}`,
          types: RAW_TEXT,
        });
        if (rows.length === 0) break;
        yield { table, rows };
      }
      await db.query(`CLOSE ${cursor}`);
    }
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
