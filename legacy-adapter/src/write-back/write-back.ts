import { isCatalog } from '@strangler/event-schemas';
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { LegacyAdapterError } from '../errors.js';
import type {
  Logger,
  RunningWriteBack,
  WriteBackBehind,
  WriteBackOptions,
  WriteBackStatus,
} from '../types.js';
import { applyBatch, type BatchTarget } from './apply-batch.js';
import { checkWriteBack } from './define-write-back.js';
import { originName } from './origin.js';
import { startWriteBackStatus } from './status-server.js';
import { parseLsn } from '../pg/lsn.js';

const MAX_RETRY_MS = 30_000;

/**
 * Applies the new service's events to the legacy database: each partition's batch in one legacy
 * transaction, under a replication origin that the capture skips (no echo) and that records the
 * progress with the writes (exactly once). A batch that fails is retried from its first event
 * after a growing pause, never skipped: later events of the partition wait behind it.
 */
export async function startWriteBack(options: WriteBackOptions): Promise<RunningWriteBack> {
  const o = resolve(options);
  const log = o.logger;
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 4 });
  pool.on('error', (err) => log.warn({ err }, 'legacy database connection error'));
  const status: WriteBackStatus = {
    state: 'starting',
    applied: 0,
    skipped: 0,
    partitions: {},
    failing: null,
  };
  const attempts = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let closing: Promise<void> | undefined;
  const kafka = new Kafka({
    clientId: 'strangler-writeback',
    brokers: o.kafkaBrokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => log.warn({ kafkajs: entry.namespace }, entry.log.message),
  });
  const consumer: Consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  const target = (partition: number): BatchTarget => ({
    pool,
    catalog: o.catalog,
    mapping: o.mapping,
    sources: o.sources,
    origin: o.origin,
    topic: o.topic,
    partition,
  });

  async function eachBatch({ batch, resolveOffset, heartbeat, pause }: EachBatchPayload) {
    const { partition, messages } = batch;
    if (stopping || messages.length === 0) return;
    try {
      const result = await applyBatch(target(partition), messages);
      status.applied += result.applied;
      status.skipped += result.skipped;
      status.partitions[String(partition)] = String(result.nextOffset);
      resolveOffset(messages.at(-1)!.offset);
      if (attempts.delete(partition) && status.failing?.partition === partition) {
        log.info({ partition }, 'write-back of the partition goes on');
        status.failing = null;
        status.state = 'running';
      }
      await heartbeat();
    } catch (err) {
      const n = (attempts.get(partition) ?? 0) + 1;
      attempts.set(partition, n);
      const delay = Math.min(o.retryInitialMs * 2 ** Math.min(n - 1, 20), MAX_RETRY_MS);
      const offset = messages[0]!.offset;
      status.state = 'failing';
      status.failing = { partition, offset, attempts: n, lastError: (err as Error).message };
      log.error(
        { err, partition, offset, attempt: n, retryInMs: delay },
        'write-back failed; the batch is retried, nothing after it is applied',
      );
      consumer.seek({ topic: o.topic, partition, offset });
      const resume = pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) resume();
      }, delay);
      timers.add(timer);
    }
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    status.state = status.failing ? 'failing' : 'running';
    log.info(
      { assignment: payload.memberAssignment[o.topic] ?? [] },
      'write-back joined the group',
    );
  });
  await consumer.connect();
  // The topic appears with the service's first event (its outbox adapter creates it): until then
  // the write-back waits for it rather than failing a deploy that started it first.
  const subscribed = (async () => {
    for (let waited = false; !stopping; waited = true) {
      try {
        await consumer.subscribe({ topic: o.topic, fromBeginning: true });
        await consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch });
        log.info({ topic: o.topic, groupId: o.groupId, origin: o.origin }, 'write-back started');
        return;
      } catch (err) {
        if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
        if (!waited) log.info({ topic: o.topic }, 'waiting for the topic to exist');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  subscribed.catch((err: unknown) => {
    status.state = 'failing';
    log.error({ err }, 'write-back could not subscribe');
  });

  async function applied(topic: string, offsets: Record<string, string>) {
    const behind: WriteBackBehind[] = [];
    for (const [partition, wanted] of Object.entries(offsets)) {
      const { rows } = await pool
        .query<{ lsn: string | null }>(
          'SELECT pg_replication_origin_progress($1, true)::text AS lsn',
          [originName(o.origin, topic, Number(partition))],
        )
        .catch((err: { code?: string }) => {
          // An origin nobody created yet: nothing of that partition was applied.
          if (err.code === '42704') return { rows: [{ lsn: null }] };
          throw err;
        });
      const done = rows[0]?.lsn ? parseLsn(rows[0].lsn) : 0n;
      if (done < BigInt(wanted)) {
        behind.push({ partition: Number(partition), applied: String(done), wanted });
      }
    }
    return behind;
  }
  const statusServer =
    o.statusPort === undefined
      ? undefined
      : await startWriteBackStatus(o.statusPort, o.statusHost, {
          status: () => structuredClone(status),
          applied,
          topic: o.topic,
        });
  if (statusServer) log.info({ url: statusServer.url }, 'write-back status port listening');

  return {
    status: () => structuredClone(status),
    applied,
    ...(statusServer ? { statusUrl: statusServer.url } : {}),
    close() {
      closing ??= stop();
      return closing;
    },
  };

  async function stop(): Promise<void> {
    stopping = true;
    for (const timer of timers) clearTimeout(timer);
    await new Promise((r) => (statusServer ? statusServer.server.close(r) : r(undefined)));
    await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'disconnect failed'));
    await pool.end();
    status.state = 'stopped';
    log.info({ applied: status.applied }, 'write-back stopped');
  }
}

type Resolved = Required<Omit<WriteBackOptions, 'sources' | 'logger' | 'statusPort'>> & {
  statusPort: number | undefined;
  sources: ReadonlySet<string> | null;
  logger: Logger;
};

const invalid = (message: string) => new LegacyAdapterError('INVALID_CONFIG', message);

function resolve(o: WriteBackOptions): Resolved {
  if (typeof o !== 'object' || o === null) throw invalid('startWriteBack: options are required');
  if (!isCatalog(o.catalog)) {
    throw invalid("catalog is required: the catalog of the new service's events (defineCatalog)");
  }
  const mapping = checkWriteBack(o.mapping);
  for (const field of ['topic', 'databaseUrl'] as const) {
    if (typeof o[field] !== 'string' || o[field] === '') {
      throw invalid(
        `${field} is required: ${field === 'topic' ? "the topic of the new service's events" : 'the legacy database URL'}`,
      );
    }
  }
  if (!Array.isArray(o.kafkaBrokers) || o.kafkaBrokers.length === 0) {
    throw invalid(
      `kafkaBrokers must be a non-empty list of host:port; got ${JSON.stringify(o.kafkaBrokers)}`,
    );
  }
  const origin = o.origin ?? 'strangler_writeback';
  if (!/^[a-z0-9_]{1,100}$/.test(origin)) {
    throw invalid(`origin must be 1-100 of a-z 0-9 _; got ${JSON.stringify(origin)}`);
  }
  if (o.sources !== undefined && (!Array.isArray(o.sources) || o.sources.length === 0)) {
    throw invalid(
      'sources must be a non-empty list of CloudEvents sources, or left out for every event',
    );
  }
  const retryInitialMs = o.retryInitialMs ?? 500;
  if (!Number.isInteger(retryInitialMs) || retryInitialMs < 1) {
    throw invalid(
      `retryInitialMs must be a positive whole number of ms; got ${JSON.stringify(o.retryInitialMs)}`,
    );
  }
  return {
    catalog: o.catalog,
    mapping,
    topic: o.topic,
    databaseUrl: o.databaseUrl,
    kafkaBrokers: o.kafkaBrokers,
    sources: o.sources ? new Set(o.sources) : null,
    origin,
    groupId: o.groupId ?? 'strangler-writeback',
    retryInitialMs,
    statusPort: o.statusPort,
    statusHost: o.statusHost ?? '127.0.0.1',
    logger: o.logger ?? pino({ name: 'write-back' }),
  };
}
