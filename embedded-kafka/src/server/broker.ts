import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Coordinator } from '../groups/coordinator.js';
import { EmbeddedKafkaError } from '../errors.js';
import { resolveOptions, type ResolvedOptions } from '../options.js';
import { OffsetStore } from '../storage/offset-store.js';
import { ProducerState } from '../storage/producer-state.js';
import { TopicStore } from '../storage/topic-store.js';
import { lockDataDir, readClusterId } from '../storage/data-dir.js';
import type { Broker, BrokerOptions } from '../types.js';
import { Connection } from './connection.js';
import type { BrokerState } from './state.js';

/**
 * Starts a single-node broker that speaks the Kafka wire protocol well enough for kafkajs 2.2.4 to
 * work unchanged. For local runs and tests; never a production broker.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const opts = resolveOptions(options);
  const { logger } = opts;
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  let state: BrokerState;
  try {
    state = openState(opts);
  } catch (e) {
    unlock();
    throw e instanceof EmbeddedKafkaError
      ? e
      : new EmbeddedKafkaError('DATA_DIR', `cannot open data dir ${opts.dataDir}: ${String(e)}`, {
          cause: e,
        });
  }
  const connections = new Set<Connection>();
  const server = createServer((socket) =>
    connections.add(new Connection(socket, state, (c) => connections.delete(c))),
  );
  try {
    state.port = await listen(server, opts.port, opts.host);
  } catch (e) {
    closeState(state);
    unlock();
    throw e;
  }
  const flush =
    opts.dataDir && opts.fsyncIntervalMs > 0
      ? setInterval(() => sync(state), opts.fsyncIntervalMs)
      : undefined;
  flush?.unref();
  logger.info(
    `listening on ${opts.host}:${state.port}, advertised as ${opts.advertisedHost}:${state.port}` +
      (opts.dataDir ? `, data in ${opts.dataDir}` : ', in memory'),
  );

  let stopped: Promise<void> | undefined;
  return {
    host: opts.host,
    port: state.port,
    brokers: [`${opts.advertisedHost}:${state.port}`],
    clusterId: state.clusterId,
    stop() {
      stopped ??= (async () => {
        clearInterval(flush);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of connections) c.close();
        state.coordinator.close();
        await closed;
        closeState(state);
        unlock();
        logger.info(`stopped (port ${state.port})`);
      })();
      return stopped;
    },
  };
}

function openState(opts: ResolvedOptions): BrokerState {
  const storage = {
    dataDir: opts.dataDir,
    fsyncEachWrite: opts.fsyncIntervalMs === 0,
    logger: opts.logger,
  };
  const topics = new TopicStore(storage);
  const offsets = new OffsetStore(storage);
  topics.load();
  offsets.load();
  const producers = new ProducerState();
  for (const topic of topics.all()) {
    for (const log of topic.partitions) {
      for (const b of log.batches)
        producers.record(topic.name, log.partition, b.header, b.baseOffset);
    }
  }
  const clusterId =
    opts.clusterId ??
    (opts.dataDir ? readClusterId(opts.dataDir) : randomBytes(16).toString('base64url'));
  const coordinator = new Coordinator(offsets, topics, {
    minSessionTimeoutMs: opts.minSessionTimeoutMs,
    maxSessionTimeoutMs: opts.maxSessionTimeoutMs,
    initialRebalanceDelayMs: opts.initialRebalanceDelayMs,
    maxOffsetMetadataBytes: opts.maxOffsetMetadataBytes,
    logger: opts.logger,
  });
  return {
    options: opts,
    logger: opts.logger,
    clusterId,
    port: opts.port,
    topics,
    offsets,
    producers,
    coordinator,
  };
}

function sync(state: BrokerState): void {
  try {
    state.topics.sync();
    state.offsets.sync();
  } catch (e) {
    state.logger.error(`fsync failed: ${String(e)}`);
  }
}

function closeState(state: BrokerState): void {
  state.topics.close();
  state.offsets.close();
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message;
      reject(
        new EmbeddedKafkaError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, {
          cause: e,
        }),
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
