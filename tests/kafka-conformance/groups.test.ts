import { uniqueName } from '@strangler/tests/harness';
import { describe, expect, it } from 'vitest';
import {
  committedOffsets,
  createTopic,
  describedAssignments,
  duplicates,
  highWatermarks,
  kafkaKit,
  SLOW_TEST_MS,
  produceSpread,
  sleep,
  sortByPosition,
  waitFor,
  waitForStableGroup,
  type Seen,
  type TrackedConsumer,
} from './support.js';

const kit = kafkaKit();
const SETTLE_MS = 300;

/** Messages of `round` (by value prefix) that a member received. */
const ofRound = (m: TrackedConsumer, round: string) =>
  m.seen.filter((s) => s.value?.startsWith(`${round}-`));

/** Waits until the members together received every message of `round`. */
async function waitForRound(members: TrackedConsumer[], round: string, count: number) {
  await waitFor(`${count} messages of round ${round} across the group`, () => {
    return members.reduce((n, m) => n + ofRound(m, round).length, 0) >= count;
  });
  await sleep(SETTLE_MS);
}

/**
 * Each message of the round went to exactly one member, and only to the member that owned its
 * partition in that member's latest assignment.
 */
function expectExactlyOnceByOwner(members: TrackedConsumer[], topic: string, expected: Seen[]) {
  const round = expected[0]!.value!.split('-')[0]!;
  const all = members.flatMap((m) => ofRound(m, round));
  expect(duplicates(all)).toEqual([]);
  expect(sortByPosition(all)).toEqual(expected);
  for (const m of members) {
    const owned = m.joins.at(-1)?.assignment[topic] ?? [];
    const strays = ofRound(m, round).filter((s) => !owned.includes(s.partition));
    expect(strays).toEqual([]);
  }
}

describe('consumer groups, as kafkajs 2.2.4 sees them', { timeout: SLOW_TEST_MS }, () => {
  it('a lone member joins as leader with every partition, heartbeats keep it past its session timeout, and leaving empties the group', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 3);
    const groupId = uniqueName('lone');
    const member = await kit.member([topic], { groupId, sessionTimeout: 6000 });

    const described = await waitForStableGroup(admin, groupId, [member], topic, 3);
    const join = member.joins[0]!;
    expect(join.isLeader).toBe(true);
    expect(join.assignment).toEqual({ [topic]: [0, 1, 2] });
    expect(described.members).toEqual([{ memberId: join.memberId, assignment: join.assignment }]);

    // Longer than the session timeout: only heartbeats keep the member in the group.
    await sleep(7500);
    expect(member.heartbeats).toBeGreaterThanOrEqual(5);
    expect(member.joins).toHaveLength(1);
    expect(await describedAssignments(admin, groupId)).toEqual(described);

    await kit.disconnect(member.consumer);
    await waitFor('the group to be Empty after its only member left', async () => {
      const after = await describedAssignments(admin, groupId);
      return after.state === 'Empty' && after.members.length === 0;
    });
  });

  it.each([
    [2, 4],
    [3, 6],
  ])(
    '%i members share %i partitions: each partition has one owner and every message is consumed once',
    async (memberCount, partitions) => {
      const admin = await kit.admin();
      const topic = await createTopic(admin, partitions);
      const producer = await kit.producer();
      const groupId = uniqueName('shared');
      // All at once, so later joins arrive while the group is still rebalancing for earlier ones.
      const members = await Promise.all(
        Array.from({ length: memberCount }, () => kit.member([topic], { groupId })),
      );

      await waitForStableGroup(admin, groupId, members, topic, partitions);
      const round = await produceSpread(producer, admin, topic, 100 * partitions, 'r1');
      await waitForRound(members, 'r1', round.length);

      expectExactlyOnceByOwner(members, topic, round);
      for (const m of members) expect(m.seen.length).toBeGreaterThan(0);
      expect(members.filter((m) => m.joins.at(-1)?.isLeader)).toHaveLength(1);
      await waitFor('every partition committed at its high watermark', async () => {
        const [c, hw] = await Promise.all([
          committedOffsets(admin, groupId, topic),
          highWatermarks(admin, topic),
        ]);
        return JSON.stringify(c) === JSON.stringify(hw);
      });
    },
  );

  it('rebalances when a member joins: the newcomer takes partitions and continues from the committed offsets', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const producer = await kit.producer();
    const groupId = uniqueName('join');
    const first = await kit.member([topic], { groupId });
    await waitForStableGroup(admin, groupId, [first], topic, 4);
    const before = await produceSpread(producer, admin, topic, 40, 'before');
    await waitForRound([first], 'before', 40);
    await waitFor('the first member to commit everything', async () => {
      return Object.values(await committedOffsets(admin, groupId, topic)).every((o) => o === 10);
    });

    const second = await kit.member([topic], { groupId });
    await waitForStableGroup(admin, groupId, [first, second], topic, 4);
    const after = await produceSpread(producer, admin, topic, 40, 'after');
    await waitForRound([first, second], 'after', 40);

    expect(first.joins.length).toBeGreaterThanOrEqual(2);
    expect(second.joins.at(-1)?.assignment[topic]?.length).toBe(2);
    expect(sortByPosition(ofRound(first, 'before'))).toEqual(before);
    expect(ofRound(second, 'before')).toEqual([]);
    expectExactlyOnceByOwner([first, second], topic, after);
  });

  it('rebalances when a member leaves: the survivor takes its partitions from the committed offsets', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const producer = await kit.producer();
    const groupId = uniqueName('leave');
    const stays = await kit.member([topic], { groupId });
    const leaves = await kit.member([topic], { groupId });
    await waitForStableGroup(admin, groupId, [stays, leaves], topic, 4);
    const before = await produceSpread(producer, admin, topic, 40, 'before');
    await waitForRound([stays, leaves], 'before', 40);
    expectExactlyOnceByOwner([stays, leaves], topic, before);
    const leaverPartitions = leaves.joins.at(-1)!.assignment[topic]!;

    await kit.disconnect(leaves.consumer);
    const described = await waitForStableGroup(admin, groupId, [stays], topic, 4);
    const after = await produceSpread(producer, admin, topic, 40, 'after');
    await waitForRound([stays], 'after', 40);

    expect(described.members).toHaveLength(1);
    expect(leaverPartitions.length).toBe(2);
    // What the leaver consumed and committed is not handed to the survivor again.
    expect(ofRound(stays, 'before').filter((s) => leaverPartitions.includes(s.partition))).toEqual(
      [],
    );
    expect(sortByPosition(ofRound(stays, 'after'))).toEqual(after);
  });
});

describe('consumer groups under continuous production', { timeout: SLOW_TEST_MS }, () => {
  it('while members join and leave, no message is lost and each member reads each partition contiguously between rebalances', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const producer = await kit.producer();
    const groupId = uniqueName('churn');
    let producing = true;
    let sent = 0;
    const pump = (async () => {
      while (producing) {
        const messages = [0, 1, 2, 3].map((partition) => ({ partition, value: `churn-${sent++}` }));
        await producer.send({ topic, messages });
        await sleep(20);
      }
    })();
    /** Every delivery, tagged with how many joins its member had been through. */
    const deliveries: Array<{
      member: number;
      generation: number;
      partition: number;
      offset: number;
    }> = [];
    const start = async (member: number) => {
      const tracked = await kit.consumer({ groupId });
      await tracked.consumer.subscribe({ topics: [topic], fromBeginning: true });
      await tracked.consumer.run({
        eachMessage: async ({ partition, message }) => {
          const generation = tracked.joins.length;
          deliveries.push({ member, generation, partition, offset: Number(message.offset) });
        },
      });
      return tracked;
    };

    const a = await start(0);
    await waitForStableGroup(admin, groupId, [a], topic, 4);
    const b = await start(1);
    await waitForStableGroup(admin, groupId, [a, b], topic, 4);
    const c = await start(2);
    await waitForStableGroup(admin, groupId, [a, b, c], topic, 4);
    await kit.disconnect(b.consumer);
    await waitForStableGroup(admin, groupId, [a, c], topic, 4);
    producing = false;
    await pump;
    const hw = await highWatermarks(admin, topic);
    const missing = () => {
      const got = new Set(deliveries.map((d) => `${d.partition}/${d.offset}`));
      return Object.entries(hw).flatMap(([p, end]) =>
        Array.from({ length: end }, (_, o) => `${p}/${o}`).filter((k) => !got.has(k)),
      );
    };
    await waitFor('every message to be consumed by some member', () => missing().length === 0);

    expect(sent).toBe(Object.values(hw).reduce((x, y) => x + y, 0));
    // Redelivery right after a rebalance is allowed (kafkajs is at-least-once); a gap or a step
    // back while one member holds a partition through one generation is not.
    const breaks: string[] = [];
    const last = new Map<string, number>();
    for (const d of deliveries) {
      const k = `member ${d.member} generation ${d.generation} partition ${d.partition}`;
      const prev = last.get(k);
      if (prev !== undefined && d.offset !== prev + 1) breaks.push(`${k}: ${prev} -> ${d.offset}`);
      last.set(k, d.offset);
    }
    expect(breaks).toEqual([]);
    expect(new Set(deliveries.map((d) => d.member))).toEqual(new Set([0, 1, 2]));
  });
});
