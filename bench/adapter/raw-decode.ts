import type pg from 'pg';

/**
 * The baseline: our pgoutput decoder alone reading `rows` inserts from a slot, no mapping, no Kafka.
 * Uses the adapter's internal decoder through its built files, as a same-run reference.
 */
export async function rawDecode(
  databaseUrl: string,
  slot: string,
  publication: string,
  rows: number,
): Promise<{ ms: number }> {
  const { ReplicationConnection } =
    await import('../../legacy-adapter/dist/pg/replication-connection.js');
  const { PgoutputDecoder } = await import('../../legacy-adapter/dist/pg/pgoutput.js');
  const conn = await ReplicationConnection.open({
    connectionString: databaseUrl,
  } as pg.ClientConfig);
  const decoder = new PgoutputDecoder();
  let seen = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    void conn.start(slot, publication, {
      onData: (_lsn: bigint, payload: Buffer) => {
        if (decoder.decode(payload).tag === 'insert' && ++seen === rows) resolve();
      },
      onKeepalive: () => {},
    });
  });
  const ms = performance.now() - t0;
  await conn.close();
  return { ms };
}
