import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startApacheKafka } from './cluster.js';
import { ApacheKafkaError } from './errors.js';
import { defaultCacheDir, fetchKafka } from './fetch.js';
import type { ApacheKafka, ApacheKafkaOptions } from './types.js';

const USAGE = `Usage: apache-kafka <command> [options]

Runs Apache Kafka (KRaft) from Maven Central jars, cached in STRANGLER_KAFKA_CACHE or .cache/apache-kafka.

Commands:
  fetch                     fetch the jars with Maven (later runs need no network)
  start                     start, print KAFKA_BROKERS=..., run until Ctrl-C / SIGTERM
  exec -- <command...>      start, run <command> with KAFKA_BROKERS set, stop; exits with its code

Options:
  --nodes 1|3               one combined node (default) or a 3-node cluster (RF 3, min ISR 2)
  --port <n>                client port of the first node (default: a free port)
  --data <dir>              keep data and logs there (default: a temporary folder, removed on stop)
`;

const log = (line: string) => console.error(`[apache-kafka] ${line}`);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const options: ApacheKafkaOptions = { log };
  if (values.nodes !== undefined) options.nodes = Number(values.nodes) as 1 | 3;
  if (values.port !== undefined) options.port = Number(values.port);
  if (values.data !== undefined) options.dataDir = values.data;

  switch (command) {
    case 'fetch':
      console.log(await fetchKafka(defaultCacheDir(), log));
      return 0;
    case 'start': {
      const kafka = await startApacheKafka(options);
      console.log(`KAFKA_BROKERS=${kafka.brokers.join(',')}`);
      await untilSignal();
      await kafka.stop();
      return 0;
    }
    case 'exec': {
      if (rest.length === 0)
        throw new ApacheKafkaError('BAD_OPTION', 'exec: give the command after --');
      const kafka = await startApacheKafka(options);
      try {
        return await run(rest, kafka);
      } finally {
        await kafka.stop();
      }
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function run([command, ...args]: string[], kafka: ApacheKafka): Promise<number> {
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_VERSION: kafka.version,
  };
  const child = spawn(command as string, args, { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ApacheKafkaError ? `apache-kafka: ${err.message}` : err);
    process.exitCode = err instanceof ApacheKafkaError && err.code === 'BAD_OPTION' ? 2 : 1;
  },
);
