import type { AnyCatalog } from '@strangler/event-schemas';
import pg from 'pg';
import { TransactionAssembler } from './capture/assembler.js';
import { takeSnapshot } from './capture/initial-snapshot.js';
import { PublishPipeline } from './capture/pipeline.js';
import type { CapturedTransaction } from './capture/transaction.js';
import { resolveOptions, type ResolvedOptions } from './config.js';
import { LegacyAdapterError } from './errors.js';
import { ChangeMapper } from './mapping/change-mapper.js';
import { RowCache } from './mapping/row-cache.js';
import { formatLsn, parseLsn, type Lsn } from './pg/lsn.js';
import { PgoutputDecoder } from './pg/pgoutput.js';
import { ReplicationConnection } from './pg/replication-connection.js';
import { databaseRowReader } from './pg/row-reader.js';
import { SESSION_OPTIONS } from './pg/session.js';
import { prepareSource } from './pg/setup.js';
import { findReleasedSlot, needsSnapshot } from './pg/slot-state.js';
import { KafkaPublisher } from './publish/kafka-publisher.js';
import type { AdapterOptions, AdapterStatus, BarrierPosition, RunningAdapter } from './types.js';

/**
 * Starts change data capture: checks the source, takes the initial snapshot on first start, then
 * streams committed transactions, maps them to the catalog's events and publishes them. A
 * transaction's end LSN is confirmed to Postgres only after Kafka acknowledged all its messages
 * (events and dead letters), and exactly that LSN, so a restart resumes at the first transaction
 * not yet published.
 */
export async function startAdapter<C extends AnyCatalog>(
  options: AdapterOptions<C>,
): Promise<RunningAdapter> {
  const o = resolveOptions(options as AdapterOptions);
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
/** Failures after which what was mapped before is still published and confirmed. */
const DRAINING_FAILURES = new Set(['MAPPING_FAILED', 'UNHANDLED_TRUNCATE']);

class Adapter implements RunningAdapter {
  private readonly pool: pg.Pool;
  private readonly cache: RowCache;
  private mapper: ChangeMapper | null = null;
  /** Primary-key columns of each captured table. */
  private keys = new Map<string, string[]>();
  private publisher: KafkaPublisher | null = null;
  private replication: ReplicationConnection | null = null;
  private pipeline: PublishPipeline | null = null;
  private readonly decoder = new PgoutputDecoder();
  private readonly assembler = new TransactionAssembler();
  private mapping: Promise<void> = Promise.resolve();
  private mappingPending = 0;
  private paused = false;
  private confirmed: Lsn = 0n;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusDue: NodeJS.Timeout | undefined;
  private readonly stats: Omit<AdapterStatus, 'confirmedLsn' | 'publishing'>;
  private failure: ((e: Error) => void) | undefined;
  private closing: Promise<void> | null = null;
  readonly failed: Promise<Error>;

  constructor(private readonly o: ResolvedOptions) {
    this.pool = new pg.Pool({ connectionString: o.databaseUrl, max: 3, options: SESSION_OPTIONS });
    this.pool.on('error', (e) => o.logger.warn({ err: e }, 'legacy database connection error'));
    this.cache = new RowCache(databaseRowReader(this.pool));
    this.stats = {
      slot: o.slot,
      phase: 'starting',
      snapshotRows: 0,
      transactions: 0,
      events: 0,
      deadLetters: 0,
    };
    this.failed = new Promise((resolve) => (this.failure = resolve));
  }

  status(): AdapterStatus {
    const failing = this.pipeline?.failing;
    return {
      ...this.stats,
      confirmedLsn: formatLsn(this.confirmed),
      publishing: {
        queuedEvents: this.pipeline?.queuedMessages ?? 0,
        requests: this.pipeline?.requests ?? 0,
        failedAttempts: failing?.attempts ?? 0,
        lastError: failing?.lastError ?? null,
        producerRestarts: this.publisher?.restarts ?? 0,
      },
    };
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
      this.mapper = new ChangeMapper({ ...this.o, cache: this.cache, keys: this.keys });
      const topics = [this.o.topic];
      if (this.o.onMappingError === 'dead-letter') topics.push(this.o.deadLetterTopic);
      this.publisher = await KafkaPublisher.connect({
        brokers: this.o.kafkaBrokers,
        clientId: this.o.clientId,
        topics,
        timeoutMs: this.o.publishTimeoutMs,
        logger,
      });
      this.pipeline = new PublishPipeline({
        publish: (m) => this.publisher!.publish(m),
        confirm: (lsn) => this.confirm(lsn),
        maxBatchMessages: this.o.maxBatchEvents,
        maxBatchBytes: this.o.maxBatchBytes,
        lingerMs: this.o.lingerMs,
        logger,
      });
      this.replication = await ReplicationConnection.open({
        connectionString: this.o.databaseUrl,
        options: SESSION_OPTIONS,
      });
      this.replication.onError((e) =>
        this.fail(
          new LegacyAdapterError(
            'REPLICATION_FAILED',
            `replication connection failed: ${e.message}`,
            {
              cause: e,
              retriable: true,
            },
          ),
        ),
      );
      const identity = await this.replication.identifySystem();
      const { resnapshot } = this.o;
      if (await needsSnapshot(db, { slot, database: identity.dbName, resnapshot, logger })) {
        await this.snapshot(db);
      }
    } finally {
      db.release();
    }
    this.stream();
  }

  /** Creates the slot and publishes every existing row as of the slot's starting point. */
  private snapshot(db: pg.PoolClient): Promise<void> {
    this.stats.phase = 'snapshot';
    return takeSnapshot({
      db,
      replication: this.replication!,
      mapper: this.mapper!,
      pipeline: this.pipeline!,
      tables: this.o.mapper.tables.map((table) => ({ table, key: this.keys.get(table)! })),
      slot: this.o.slot,
      source: this.o.source,
      stats: this.stats,
      logger: this.o.logger,
    });
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
        if (this.closing) return;
        // Nothing in flight: every transaction the server sent before walEnd is published, so the
        // slot may move up to walEnd (also past transactions on tables we do not capture).
        if (this.idle && walEnd > this.confirmed) this.confirmed = walEnd;
        if (replyRequested) this.replication?.sendStatus(this.confirmed);
      },
    });
    const ended = (message: string, cause?: unknown) => {
      if (!this.closing)
        this.fail(
          new LegacyAdapterError('REPLICATION_FAILED', message, { cause, retriable: true }),
        );
    };
    streaming.then(
      () => ended('the server ended replication'),
      (e: Error) => ended(`replication stopped: ${e.message}`, e),
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
    const skipped = tx.origin !== null && isSkippedOrigin(tx.origin, this.o.skipOrigins);
    const mapped = skipped
      ? { messages: [], events: 0, deadLetters: 0 }
      : await this.mapper!.transaction(tx);
    this.stats.transactions++;
    this.stats.events += mapped.events;
    this.stats.deadLetters += mapped.deadLetters;
    this.pipeline!.enqueue({ messages: mapped.messages, endLsn: tx.endLsn });
    this.updatePressure();
  }

  async barrier(timeoutMs = 10_000): Promise<BarrierPosition> {
    if (this.stats.phase !== 'streaming' || !this.publisher) {
      throw new LegacyAdapterError(
        'BARRIER_FAILED',
        `the adapter is ${this.stats.phase}, not streaming: nothing can be confirmed published yet`,
        { retriable: true },
      );
    }
    // The insert position, not pg_current_wal_lsn (the write position): with asynchronous
    // commit a transaction has returned before its WAL is written, and must still be waited for.
    const { rows } = await this.pool.query<{ lsn: string }>(
      'SELECT pg_current_wal_insert_lsn()::text AS lsn',
    );
    const target = parseLsn(rows[0]!.lsn);
    const deadline = performance.now() + timeoutMs;
    // Every transaction committed before `target` ends at or before it: once the slot's confirmed
    // position reaches it, they are all in Kafka. With nothing to publish, a keepalive asked for
    // now moves the position to the server's end of WAL (see onKeepalive).
    while (this.confirmed < target) {
      if (performance.now() > deadline) {
        throw new LegacyAdapterError(
          'BARRIER_FAILED',
          `what was committed before ${formatLsn(target)} was not all published within ${timeoutMs} ms (confirmed ${formatLsn(this.confirmed)})`,
          { retriable: true },
        );
      }
      if (this.idle) this.replication?.sendStatus(this.confirmed, true);
      await new Promise((r) => setTimeout(r, 20));
    }
    const offsets = await this.publisher.endOffsets(this.o.topic);
    this.o.logger.info(
      { lsn: formatLsn(target), topic: this.o.topic, offsets },
      'barrier: everything committed before it is in Kafka',
    );
    return { topic: this.o.topic, offsets };
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

  /**
   * Stops by itself. After a mapping error, what was mapped before it is still published and
   * confirmed (never the failing transaction), so a restart starts exactly there.
   */
  private fail(e: Error): void {
    if (this.closing || this.stats.phase === 'failed') return;
    this.stats.phase = 'failed';
    this.o.logger.error({ err: e }, 'adapter stopped');
    const drain = e instanceof LegacyAdapterError && DRAINING_FAILURES.has(e.code);
    // `failed` resolves once connections are closed (a supervisor may restart at once), or after
    // a bound, so a stuck close cannot keep the process from exiting.
    const bound = new Promise((r) => setTimeout(r, 20_000).unref());
    void Promise.race([this.shutdown(drain), bound]).finally(() => this.failure?.(e));
  }

  close(): Promise<void> {
    return this.shutdown(this.stats.phase !== 'failed');
  }

  private shutdown(drain: boolean): Promise<void> {
    this.closing ??= this.stop(drain);
    return this.closing;
  }

  private async stop(drain: boolean): Promise<void> {
    clearInterval(this.statusTimer);
    clearTimeout(this.statusDue);
    this.replication?.pause();
    if (drain) {
      // Publish and confirm what was already mapped, so a restart has less to repeat.
      await this.mapping;
      await Promise.race([this.pipeline?.whenIdle(), new Promise((r) => setTimeout(r, 10_000))]);
      clearTimeout(this.statusDue);
      this.replication?.sendStatus(this.confirmed);
    }
    if (this.stats.phase !== 'failed') this.stats.phase = 'stopped';
    this.pipeline?.stop();
    await this.replication?.close();
    // Resolve only once Postgres released the slot, so a restart right away finds it free.
    await findReleasedSlot(this.pool, this.o.slot).catch(() => {});
    await this.publisher?.close().catch(() => {});
    await this.pool.end().catch(() => {});
    this.o.logger.info({ confirmedLsn: formatLsn(this.confirmed) }, 'adapter stopped');
  }
}

/** An origin in the list, or one of its write-back partitions (`<origin>:<topic>:<partition>`). */
export function isSkippedOrigin(origin: string, skipOrigins: readonly string[]): boolean {
  for (const skip of skipOrigins) if (origin === skip || origin.startsWith(`${skip}:`)) return true;
  return false;
}
