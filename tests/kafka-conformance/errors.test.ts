import { startBroker, type Broker } from '@strangler/embedded-kafka';
import { uniqueName } from '@strangler/tests/harness';
import {
  AssignerProtocol,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type PartitionAssigner,
} from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopic, errorType, kafkaKit, waitFor, waitForStableGroup } from './support.js';

const kit = kafkaKit();
const NO_RETRIES = { retry: { retries: 1, initialRetryTime: 100 } };

let ownBroker: Broker | undefined;
afterEach(async () => {
  await ownBroker?.stop();
  ownBroker = undefined;
});

describe('errors kafkajs 2.2.4 relies on', () => {
  it('producing to a topic that does not exist, with auto-creation disabled by the producer, fails with UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    const admin = await kit.admin();
    const producer = await kit.producer({ allowAutoTopicCreation: false, ...NO_RETRIES });
    const topic = uniqueName('missing');

    const error = await producer
      .send({ topic, messages: [{ value: 'lost' }] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(KafkaJSProtocolError);
    expect(errorType(error)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await admin.listTopics()).not.toContain(topic);
  });

  // A real cluster's auto.create.topics.enable cannot be switched off from a test, so this one
  // always starts its own embedded broker, also when KAFKA_BROKERS points at a real Kafka.
  it('(own embedded broker, also under KAFKA_BROKERS) a broker with auto-creation disabled answers UNKNOWN_TOPIC_OR_PARTITION even to a producer that allows it', async () => {
    ownBroker = await startBroker({ port: 0, autoCreateTopics: false, logLevel: 'silent' });
    const client = kit.kafka({ brokers: ownBroker.brokers, ...NO_RETRIES });
    const producer = await kit.producer({ allowAutoTopicCreation: true }, client);
    const admin = await kit.admin(client);
    const topic = uniqueName('missing');

    const error = await producer
      .send({ topic, messages: [{ value: 'lost' }] })
      .catch((e: unknown) => e);

    expect(errorType(error)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await admin.listTopics()).toEqual([]);
    // Explicit creation still works, and then the same send succeeds.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await expect(producer.send({ topic, messages: [{ value: 'kept' }] })).resolves.toEqual([
      expect.objectContaining({ topicName: topic, errorCode: 0, baseOffset: '0' }),
    ]);
  });

  it.each([
    ['below group.min.session.timeout.ms (6000)', 1000],
    ['above group.max.session.timeout.ms (1800000)', 1_900_000],
  ])(
    'a consumer whose session timeout is %s crashes with INVALID_SESSION_TIMEOUT and does not restart',
    async (_label, sessionTimeout) => {
      const admin = await kit.admin();
      const topic = await createTopic(admin, 1);
      const groupId = uniqueName('badsession');
      const tracked = await kit.consumer({ groupId, sessionTimeout });
      await tracked.consumer.subscribe({ topics: [topic] });

      await tracked.consumer.run({ eachMessage: async () => {} });
      await waitFor('the consumer to crash', () => tracked.crashes.length > 0);

      expect(tracked.crashes).toEqual([
        { error: expect.any(KafkaJSProtocolError), restart: false },
      ]);
      expect(tracked.crashes[0]!.error).toMatchObject({
        type: 'INVALID_SESSION_TIMEOUT',
        retriable: false,
      });
      expect(tracked.joins).toEqual([]);
      // The coordinator refuses before creating anything: no member, no group.
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    },
  );

  it('committing offset metadata longer than offset.metadata.max.bytes (4096) fails with OFFSET_METADATA_TOO_LARGE and keeps the previous commit', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 1);
    const groupId = uniqueName('metadata');
    const tracked = await kit.consumer({ groupId });
    await tracked.consumer.subscribe({ topics: [topic] });
    await tracked.consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor('the member to join', () => tracked.joins.length > 0);
    await tracked.consumer.commitOffsets([{ topic, partition: 0, offset: '0', metadata: 'ok' }]);

    const error = await tracked.consumer
      .commitOffsets([{ topic, partition: 0, offset: '0', metadata: 'x'.repeat(4097) }])
      .catch((e: unknown) => e);

    expect(errorType(error)).toBe('OFFSET_METADATA_TOO_LARGE');
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      { topic, partitions: [{ partition: 0, offset: '0', metadata: 'ok' }] },
    ]);
  });

  it('a member offering only a protocol the group does not speak is refused with INCONSISTENT_GROUP_PROTOCOL; the group carries on', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const groupId = uniqueName('protocols');
    const regular = await kit.member([topic], { groupId });
    await waitForStableGroup(admin, groupId, [regular], topic, 2);
    const stranger = await kit.consumer({ groupId, partitionAssigners: [strangeAssigner] });
    await stranger.consumer.subscribe({ topics: [topic] });

    await stranger.consumer.run({ eachMessage: async () => {} });
    await waitFor('the stranger to crash', () => stranger.crashes.length > 0);

    expect(stranger.crashes[0]).toMatchObject({
      error: { type: 'INCONSISTENT_GROUP_PROTOCOL' },
      restart: false,
    });
    const described = await waitForStableGroup(admin, groupId, [regular], topic, 2);
    expect(described.members.map((m) => m.memberId)).toEqual([regular.joins.at(-1)!.memberId]);
  });
});

/** An assigner under a protocol name no kafkajs consumer offers by default. */
const strangeAssigner: PartitionAssigner = () => ({
  name: 'StrangeAssigner',
  version: 1,
  protocol: ({ topics }) => ({
    name: 'StrangeAssigner',
    metadata: AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics,
      userData: Buffer.alloc(0),
    }),
  }),
  assign: async () => [],
});
