import { createConnection, createServer, type Socket } from 'node:net';
import { startBroker, type Broker } from '@strangler/embedded-kafka';
import { freePort, onCleanup, uniqueName } from '@strangler/tests/harness';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KafkaPublisher } from './kafka-publisher.js';

// A broker reached only through a relay that can go silent: connections stay open and nothing
// comes back, as a half-dead broker or a dropped route does. The broker binds 127.0.0.1 and
// advertises 127.0.0.2 on the same port, where the relay listens, so every connection the client
// opens after discovering the broker goes through the relay too.
let broker: Broker;
let silent = false;
const held: Socket[] = [];

beforeAll(async () => {
  const port = await freePort();
  broker = await startBroker({
    host: '127.0.0.1',
    advertisedHost: '127.0.0.2',
    port,
    logLevel: 'silent',
  });
  onCleanup(() => broker.stop());
  const relay = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    held.push(client, upstream);
    client.on('data', (d) => silent || upstream.write(d));
    upstream.on('data', (d) => silent || client.write(d));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.2', resolve));
  onCleanup(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((resolve) => relay.close(() => resolve()));
  });
});

const warnings: string[] = [];
const logger = {
  debug: () => {},
  info: () => {},
  warn: (_: unknown, message?: string) => void warnings.push(String(message)),
  error: () => {},
};

async function countOn(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('KafkaPublisher', () => {
  it('replaces a producer that gets no answer, and the retried request then goes through', async () => {
    const topic = uniqueName('silent');
    const publisher = await KafkaPublisher.connect({
      brokers: broker.brokers,
      clientId: 'publisher-spec',
      topics: [topic],
      timeoutMs: 1_500,
      logger,
    });
    onCleanup(() => publisher.close());
    const message = (n: number) => ({ topic, key: `k${n}`, value: `v${n}`, headers: {} });
    await publisher.publish([message(1)]);

    silent = true;
    await expect(publisher.publish([message(2)])).rejects.toThrow(
      'no answer from Kafka to a publish request in 1.5 s',
    );
    expect(publisher.restarts).toBe(1);
    expect(warnings.at(-1)).toMatch(
      /no answer to a publish request in 1.5 s: starting a new producer/,
    );

    silent = false;
    for (const s of held.splice(0)) s.destroy();
    await publisher.publish([message(2)]);
    // The relay dropped the silent attempt, so the retry is its only copy.
    expect(await countOn(topic)).toBe(2);
    expect(publisher.restarts).toBe(1);
  });
});
