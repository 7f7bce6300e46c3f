/**
 * Our legacy adapter in a process of its own, speaking the same JSON lines as the Debezium runner
 * (bench/debezium): the side-by-side bench runs both as children, so neither shares an event loop
 * or a JVM with the bench's writer, and the comparison is process against process. Closing stdin
 * stops it. Options come as one JSON argument: { databaseUrl, kafkaBrokers, topic }.
 */
import pino from 'pino';
import { allocationCatalog } from '@strangler/example-allocation/catalog';
import allocationMapper from '@strangler/example-allocation/mapper';
import { startAdapter } from '@strangler/legacy-adapter';

const { databaseUrl, kafkaBrokers, topic } = JSON.parse(process.argv[2] ?? '{}') as {
  databaseUrl: string;
  kafkaBrokers: string[];
  topic: string;
};
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const adapter = await startAdapter({
  databaseUrl,
  kafkaBrokers,
  topic,
  catalog: allocationCatalog,
  mapper: allocationMapper,
  alterReplicaIdentity: true,
  // Warnings and errors only, to stderr: stdout is the bench's protocol.
  logger: pino({ level: 'warn' }, pino.destination(2)),
});
emit({ type: 'started' });

let last = -1;
const progress = setInterval(() => {
  const { events } = adapter.status();
  if (events !== last) emit({ type: 'progress', events });
  last = events;
}, 1000);

void adapter.failed.then((error) => {
  emit({ type: 'failed', error: error.message });
  process.exit(1);
});

process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(progress);
  void adapter.close().then(() => {
    emit({ type: 'stopped', events: adapter.status().events });
    process.exit(0);
  });
});
