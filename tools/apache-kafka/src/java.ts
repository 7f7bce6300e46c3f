import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApacheKafkaError } from './errors.js';

/** Kafka 4 brokers need Java 17 or newer. */
const MIN_JAVA = 17;

/** The java binary: JAVA_HOME's when set, else the one on PATH; refuses one older than 17. */
export async function findJava(env = process.env): Promise<string> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  let output: string;
  try {
    // `java -version` prints to stderr.
    const { stderr } = await promisify(execFile)(java, ['-version']);
    output = stderr;
  } catch {
    throw new ApacheKafkaError(
      'JAVA_MISSING',
      `no Java found (${java}): Apache Kafka needs Java ${MIN_JAVA}+; install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  const major = Number(/version "(?:1\.)?(\d+)/.exec(output)?.[1]);
  if (!(major >= MIN_JAVA)) {
    throw new ApacheKafkaError(
      'JAVA_MISSING',
      `${java} is Java ${major || 'of an unknown version'}; Apache Kafka 4 needs Java ${MIN_JAVA}+ (set JAVA_HOME to a newer JDK)`,
    );
  }
  return java;
}
