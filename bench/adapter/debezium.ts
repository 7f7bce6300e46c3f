import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../lib-stack.js';
import { startChildPipeline, type ChildPipeline } from './child-pipeline.js';

const POM = join(ROOT, 'bench/debezium/pom.xml');
const CACHE = join(ROOT, '.cache/debezium');
/** The pom builds into the ignored cache (its <directory>), not into bench/. */
const TARGET = join(CACHE, 'target');
export const DEBEZIUM_VERSION = '3.6.1.Final';

const run = promisify(execFile);
/** JAVA_HOME's java when set, as for the Kafka broker (tools/apache-kafka). */
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

async function need(tool: string, args: string[], hint: string): Promise<void> {
  try {
    await run(tool, args);
  } catch {
    throw new Error(`${tool} is needed for the Debezium side of this bench: ${hint}`);
  }
}

/**
 * Builds bench/debezium with Maven and returns the runner's classpath. Offline first: once the
 * local repository in .cache/debezium is filled, a build needs no network; the first one fetches
 * Debezium and its dependencies from Maven Central.
 */
export async function buildDebeziumRunner(log: (line: string) => void): Promise<string> {
  await need(
    JAVA,
    ['-version'],
    'install Java 17+ (Debian: apt-get install openjdk-17-jdk-headless)',
  );
  await need('mvn', ['-v'], 'install Maven (Debian: apt-get install maven)');
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    POM,
    `-Dmaven.repo.local=${join(CACHE, 'm2')}`,
    'package',
  ];
  const mvn = (extra: string[]) => run('mvn', [...extra, ...args], { maxBuffer: 16 * 1024 * 1024 });
  try {
    await mvn(['-o']);
  } catch {
    log(`fetching Debezium ${DEBEZIUM_VERSION} with Maven into ${CACHE} (once)`);
    try {
      await mvn([]);
    } catch (err) {
      throw new Error(
        `building bench/debezium with Maven failed, offline and then online (a compile error, or Maven Central out of reach): ${mavenErrors(err)}`,
        { cause: err },
      );
    }
  }
  const jar = join(TARGET, 'debezium-runner.jar');
  if (!existsSync(jar)) throw new Error(`Maven built no ${jar}`);
  return `${jar}:${join(TARGET, 'lib', '*')}`;
}

/** The lines of a failed Maven run that say what failed, without its boilerplate and colours. */
function mavenErrors(err: unknown): string {
  const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
  // eslint-disable-next-line no-control-regex -- Maven colours its output even with -B.
  const lines = `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const boilerplate = /-e switch|-X switch|Help 1|For more information|^\[ERROR\]\s*$/;
  const errors = lines.filter((l) => /ERROR|FATAL/.test(l) && !boilerplate.test(l));
  return (errors.length > 0 ? errors : lines.filter(Boolean)).slice(0, 8).join(' | ');
}

export interface DebeziumOptions {
  classpath: string;
  databaseUrl: string;
  slot: string;
  publication: string;
  tables: string[];
  kafkaBrokers: string[];
  topic: string;
  /** Where the engine keeps its offsets (a file in a temporary folder). */
  offsetsFile: string;
  /** Debezium's poll.interval.ms: how long a batch may wait to fill when changes trickle in. */
  pollIntervalMs: number;
}

/** Starts the Debezium runner (bench/debezium) as a child JVM. */
export function startDebezium(o: DebeziumOptions): ChildPipeline {
  const url = new URL(o.databaseUrl);
  const props: Record<string, string> = {
    topic: o.topic,
    'kafka.bootstrap.servers': o.kafkaBrokers.join(','),
    'database.hostname': url.hostname,
    'database.port': url.port || '5432',
    'database.user': decodeURIComponent(url.username),
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1),
    'slot.name': o.slot,
    'publication.name': o.publication,
    'table.include.list': o.tables.join(','),
    'offset.storage.file.filename': o.offsetsFile,
    'poll.interval.ms': String(o.pollIntervalMs),
  };
  return startChildPipeline('Debezium', JAVA, [
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-cp',
    o.classpath,
    'dev.strangler.bench.DebeziumRunner',
    ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ]);
}
