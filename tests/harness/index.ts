import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect, inject } from 'vitest';
import { onCleanup } from './cleanup.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export { onCleanup } from './cleanup.js';
export { createTestDatabase, uniqueName, type TestDatabase } from './database.js';
export { eventually } from './eventually.js';
export { freePort } from '@strangler/demo';

/** Kafka bootstrap servers for this run (embedded-kafka, or KAFKA_BROKERS). */
export function kafkaBrokers(): string[] {
  noteKafkaUser();
  return inject('kafkaBrokers');
}

/**
 * With STRANGLER_KAFKA_FILES set, appends the calling test file to that list: every file that
 * asks for the brokers is one that touches Kafka, so CI reruns exactly those against Apache Kafka.
 */
function noteKafkaUser(): void {
  const list = process.env.STRANGLER_KAFKA_FILES;
  const file = expect.getState().testPath;
  if (!list || !file || noted.has(file)) return;
  noted.add(file);
  appendFileSync(list, `${relative(process.cwd(), file)}\n`);
}
const noted = new Set<string>();

/** True when the run targets a real Kafka from KAFKA_BROKERS. */
export function isExternalKafka(): boolean {
  return inject('kafkaExternal');
}

/** Superuser URL of the Postgres server for this run (embedded, or DATABASE_URL). */
export function databaseServerUrl(): string {
  return inject('databaseUrl');
}

/**
 * A database of its own for the calling test file, dropped after the file's tests finish.
 * Call it anywhere: the drop is registered with onCleanup.
 */
export async function testDatabase(prefix = 'test'): Promise<TestDatabase> {
  const db = await createTestDatabase(databaseServerUrl(), prefix);
  onCleanup(() => db.drop());
  return db;
}
