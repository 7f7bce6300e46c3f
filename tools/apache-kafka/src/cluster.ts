import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { ApacheKafkaError } from './errors.js';
import { defaultCacheDir, fetchKafka, kafkaVersion } from './fetch.js';
import { findJava } from './java.js';
import { NodeProcess } from './node-process.js';
import { checkOptions } from './options.js';
import { LOG4J2, nodeProperties, type NodeLayout } from './properties.js';
import type { ApacheKafka, ApacheKafkaOptions } from './types.js';

/** Saved in the data folder so a kept folder restarts on the same ids and ports. */
interface SavedLayout {
  clusterId: string;
  host: string;
  nodes: NodeLayout[];
}

/**
 * Starts Apache Kafka in KRaft mode from Maven Central jars: one combined node, or three. Resolves
 * once every node's broker is in the cluster metadata; on failure stops whatever started.
 */
export async function startApacheKafka(options: ApacheKafkaOptions = {}): Promise<ApacheKafka> {
  const { nodes: count, host, heap, startTimeoutMs } = checkOptions(options);
  const log = options.log ?? (() => {});
  const java = await findJava();
  const libs = await fetchKafka(options.cacheDir ?? defaultCacheDir(), log);
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'apache-kafka-')));
  const layout = await loadOrPlanLayout(dataDir, count, host, options.port);

  const processes = layout.nodes.map(
    (node) =>
      new NodeProcess({
        id: node.id,
        broker: `${host}:${node.port}`,
        java,
        libs,
        configDir: join(dataDir, `node-${node.id}`),
        heap,
        startTimeoutMs,
      }),
  );
  const killAll = () => processes.forEach((p) => p.pid && process.kill(p.pid, 'SIGKILL'));
  // A test runner killed mid-run must not leave JVMs behind holding ports.
  process.once('exit', killAll);
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    process.removeListener('exit', killAll);
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    for (const node of layout.nodes) {
      const configDir = join(dataDir, `node-${node.id}`);
      await mkdir(configDir, { recursive: true });
      await writeFile(
        join(configDir, 'server.properties'),
        nodeProperties(node, layout.nodes, host, options.overrides),
      );
      await writeFile(join(configDir, 'log4j2.properties'), LOG4J2);
    }
    await Promise.all(
      layout.nodes.map((node) =>
        format(java, libs, layout.clusterId, join(dataDir, `node-${node.id}`)),
      ),
    );
    log(`starting Apache Kafka ${kafkaVersion()}: ${count} node(s) in ${dataDir}`);
    await Promise.all(processes.map((p) => p.start()));
    await waitForBrokers(
      processes.map((p) => p.broker),
      startTimeoutMs,
    );
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const brokers = processes.map((p) => p.broker);
  log(`Apache Kafka ${kafkaVersion()} serves on ${brokers.join(',')}`);
  return { brokers, nodes: processes, version: kafkaVersion(), stop };
}

async function loadOrPlanLayout(
  dataDir: string,
  count: number,
  host: string,
  firstPort: number | undefined,
): Promise<SavedLayout> {
  const file = join(dataDir, 'cluster.json');
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as SavedLayout;
    if (saved.nodes.length !== count || saved.host !== host) {
      throw new ApacheKafkaError(
        'BAD_OPTION',
        `${dataDir} holds a ${saved.nodes.length}-node cluster on ${saved.host}; use that, or another dataDir`,
      );
    }
    return saved;
  }
  const nodes: NodeLayout[] = [];
  for (let id = 1; id <= count; id++) {
    nodes.push({
      id,
      port: id === 1 && firstPort ? firstPort : await freePort(host),
      controllerPort: await freePort(host),
      dataDir: join(dataDir, `node-${id}`, 'data'),
    });
  }
  const layout = { clusterId: clusterId(), host, nodes };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(layout, null, 2));
  return layout;
}

/**
 * A Kafka Uuid: 16 random bytes, base64url without padding. Like Kafka's Uuid.randomUuid, never
 * one starting with "-", which the storage tool's argument parser would take for an option.
 */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function format(
  java: string,
  libs: string,
  clusterId: string,
  configDir: string,
): Promise<void> {
  const args = [
    '-cp',
    join(libs, '*'),
    `-Dlog4j2.configurationFile=${join(configDir, 'log4j2.properties')}`,
  ];
  args.push('kafka.tools.StorageTool', 'format', '--ignore-formatted', `--cluster-id=${clusterId}`);
  args.push('-c', join(configDir, 'server.properties'));
  try {
    await promisify(execFile)(java, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    throw new ApacheKafkaError(
      'FORMAT_FAILED',
      `formatting KRaft storage in ${configDir} failed: ${out.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
}

/** Waits until the cluster metadata lists every broker: then topics can be made with full replication. */
async function waitForBrokers(brokers: string[], timeoutMs: number): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  try {
    for (;;) {
      try {
        await admin.connect();
        seen = (await admin.describeCluster()).brokers.length;
        if (seen >= brokers.length) return;
      } catch {
        // Not serving yet.
      }
      if (Date.now() > deadline) {
        throw new ApacheKafkaError(
          'START_TIMEOUT',
          `Apache Kafka started but only ${seen} of ${brokers.length} brokers joined within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
