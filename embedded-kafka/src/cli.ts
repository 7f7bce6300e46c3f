import { parseArgs } from 'node:util';
import { EmbeddedKafkaError } from './errors.js';
import { startBroker } from './server/broker.js';
import type { BrokerOptions, LogLevel } from './types.js';

const HELP = `Usage: embedded-kafka [options]

A single-node broker speaking the Kafka wire protocol, for local runs and tests (kafkajs 2.2.4).
Not a production broker.

Options (environment variable in brackets):
  --port N                  port to listen on, 0 for any free one (default 9092) [EMBEDDED_KAFKA_PORT]
  --host HOST               interface to bind (default 127.0.0.1) [EMBEDDED_KAFKA_HOST]
  --advertised-host HOST    host name given to clients (default: --host) [EMBEDDED_KAFKA_ADVERTISED_HOST]
  --data-dir DIR            keep the log and committed offsets in DIR across restarts
                            (default: in memory) [EMBEDDED_KAFKA_DATA_DIR]
  --partitions N            partitions of auto-created topics (default 1) [EMBEDDED_KAFKA_PARTITIONS]
  --no-auto-create          answer UNKNOWN_TOPIC_OR_PARTITION for unknown topics
  --fsync-interval-ms N     fsync period with --data-dir; 0 = before every acknowledgement (default 1000)
  --max-message-bytes N     largest record batch accepted (default 1048588)
  --min-session-timeout-ms N  smallest consumer session timeout accepted (default 6000)
  --log-level LEVEL         debug, info, warn, error or silent (default info) [EMBEDDED_KAFKA_LOG_LEVEL]
  -h, --help                show this help
`;

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new EmbeddedKafkaError('INVALID_OPTION', `--${name} must be an integer; got "${value}"`);
  return n;
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'advertised-host': { type: 'string' },
      'data-dir': { type: 'string' },
      partitions: { type: 'string' },
      'no-auto-create': { type: 'boolean' },
      'fsync-interval-ms': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'min-session-timeout-ms': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const options: BrokerOptions = {
    port: int('port', values.port ?? env.EMBEDDED_KAFKA_PORT),
    host: values.host ?? env.EMBEDDED_KAFKA_HOST,
    advertisedHost: values['advertised-host'] ?? env.EMBEDDED_KAFKA_ADVERTISED_HOST,
    dataDir: values['data-dir'] ?? env.EMBEDDED_KAFKA_DATA_DIR,
    partitions: int('partitions', values.partitions ?? env.EMBEDDED_KAFKA_PARTITIONS),
    autoCreateTopics: !values['no-auto-create'],
    fsyncIntervalMs: int('fsync-interval-ms', values['fsync-interval-ms']),
    maxMessageBytes: int('max-message-bytes', values['max-message-bytes']),
    minSessionTimeoutMs: int('min-session-timeout-ms', values['min-session-timeout-ms']),
    logLevel: (values['log-level'] ?? env.EMBEDDED_KAFKA_LOG_LEVEL) as LogLevel | undefined,
  };
  for (const k of Object.keys(options) as Array<keyof BrokerOptions>)
    if (options[k] === undefined) delete options[k];
  const broker = await startBroker(options);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[embedded-kafka] ${signal}: stopping\n`);
    broker.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`[embedded-kafka] ERROR while stopping: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const message =
    e instanceof EmbeddedKafkaError || (e instanceof Error && 'code' in e) ? e.message : String(e);
  process.stderr.write(`embedded-kafka: ${message}\n`);
  process.exit(2);
});
