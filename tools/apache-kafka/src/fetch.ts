import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApacheKafkaError } from './errors.js';

const POM = fileURLToPath(new URL('../maven/pom.xml', import.meta.url));
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.11.0';
const COMPLETE = '.complete';

/** The Kafka version pinned in maven/pom.xml (the one docker-compose.yml runs too). */
export function kafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'))?.[1];
  if (!version) throw new ApacheKafkaError('FETCH_FAILED', `${POM}: no <kafka.version> property`);
  return version;
}

/** `STRANGLER_KAFKA_CACHE`, else `.cache/apache-kafka` at the repository root (git-ignored). */
export function defaultCacheDir(env = process.env): string {
  return (
    env.STRANGLER_KAFKA_CACHE ||
    fileURLToPath(new URL('../../../.cache/apache-kafka', import.meta.url))
  );
}

/**
 * Makes sure the broker's jars are in `<cacheDir>/<version>/libs` and returns that folder. Maven
 * fetches them once, into the cache's own local repository; later calls use the cache and need no
 * network. The jars land in a scratch folder renamed into place when complete, so an interrupted
 * fetch never leaves a half-filled libs folder behind.
 */
export async function fetchKafka(
  cacheDir = defaultCacheDir(),
  log: (line: string) => void = () => {},
): Promise<string> {
  const version = kafkaVersion();
  const libs = join(cacheDir, version, 'libs');
  if (existsSync(join(libs, COMPLETE))) return libs;

  const scratch = `${libs}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const repo = join(cacheDir, 'm2');
  const args = [
    '-B',
    '-q',
    '-f',
    POM,
    `-Dmaven.repo.local=${repo}`,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${scratch}`,
  ];
  log(`fetching Apache Kafka ${version} with Maven into ${cacheDir}`);
  try {
    // Offline first: a cache filled earlier serves everything without asking Maven Central.
    await mvn(existsSync(repo) ? ['-o', ...args] : args).catch(() => mvn(args));
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    const detail =
      (err as { stdout?: string; message: string }).stdout?.trim() || (err as Error).message;
    throw new ApacheKafkaError(
      'FETCH_FAILED',
      `could not fetch org.apache.kafka:kafka_2.13:${version} with Maven (is mvn installed and Maven Central reachable?): ${detail.split('\n').slice(-5).join(' | ')}`,
    );
  }
  await writeFile(join(scratch, COMPLETE), `${version}\n`);
  await rm(libs, { recursive: true, force: true });
  await rename(scratch, libs);
  log(`Apache Kafka ${version} cached in ${libs}`);
  return libs;
}

async function mvn(args: string[]): Promise<void> {
  await promisify(execFile)('mvn', args, { maxBuffer: 16 * 1024 * 1024 });
}
