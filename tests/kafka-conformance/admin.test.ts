import { uniqueName } from '@strangler/tests/harness';
import { AssignerProtocol, CompressionTypes, KafkaJSDeleteGroupsError, type Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  committedOffsets,
  createTopic,
  errorType,
  kafkaKit,
  SLOW_TEST_MS,
  produceSpread,
  sleep,
  sortByPosition,
  waitFor,
  waitForMessages,
  waitForStableGroup,
} from './support.js';

const kit = kafkaKit();

/** Group offsets exactly as kafkajs reports them (strings; -1 none, -2 earliest), by partition. */
async function rawOffsets(admin: Admin, groupId: string, topic: string, resolveOffsets = false) {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets });
  expect(result?.topic).toBe(topic);
  return Object.fromEntries((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

describe('topic administration, as kafkajs 2.2.4 sees it', () => {
  it('createTopics honours numPartitions, answers false for an existing topic, and deleteTopics removes topics', async () => {
    const admin = await kit.admin();
    const quick = await kit.admin(kit.kafka({ retry: { retries: 0 } }));
    const [three, one] = [uniqueName('admin3'), uniqueName('admin1')].sort() as [string, string];

    expect(
      await admin.createTopics({
        topics: [
          { topic: three, numPartitions: 3 },
          { topic: one, numPartitions: 1 },
        ],
        waitForLeaders: true,
      }),
    ).toBe(true);
    expect(
      await admin.createTopics({
        topics: [{ topic: three, numPartitions: 5 }],
        waitForLeaders: true,
      }),
    ).toBe(false);

    const mine = (topics: string[]) => topics.filter((t) => t === three || t === one).sort();
    expect(mine(await admin.listTopics())).toEqual([three, one].sort());
    const { topics } = await admin.fetchTopicMetadata({ topics: [three, one] });
    const leader = topics[0]!.partitions[0]!.leader;
    const partition = (partitionId: number) => ({
      partitionErrorCode: 0,
      partitionId,
      leader,
      replicas: [leader],
      isr: [leader],
      offlineReplicas: [],
    });
    expect(
      topics
        .map((t) => ({
          name: t.name,
          partitions: [...t.partitions].sort((a, b) => a.partitionId - b.partitionId),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(
      [
        { name: three, partitions: [0, 1, 2].map(partition) },
        { name: one, partitions: [partition(0)] },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );

    await admin.deleteTopics({ topics: [three, one] });
    await waitFor('deleted topics to leave listTopics', async () => {
      return mine(await admin.listTopics()).length === 0;
    });
    const error = await quick.fetchTopicMetadata({ topics: [three] }).catch((e: unknown) => e);
    expect(errorType(error)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('createTopics rejects zero partitions (INVALID_PARTITIONS) and illegal names (INVALID_TOPIC_EXCEPTION); deleteTopics of an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const quick = await kit.admin(kit.kafka({ retry: { retries: 0 } }));
    const zero = uniqueName('zero');

    const created = await quick
      .createTopics({ topics: [{ topic: zero, numPartitions: 0 }] })
      .catch((e: unknown) => e);
    const badName = await quick
      .createTopics({ topics: [{ topic: `${uniqueName('bad')} name!`, numPartitions: 1 }] })
      .catch((e: unknown) => e);
    const deleted = await quick
      .deleteTopics({ topics: [uniqueName('never')] })
      .catch((e: unknown) => e);

    expect(created).toMatchObject({
      name: 'KafkaJSAggregateError',
      errors: [expect.objectContaining({ type: 'INVALID_PARTITIONS' })],
    });
    expect(badName).toMatchObject({
      name: 'KafkaJSAggregateError',
      errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION' })],
    });
    expect(errorType(deleted)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await quick.listTopics()).not.toContain(zero);
  });

  it('fetchTopicOffsets gives low and high watermarks; fetchTopicOffsetsByTimestamp the first offset at or after a time', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    // In the past: Kafka 4 rejects timestamps more than an hour ahead by default.
    const base = Date.now() - 10 * 60_000;
    const at = (ms: number) => String(base + ms);
    // Partition 0 in one gzip batch: the lookup has to look inside compressed batches.
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [
        { partition: 0, value: 'p0-a', timestamp: at(0) },
        { partition: 0, value: 'p0-b', timestamp: at(1000) },
        { partition: 0, value: 'p0-c', timestamp: at(2000) },
      ],
    });
    await producer.send({ topic, messages: [{ partition: 1, value: 'p1-a', timestamp: at(500) }] });
    await producer.send({
      topic,
      messages: [{ partition: 1, value: 'p1-b', timestamp: at(1500) }],
    });

    const byPartition = (list: Array<{ partition: number }>) =>
      [...list].sort((a, b) => a.partition - b.partition);
    expect(byPartition(await admin.fetchTopicOffsets(topic))).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '2', high: '2', low: '0' },
    ]);
    const byTime = async (ms: number) =>
      byPartition(await admin.fetchTopicOffsetsByTimestamp(topic, base + ms));
    expect(await byTime(-1)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ]);
    expect(await byTime(1000)).toEqual([
      { partition: 0, offset: '1' },
      { partition: 1, offset: '1' },
    ]);
    expect(await byTime(1600)).toEqual([
      { partition: 0, offset: '2' },
      { partition: 1, offset: '2' },
    ]);
    // Later than every message: kafkajs reports the high watermark (Kafka answers -1).
    expect(await byTime(60_000)).toEqual([
      { partition: 0, offset: '3' },
      { partition: 1, offset: '2' },
    ]);
    const read = await kit.readAll([topic], 5);
    expect(read.map((r) => [r.value, r.timestamp])).toEqual([
      ['p0-a', at(0)],
      ['p0-b', at(1000)],
      ['p0-c', at(2000)],
      ['p1-a', at(500)],
      ['p1-b', at(1500)],
    ]);
  });
});

describe('group offset administration, as kafkajs 2.2.4 sees it', { timeout: SLOW_TEST_MS }, () => {
  it('fetchOffsets, setOffsets and resetOffsets (earliest and latest) decide where members of the group start', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const old = await produceSpread(producer, admin, topic, 10, 'old');
    const [set, early, late] = ['set', 'early', 'late'].map((g) => uniqueName(g)) as [
      string,
      string,
      string,
    ];

    expect(await rawOffsets(admin, set, topic)).toEqual({ 0: '-1', 1: '-1' });
    // `late` starts with commits at 1, so that resetting it to latest visibly changes something.
    const committer = await kit.consumer({ groupId: late });
    await committer.consumer.subscribe({ topics: [topic] });
    await committer.consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await waitFor('the committer to join', () => committer.joins.length > 0);
    await committer.consumer.commitOffsets([
      { topic, partition: 0, offset: '1' },
      { topic, partition: 1, offset: '1' },
    ]);
    await kit.disconnect(committer.consumer);
    expect(await rawOffsets(admin, late, topic)).toEqual({ 0: '1', 1: '1' });

    // kafkajs runs each of these through a short-lived group member: run them side by side.
    await Promise.all([
      admin.setOffsets({
        groupId: set,
        topic,
        partitions: [
          { partition: 0, offset: '3' },
          { partition: 1, offset: '1' },
        ],
      }),
      admin.resetOffsets({ groupId: early, topic, earliest: true }),
      admin.resetOffsets({ groupId: late, topic, earliest: false }),
    ]);
    expect(await rawOffsets(admin, set, topic)).toEqual({ 0: '3', 1: '1' });
    // resetOffsets stores the sentinels; resolveOffsets turns them into real offsets and commits those.
    expect(await rawOffsets(admin, early, topic)).toEqual({ 0: '-2', 1: '-2' });
    expect(await rawOffsets(admin, late, topic)).toEqual({ 0: '-1', 1: '-1' });

    const fromSet = await kit.member([topic], { groupId: set, fromBeginning: false });
    const [resolvedEarly, resolvedLate] = await Promise.all([
      rawOffsets(admin, early, topic, true),
      rawOffsets(admin, late, topic, true),
      waitForMessages(fromSet, 6),
    ]);
    expect(resolvedEarly).toEqual({ 0: '0', 1: '0' });
    expect(resolvedLate).toEqual({ 0: '5', 1: '5' });
    expect(sortByPosition(fromSet.seen)).toEqual(
      old.filter((m) => m.offset >= (m.partition === 0 ? 3 : 1)),
    );

    // Each member starts where its group's commits say, whatever its own fromBeginning.
    const fromEarly = await kit.member([topic], { groupId: early, fromBeginning: false });
    await waitForMessages(fromEarly, 10);
    expect(sortByPosition(fromEarly.seen)).toEqual(old);
    const fromLate = await kit.member([topic], { groupId: late, fromBeginning: true });
    await waitFor('the late member to complete a fetch', () => fromLate.fetches > 0);
    const fresh = await produceSpread(producer, admin, topic, 4, 'fresh');
    await waitForMessages(fromLate, 4);
    await sleep(300);
    expect(sortByPosition(fromLate.seen)).toEqual(fresh);
  });
});

describe('group administration, as kafkajs 2.2.4 sees it', () => {
  it('describeGroups shows a Stable group with its members and assignment, listGroups lists it, and deleteGroups refuses while it has members', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const groupId = uniqueName('described');
    const clientId = uniqueName('described-client');
    const member = await kit.member([topic], { groupId }, kit.kafka({ clientId }));
    await waitForStableGroup(admin, groupId, [member], topic, 2);

    const {
      groups: [group],
    } = await admin.describeGroups([groupId]);
    expect(group).toMatchObject({
      errorCode: 0,
      groupId,
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'RoundRobinAssigner',
    });
    expect(group!.members).toHaveLength(1);
    const [m] = group!.members;
    expect(m).toMatchObject({ memberId: member.joins[0]!.memberId, clientId });
    expect(m!.clientHost).toMatch(/^\/.+/);
    expect(AssignerProtocol.MemberAssignment.decode(m!.memberAssignment)?.assignment).toEqual({
      [topic]: [0, 1],
    });
    expect(AssignerProtocol.MemberMetadata.decode(m!.memberMetadata)?.topics).toEqual([topic]);
    const listed = (await admin.listGroups()).groups.filter((g) => g.groupId === groupId);
    expect(listed).toEqual([{ groupId, protocolType: 'consumer' }]);

    const refused = await admin.deleteGroups([groupId]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KafkaJSDeleteGroupsError);
    expect((refused as KafkaJSDeleteGroupsError).groups).toEqual([
      expect.objectContaining({
        groupId,
        errorCode: 68,
        error: expect.objectContaining({ type: 'NON_EMPTY_GROUP' }),
      }),
    ]);
    await produceSpread(producer, admin, topic, 4, 'x');
    await waitForMessages(member, 4);
    await waitFor('the member to commit', async () => {
      const c = await committedOffsets(admin, groupId, topic);
      return c[0] === 2 && c[1] === 2;
    });
  });

  it('after its members leave a group is Empty but keeps its offsets, until deleteGroups removes both', async () => {
    const admin = await kit.admin();
    const quick = await kit.admin(kit.kafka({ retry: { retries: 0 } }));
    const topic = await createTopic(admin, 2);
    const producer = await kit.producer();
    const groupId = uniqueName('emptied');
    const member = await kit.member([topic], { groupId });
    await produceSpread(producer, admin, topic, 4, 'x');
    await waitForMessages(member, 4);
    await waitFor('the member to commit', async () => {
      const c = await committedOffsets(admin, groupId, topic);
      return c[0] === 2 && c[1] === 2;
    });

    await kit.disconnect(member.consumer);

    const group = await waitFor('the group to be Empty', async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Empty' && groups[0];
    });
    expect(group).toMatchObject({ groupId, state: 'Empty', members: [] });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId);
    expect(await rawOffsets(admin, groupId, topic)).toEqual({ 0: '2', 1: '2' });
    // Without topics, fetchOffsets asks for every topic the group has committed on.
    const everything = await admin.fetchOffsets({ groupId });
    expect(
      everything.map((t) => ({
        topic: t.topic,
        partitions: [...t.partitions].sort((a, b) => a.partition - b.partition),
      })),
    ).toEqual([
      {
        topic,
        partitions: [
          { partition: 0, offset: '2', metadata: null },
          { partition: 1, offset: '2', metadata: null },
        ],
      },
    ]);

    expect(await admin.deleteGroups([groupId])).toEqual([
      expect.objectContaining({ groupId, errorCode: 0 }),
    ]);
    expect(await rawOffsets(admin, groupId, topic)).toEqual({ 0: '-1', 1: '-1' });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    const again = await quick.deleteGroups([groupId]).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(KafkaJSDeleteGroupsError);
    expect((again as KafkaJSDeleteGroupsError).groups).toEqual([
      expect.objectContaining({
        groupId,
        error: expect.objectContaining({ type: 'GROUP_ID_NOT_FOUND' }),
      }),
    ]);
  });
});
