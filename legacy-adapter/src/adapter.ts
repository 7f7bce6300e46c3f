import pg from 'pg';
import { TransactionAssembler } from './capture/assembler.js';
import { PublishPipeline } from './capture/pipeline.js';
import type { CapturedTransaction, RowChange } from './capture/transaction.js';
import { resolveOptions, type ResolvedOptions } from './config.js';
import { LegacyAdapterError } from './errors.js';
import type { EventDraft } from './mapping/mapper.js';
import { RowCache } from './mapping/row-cache.js';
import { formatLsn, type Lsn } from './pg/lsn.js';
import { PgoutputDecoder } from './pg/pgoutput.js';
import { ReplicationConnection } from './pg/replication-connection.js';
import { prepareSource } from './pg/setup.js';
import { checkSlot, dropMarker, dropSlot, findSlot, hasMarker, setMarker } from './pg/slot.js';
import { readSnapshot } from './pg/snapshot.js';
import { toMessages } from './publish/events.js';
import { KafkaPublisher } from './publish/kafka-publisher.js';
import type { AdapterOptions, AdapterStatus, RunningAdapter } from './types.js';

/**
 * Starts change data capture: checks the source, takes the initial snapshot on first start, then
 * streams committed transactions, maps them to domain events and publishes them. A transaction's
 * end LSN is confirmed to Postgres only after Kafka acknowledged all its events, and exactly that
 * LSN, so a restart resumes at the first transaction not yet published.
 */
export async function startAdapter(options: AdapterOptions): Promise<RunningAdapter> {
  const o = resolveOptions(options);
  const adapter = new Adapter(o);
  try {
    await adapter.start();
  } catch (e) {
    await adapter.close();
    throw e;
  }
  return adapter;
}

const MAX_PENDING_TRANSACTIONS = 5_000;
const STATUS_BATCH_MS = 20;

/**
 * The slot, once no walsender holds it: a connection that just closed releases its slot a moment
 * later. Still held after a few seconds means another process streams from it.
 */
async function findReleasedSlot(db: pg.Pool | pg.PoolClient, slot: string) {
  for (let i = 0; ; i++) {
    const info = await findSlot(db, slot);
    if (!info?.active || i >= 50) return info;
    await new Promise((r) => setTimeout(r, 100));
  }
}

class Adapter implements RunningAdapter {
  private readonly pool: pg.Pool;
  private readonly cache: RowCache;
  private publisher: KafkaPublisher | null = null;
  private replication: ReplicationConnection | null = null;
  private pipeline: PublishPipeline | null = null;
  private keys = new Map<string, string[]>();
  private readonly decoder = new PgoutputDecoder();
  private readonly assembler = new TransactionAssembler();
  private mapping: Promise<void> = Promise.resolve();
  private mappingPending = 0;
  private paused = false;
  private confirmed: Lsn = 0n;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusDue: NodeJS.Timeout | undefined;
  private readonly stats: AdapterStatus;
  private failure: ((e: Error) => void) | undefined;
  private closing = false;
  readonly failed: Promise<Error>;

  constructor(private readonly o: ResolvedOptions) {
    // Dates must print as YYYY-MM-DD whatever the server's default DateStyle is.
    this.pool = new pg.Pool({
      connectionString: o.databaseUrl,
      max: 3,
      options: '-c DateStyle=ISO,YMD',
    });
    this.pool.on('error', (e) => o.logger.warn({ err: e }, 'legacy database connection error'));
    this.cache = new RowCache(this.pool);
    this.stats = {
      slot: o.slot,
      phase: 'starting',
      snapshotRows: 0,
      transactions: 0,
      events: 0,
      confirmedLsn: formatLsn(0n),
    };
    this.failed = new Promise((resolve) => (this.failure = resolve));
  }

  status(): AdapterStatus {
    return { ...this.stats, confirmedLsn: formatLsn(this.confirmed) };
  }

  async start(): Promise<void> {
    const { logger, slot } = this.o;
    const db = await this.pool.connect();
    try {
      this.keys = await prepareSource(db, {
        publication: this.o.publication,
        tables: [...this.o.mapper.tables],
        fullIdentityTables: [...this.o.mapper.fullIdentityTables],
        alterReplicaIdentity: this.o.alterReplicaIdentity,
        logger,
      });
      this.publisher = await KafkaPublisher.connect(
        this.o.kafkaBrokers,
        this.o.clientId,
        this.o.topic,
        logger,
      );
      this.pipeline = new PublishPipeline({
        publish: (m) => this.publisher!.publish(m),
        confirm: (lsn) => this.confirm(lsn),
        maxBatchMessages: this.o.maxBatchEvents,
        maxBatchBytes: this.o.maxBatchBytes,
        logger,
      });
      this.replication = await ReplicationConnection.open({
        connectionString: this.o.databaseUrl,
        options: '-c DateStyle=ISO,YMD',
      });
      this.replication.onError((e) =>
        this.fail(
          new LegacyAdapterError(
            'REPLICATION_FAILED',
            `replication connection failed: ${e.message}`,
            { cause: e, retriable: true },
          ),
        ),
      );
      const identity = await this.replication.identifySystem();
      let info = await findReleasedSlot(db, slot);
      const marked = await hasMarker(db, slot);
      if (info) checkSlot(info, slot, identity.dbName);
      if (info && !marked) {
        logger.warn(
          { slot },
          'slot exists but its initial snapshot never completed: dropping it and starting over',
        );
        await dropSlot(db, slot);
        info = null;
      }
      if (!info && marked) {
        if (!this.o.resnapshot) {
          throw new LegacyAdapterError(
            'SLOT_MISSING',
            `replication slot ${slot} is gone, though this adapter streamed from it before: changes made since it disappeared cannot be captured one by one. ` +
              `Start with --resnapshot to publish the current state as a new snapshot`,
          );
        }
        await dropMarker(db, slot);
      }
      if (!info) await this.snapshot(db);
    } finally {
      db.release();
    }
    this.stream();
  }

  /** Creates the slot and publishes every existing row as of the slot's starting point. */
  private async snapshot(db: pg.PoolClient): Promise<void> {
    const { logger, slot } = this.o;
    this.stats.phase = 'snapshot';
    const { consistentPoint, snapshotName } = await this.replication!.createSlot(slot);
    logger.info(
      { slot, consistentPoint: formatLsn(consistentPoint) },
      'created replication slot; reading existing rows',
    );
    const position = `snapshot@${formatLsn(consistentPoint)}`;
    const time = new Date();
    let index = 0;
    const tables = this.o.mapper.tables.map((table) => ({ table, key: this.keys.get(table)! }));
    for await (const { table, rows } of readSnapshot(db, snapshotName, tables)) {
      const drafts: EventDraft[] = [];
      for (const row of rows) {
        const change: RowChange = { kind: 'insert', table, row, old: null, oldIsKeyOnly: false };
        drafts.push(...(await this.mapChange(change, position)));
        this.cache.rememberRow(table, this.keys.get(table)!, row);
      }
      const finished =
        (await this.o.mapper.finishTransaction?.(drafts, { changes: [] }, this.cache)) ?? drafts;
      this.pipeline!.enqueue({
        messages: toMessages(
          finished,
          { source: this.o.source, position, firstIndex: index, time },
          this.o.topic,
        ),
        endLsn: null,
      });
      index += finished.length;
      this.stats.snapshotRows += rows.length;
      this.stats.events += finished.length;
      await this.pipeline!.whenIdle();
    }
    await setMarker(db, slot);
    logger.info(
      { slot, rows: this.stats.snapshotRows, events: index },
      'initial snapshot published',
    );
  }

  private stream(): void {
    const { logger, slot, publication } = this.o;
    this.stats.phase = 'streaming';
    const streaming = this.replication!.start(slot, publication, {
      onData: (_walStart, payload) => {
        try {
          const tx = this.assembler.push(this.decoder.decode(payload));
          if (tx) this.schedule(tx);
        } catch (e) {
          this.fail(e instanceof Error ? e : new Error(String(e)));
        }
      },
      onKeepalive: (walEnd, replyRequested) => {
        // Nothing in flight: every transaction the server sent before walEnd is published, so the
        // slot may move up to walEnd (also past transactions on tables we do not capture).
        if (this.idle && walEnd > this.confirmed) this.confirmed = walEnd;
        if (replyRequested) this.replication?.sendStatus(this.confirmed);
      },
    });
    streaming.then(
      () => {
        if (!this.closing)
          this.fail(
            new LegacyAdapterError('REPLICATION_FAILED', 'the server ended replication', {
              retriable: true,
            }),
          );
      },
      (e: Error) => {
        if (!this.closing)
          this.fail(
            new LegacyAdapterError('REPLICATION_FAILED', `replication stopped: ${e.message}`, {
              cause: e,
              retriable: true,
            }),
          );
      },
    );
    this.statusTimer = setInterval(
      () => this.replication?.sendStatus(this.confirmed),
      this.o.statusIntervalMs,
    );
    logger.info({ slot, publication, topic: this.o.topic }, 'streaming changes');
  }

  private get idle(): boolean {
    return (
      !this.assembler.inTransaction && this.mappingPending === 0 && (this.pipeline?.idle ?? true)
    );
  }

  /** Maps transactions one after another, in commit order, while the stream keeps decoding. */
  private schedule(tx: CapturedTransaction): void {
    this.mappingPending++;
    this.updatePressure();
    this.mapping = this.mapping.then(async () => {
      try {
        await this.mapTransaction(tx);
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      } finally {
        this.mappingPending--;
        this.updatePressure();
      }
    });
  }

  private async mapTransaction(tx: CapturedTransaction): Promise<void> {
    if (this.closing) return;
    const position = formatLsn(tx.commitLsn);
    let drafts: EventDraft[] = [];
    if (tx.origin === null || !this.o.skipOrigins.includes(tx.origin)) {
      for (const change of tx.changes) {
        drafts.push(...(await this.mapChange(change, position)));
        this.cache.remember(change, this.keys.get(change.table) ?? []);
      }
      if (tx.truncated.length > 0) {
        throw new LegacyAdapterError(
          'MAPPING_FAILED',
          `transaction ${tx.xid} at ${position} truncated ${tx.truncated.join(', ')}: the mapping has no event for a truncate`,
        );
      }
      drafts = (await this.o.mapper.finishTransaction?.(drafts, tx, this.cache)) ?? drafts;
    }
    const messages = toMessages(
      drafts,
      { source: this.o.source, position, firstIndex: 0, time: tx.commitTime, xid: tx.xid },
      this.o.topic,
    );
    this.stats.transactions++;
    this.stats.events += messages.length;
    this.pipeline!.enqueue({ messages, endLsn: tx.endLsn });
    this.updatePressure();
  }

  private async mapChange(change: RowChange, position: string): Promise<EventDraft[]> {
    try {
      return await this.o.mapper.mapChange(change, this.cache);
    } catch (e) {
      const row = change.row ?? change.old;
      throw new LegacyAdapterError(
        'MAPPING_FAILED',
        `cannot map ${change.kind} on ${change.table} at ${position} (row ${JSON.stringify(row)}): ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }

  private confirm(lsn: Lsn): void {
    this.updatePressure();
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    // One status update per published request would keep the walsender busy at high transaction
    // rates: send at most one per STATUS_BATCH_MS; the slot lags that much, never more.
    this.statusDue ??= setTimeout(() => {
      this.statusDue = undefined;
      if (!this.closing) this.replication?.sendStatus(this.confirmed);
    }, STATUS_BATCH_MS);
  }

  /**
   * Stops reading the replication stream while too much waits to be mapped or published, so a
   * burst of legacy writes cannot fill memory; Postgres keeps the WAL meanwhile.
   */
  private updatePressure(): void {
    const behind =
      this.mappingPending > MAX_PENDING_TRANSACTIONS ||
      (this.pipeline?.queuedMessages ?? 0) > this.o.maxQueuedEvents;
    const caughtUp =
      this.mappingPending <= MAX_PENDING_TRANSACTIONS / 2 &&
      (this.pipeline?.queuedMessages ?? 0) <= this.o.maxQueuedEvents / 2;
    if (!this.paused && behind) {
      this.paused = true;
      this.replication?.pause();
      this.o.logger.debug('publishing is behind: pausing the replication stream');
    } else if (this.paused && caughtUp && !this.closing) {
      this.paused = false;
      this.replication?.resume();
      this.o.logger.debug('resuming the replication stream');
    }
  }

  private fail(e: Error): void {
    if (this.closing || this.stats.phase === 'failed') return;
    this.stats.phase = 'failed';
    this.o.logger.error({ err: e }, 'adapter stopped');
    this.failure?.(e);
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.statusTimer);
    clearTimeout(this.statusDue);
    this.replication?.pause();
    if (this.stats.phase !== 'failed') {
      // Publish and confirm what was already read, so a restart has less to repeat.
      await this.mapping;
      await Promise.race([this.pipeline?.whenIdle(), new Promise((r) => setTimeout(r, 10_000))]);
      clearTimeout(this.statusDue);
      this.replication?.sendStatus(this.confirmed);
      this.stats.phase = 'stopped';
    }
    this.pipeline?.stop();
    await this.replication?.close();
    // Resolve only once Postgres released the slot, so a restart right away finds it free.
    await findReleasedSlot(this.pool, this.o.slot).catch(() => {});
    await this.publisher?.close().catch(() => {});
    await this.pool.end().catch(() => {});
    this.o.logger.info({ confirmedLsn: formatLsn(this.confirmed) }, 'adapter stopped');
  }
}
