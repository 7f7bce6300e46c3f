import pg from 'pg';
import { parseLsn, type Lsn } from './lsn.js';

const PG_EPOCH_US = BigInt(Date.UTC(2000, 0, 1)) * 1000n;

export interface SystemIdentity {
  systemId: string;
  timeline: number;
  xlogPos: Lsn;
  dbName: string;
}

export interface StreamHandlers {
  /** An XLogData payload (one pgoutput message) and the WAL position it starts at. */
  onData(walStart: Lsn, payload: Buffer): void;
  /** A primary keepalive: the server's sent position, and whether it wants an answer now. */
  onKeepalive(walEnd: Lsn, replyRequested: boolean): void;
}

/**
 * A connection in replication mode (the walsender protocol), on top of node-postgres. We speak the
 * streaming part ourselves instead of using pg-logical-replication, because its acknowledge()
 * reports lsn+1 as flushed, which was shown to lose a concurrent transaction whose commit record
 * starts right there (research/cdc.md, item 3). Here the status update says exactly what we pass.
 */
export class ReplicationConnection {
  private streaming: Promise<unknown> | null = null;

  private constructor(private readonly client: pg.Client) {}

  static async open(config: pg.ClientConfig): Promise<ReplicationConnection> {
    const client = new pg.Client({ ...config, replication: 'database' } as pg.ClientConfig);
    await client.connect();
    return new ReplicationConnection(client);
  }

  /** Errors of the connection after it is open (network loss, server shutdown). */
  onError(listener: (e: Error) => void): void {
    this.client.on('error', listener);
  }

  async identifySystem(): Promise<SystemIdentity> {
    const { rows } = await this.client.query<{
      systemid: string;
      timeline: string;
      xlogpos: string;
      dbname: string;
    }>('IDENTIFY_SYSTEM');
    const row = rows[0]!;
    return {
      systemId: row.systemid,
      timeline: Number(row.timeline),
      xlogPos: parseLsn(row.xlogpos),
      dbName: row.dbname,
    };
  }

  /**
   * Creates the slot and exports the snapshot it starts from. The snapshot stays usable by other
   * sessions (SET TRANSACTION SNAPSHOT) until this connection runs its next command.
   */
  async createSlot(slot: string): Promise<{ consistentPoint: Lsn; snapshotName: string }> {
    const { rows } = await this.client.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${ident(slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
    );
    const row = rows[0]!;
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /**
   * Starts streaming. From '0/0' the server resumes at the slot's confirmed position, never at
   * whatever this client last received. Resolves when streaming ends; rejects on a server error.
   */
  start(slot: string, publication: string, handlers: StreamHandlers): Promise<unknown> {
    const connection = (this.client as unknown as { connection: PgConnection }).connection;
    connection.on('copyData', ({ chunk }: { chunk: Buffer }) => {
      const kind = chunk[0];
      if (kind === 0x77 /* w: XLogData */) {
        handlers.onData(chunk.readBigUInt64BE(1), chunk.subarray(25));
      } else if (kind === 0x6b /* k: primary keepalive */) {
        handlers.onKeepalive(chunk.readBigUInt64BE(1), chunk[17] === 1);
      }
    });
    const options = [
      `proto_version '1'`,
      `publication_names '${publication.replaceAll("'", "''")}'`,
      `messages 'true'`,
    ];
    this.streaming = this.client.query(
      `START_REPLICATION SLOT ${ident(slot)} LOGICAL 0/0 (${options.join(', ')})`,
    );
    return this.streaming;
  }

  /**
   * Standby status update: everything up to `flushed` is safely processed. Postgres skips, on the
   * next start, every transaction whose commit record begins before this position: pass the end
   * LSN of the last fully published transaction, not one byte more.
   */
  sendStatus(flushed: Lsn, replyRequested = false): void {
    const msg = Buffer.alloc(34);
    msg.write('r', 0);
    msg.writeBigUInt64BE(flushed, 1); // written
    msg.writeBigUInt64BE(flushed, 9); // flushed
    msg.writeBigUInt64BE(flushed, 17); // applied
    msg.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
    msg.writeUInt8(replyRequested ? 1 : 0, 33);
    (this.client as unknown as { connection: PgConnection }).connection.sendCopyFromChunk(msg);
  }

  /** Stops reading from the server (TCP backpressure) while we catch up. */
  pause(): void {
    (this.client as unknown as { connection: PgConnection }).connection.stream.pause();
  }

  resume(): void {
    (this.client as unknown as { connection: PgConnection }).connection.stream.resume();
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
    await this.streaming?.catch(() => {});
  }
}

interface PgConnection {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

/** A quoted identifier (slot names are [a-z0-9_] by Postgres's rules; quoting keeps it exact). */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
