export interface RunningKafka {
  brokers: string[];
  /** True when the tests run against servers given in KAFKA_BROKERS rather than embedded-kafka. */
  external: boolean;
  stop(): Promise<void>;
}

/** Uses KAFKA_BROKERS when set, otherwise starts embedded-kafka on a free port. */
export async function startKafka(env = process.env): Promise<RunningKafka> {
  const configured = parseBrokers(env.KAFKA_BROKERS);
  if (configured) return { brokers: configured, external: true, stop: async () => {} };
  // Imported only when needed, so runs against KAFKA_BROKERS never load the embedded broker.
  const { startBroker } = await import('@strangler/embedded-kafka');
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logLevel: 'warn' });
  return { brokers: broker.brokers, external: false, stop: () => broker.stop() };
}

export function parseBrokers(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const brokers = value.split(',').map((b) => b.trim());
  for (const b of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) {
      throw new Error(
        `KAFKA_BROKERS: "${b}" is not host:port (expected e.g. "localhost:9092,other:9092")`,
      );
    }
  }
  return brokers;
}
