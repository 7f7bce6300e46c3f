import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KafkaErrorCode } from '../errors.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { Broker } from '../types.js';
import { startBroker } from './broker.js';
import { RawClient } from './raw-client.fixture.js';

const quiet = { logLevel: 'silent' as const };
let broker: Broker | undefined;
const raws: RawClient[] = [];

afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await broker?.stop();
  broker = undefined;
});

async function raw(): Promise<RawClient> {
  const r = await RawClient.connect(broker!.port);
  raws.push(r);
  return r;
}

/** A producer and consumer round trip: proves the broker still serves clients. */
async function roundTrip(
  b: Broker,
  topic = `alive-${randomBytes(3).toString('hex')}`,
): Promise<string[]> {
  const kafka = new Kafka({ brokers: b.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'still here' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({
    groupId: `${topic}-g`,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

describe('embedded-kafka under bad input', () => {
  it('closes only the offending connection for garbage, oversized, truncated and unknown frames', async () => {
    broker = await startBroker({ port: 0, ...quiet });
    const bystander = await raw();
    // Random content behind a size that matches it: with a random size the broker could rightly
    // wait for the rest of a plausible frame (about 1 run in 40), instead of judging the bytes.
    const garbage = randomBytes(4096);
    garbage.writeInt32BE(garbage.length - 4, 0);
    const cases: Array<[string, Buffer]> = [
      ['random bytes', garbage],
      ['negative size', Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3])],
      ['oversized frame', Buffer.from([0x7f, 0, 0, 0])],
      ['truncated body', RawClient.frame(3, 6, 1, new Writer().int32(5).toBuffer())],
      ['unknown api key', RawClient.frame(999, 0, 1)],
      ['unsupported produce version', RawClient.frame(0, 3, 1, Buffer.alloc(16))],
    ];
    for (const [name, bytes] of cases) {
      const client = await raw();
      client.send(bytes);
      expect(await client.closed(), name).toBe(true);
    }
    // A frame cut short by a client that goes away leaves nothing behind either.
    const partial = await raw();
    partial.send(RawClient.frame(18, 2, 1).subarray(0, 9));
    partial.destroy();
    bystander.send(RawClient.frame(18, 2, 7));
    expect(new Reader(await bystander.response()).int32()).toBe(7);
    expect(await roundTrip(broker)).toEqual(['still here']);
  });

  it('survives a stream of random frames with plausible sizes', async () => {
    broker = await startBroker({ port: 0, ...quiet });
    for (let i = 0; i < 200; i++) {
      const client = await raw();
      const body = randomBytes(12 + (i % 300));
      // A real-looking header (a known API key at its served version) over a random body.
      const keys = [
        [0, 7],
        [1, 11],
        [3, 6],
        [11, 5],
        [14, 3],
        [19, 3],
        [9, 4],
        [8, 5],
      ] as const;
      const [key, version] = keys[i % keys.length]!;
      body.writeInt16BE(key, 0);
      body.writeInt16BE(version, 2);
      body.writeInt16BE(4, 8); // client id length
      client.send(Buffer.concat([new Writer().int32(body.length).toBuffer(), body]));
    }
    expect(await roundTrip(broker)).toEqual(['still here']);
  });
});

describe('ApiVersions', () => {
  it('advertises each API at exactly the one version it serves', async () => {
    broker = await startBroker({ port: 0, ...quiet });
    const c = await raw();
    c.send(RawClient.frame(18, 2, 11));
    const r = new Reader(await c.response());
    expect(r.int32()).toBe(11);
    expect(r.int16()).toBe(KafkaErrorCode.NONE);
    const versions = Object.fromEntries(r.array((r) => [r.int16(), [r.int16(), r.int16()]]));
    expect(versions).toMatchObject({
      0: [7, 7],
      1: [11, 11],
      3: [6, 6],
      11: [5, 5],
      18: [2, 2],
      22: [1, 1],
    });
    expect(r.int32()).toBe(0);
  });

  it('answers an unsupported ApiVersions version in v0 layout with UNSUPPORTED_VERSION', async () => {
    broker = await startBroker({ port: 0, ...quiet });
    const c = await raw();
    c.send(RawClient.frame(18, 3, 12));
    const r = new Reader(await c.response());
    expect(r.int32()).toBe(12);
    expect(r.int16()).toBe(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect(r.array((r) => [r.int16(), r.int16(), r.int16()]).length).toBeGreaterThan(10);
    expect(r.remaining).toBe(0);
  });
});

describe('stop()', () => {
  it('leaves no timer, socket or server behind, even with long polls and groups in flight', async () => {
    // Let sockets closed by earlier tests finish closing before counting.
    await new Promise((r) => setTimeout(r, 100));
    const before = resources();
    broker = await startBroker({ port: 0, ...quiet });
    await roundTrip(broker, 'leak-check');
    // A fetch long-polling an empty partition for 30 s.
    const poller = await raw();
    const fetchBody = new Writer()
      .int32(-1)
      .int32(30_000)
      .int32(1)
      .int32(1 << 20)
      .int8(0)
      .int32(0)
      .int32(-1)
      .array(['leak-check'], (w, t) =>
        w.string(t).array([0], (w, p) =>
          w
            .int32(p)
            .int32(-1)
            .int64(1)
            .int64(-1)
            .int32(1 << 20),
        ),
      )
      .array([], () => {})
      .string('')
      .toBuffer();
    poller.send(RawClient.frame(1, 11, 1, fetchBody));
    // A group member with a running session timer.
    const member = await raw();
    const join = (memberId: string) =>
      new Writer()
        .string('leak-group')
        .int32(10_000)
        .int32(10_000)
        .string(memberId)
        .string(null)
        .string('consumer')
        .array(['range'], (w, p) => w.string(p).bytes(Buffer.from('meta')))
        .toBuffer();
    member.send(RawClient.frame(11, 5, 1, join('')));
    const first = new Reader(await member.response());
    first.int32();
    first.int32();
    expect(first.int16()).toBe(KafkaErrorCode.MEMBER_ID_REQUIRED);
    first.int32();
    first.string();
    first.string();
    member.send(RawClient.frame(11, 5, 2, join(first.string())));
    const second = new Reader(await member.response());
    second.int32();
    second.int32();
    expect(second.int16()).toBe(KafkaErrorCode.NONE);

    await broker.stop();
    broker = undefined;
    expect(await poller.closed()).toBe(true);
    expect(await member.closed()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const after = resources();
    const added = Object.entries(after).filter(([type, n]) => n > (before[type] ?? 0));
    expect(added).toEqual([]);
  });

  it('can be called twice', async () => {
    const b = await startBroker({ port: 0, ...quiet });
    await Promise.all([b.stop(), b.stop()]);
    await b.stop();
  });
});

describe('options', () => {
  it('rejects invalid options naming the option and the value', async () => {
    await expect(startBroker({ port: 70_000 })).rejects.toThrow(
      'port must be an integer from 0 to 65535; got 70000',
    );
    await expect(startBroker({ partitions: 0 })).rejects.toThrow(
      'partitions must be an integer from 1',
    );
    await expect(startBroker({ logLevel: 'loud' as never })).rejects.toThrow(
      'logLevel must be one of',
    );
    await expect(startBroker({ minSessionTimeoutMs: 10, maxSessionTimeoutMs: 5 })).rejects.toThrow(
      'minSessionTimeoutMs (10) is above maxSessionTimeoutMs (5)',
    );
  });

  it('reports a port that is already taken', async () => {
    broker = await startBroker({ port: 0, ...quiet });
    await expect(startBroker({ port: broker.port, ...quiet })).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      message: `cannot listen on 127.0.0.1:${broker.port}: the address is already in use`,
    });
  });
});

/** Active handles by type, minus the ones vitest's worker itself churns. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (type === 'PipeWrap' || type === 'TTYWrap' || type === 'FSReqCallback') continue;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
