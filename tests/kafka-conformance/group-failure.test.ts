import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers, uniqueName } from '@strangler/tests/harness';
import { afterEach, describe, expect, it } from 'vitest';
import {
  committedOffsets,
  createTopic,
  describedAssignments,
  duplicates,
  errorType,
  highWatermarks,
  kafkaKit,
  SLOW_TEST_MS,
  produceSpread,
  seen,
  sortByPosition,
  waitFor,
  waitForStableGroup,
  type JoinInfo,
  type Seen,
} from './support.js';

const kit = kafkaKit();
const FIXTURE = fileURLToPath(new URL('./fixtures/group-member.mjs', import.meta.url));
const SESSION_TIMEOUT_MS = 6000;

interface ChildMember {
  process: ChildProcess;
  seen: Seen[];
  joins: JoinInfo[];
  commits: number;
  stderr: string[];
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts a group member in a child process and follows what it reports. */
function startChildMember(topic: string, groupId: string): ChildMember {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      BROKERS: kafkaBrokers().join(','),
      TOPIC: topic,
      GROUP_ID: groupId,
      SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const member: ChildMember = { process: child, seen: [], joins: [], commits: 0, stderr: [] };
  child.stderr!.on('data', (d: Buffer) => member.stderr.push(d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as { event: string } & Record<string, unknown>;
    if (e.event === 'message') {
      const { topic, partition, offset, key, value } = e as unknown as Seen;
      member.seen.push({ topic, partition, offset, key, value });
    } else if (e.event === 'join') {
      member.joins.push({
        memberId: e.memberId as string,
        isLeader: false,
        assignment: e.assignment as Record<string, number[]>,
      });
    } else if (e.event === 'commit') {
      member.commits++;
    }
  });
  return member;
}

describe('a member that dies without leaving the group', { timeout: SLOW_TEST_MS }, () => {
  it('is expired after its session timeout; the survivor takes its partitions, continues from its commits and consumes what comes after', async () => {
    const admin = await kit.admin();
    const topic = await createTopic(admin, 4);
    const producer = await kit.producer();
    const groupId = uniqueName('killed');
    const survivor = await kit.member([topic], { groupId, sessionTimeout: SESSION_TIMEOUT_MS });
    const doomed = startChildMember(topic, groupId);

    await waitForStableGroup(admin, groupId, [survivor, doomed], topic, 4).catch((e: Error) => {
      throw new Error(`${e.message}; child stderr: ${doomed.stderr.join('')}`);
    });
    const before = await produceSpread(producer, admin, topic, 40, 'before');
    await waitFor('both members to consume and commit the first round', async () => {
      const [c, hw] = await Promise.all([
        committedOffsets(admin, groupId, topic),
        highWatermarks(admin, topic),
      ]);
      return (
        survivor.seen.length + doomed.seen.length === 40 && JSON.stringify(c) === JSON.stringify(hw)
      );
    });
    const doomedPartitions = doomed.joins.at(-1)!.assignment[topic]!;
    expect(doomedPartitions).toHaveLength(2);

    doomed.process.kill('SIGKILL');
    await once(doomed.process, 'exit');
    // Produced while the dead member still owns half the partitions: the survivor must get them
    // once the coordinator gives up on the dead member.
    const after = await produceSpread(producer, admin, topic, 40, 'after');
    const described = await waitForStableGroup(admin, groupId, [survivor], topic, 4);
    await waitFor('the survivor to consume everything produced after the kill', () => {
      return survivor.seen.filter((s) => s.value?.startsWith('after-')).length >= 40;
    });

    expect(described.members).toHaveLength(1);
    expect(sortByPosition([...survivor.seen, ...doomed.seen])).toEqual(
      sortByPosition([...before, ...after]),
    );
    expect(duplicates([...survivor.seen, ...doomed.seen])).toEqual([]);
    expect(doomed.seen.every((s) => doomedPartitions.includes(s.partition))).toBe(true);
    await waitFor('the survivor to commit every partition', async () => {
      const [c, hw] = await Promise.all([
        committedOffsets(admin, groupId, topic),
        highWatermarks(admin, topic),
      ]);
      return JSON.stringify(c) === JSON.stringify(hw) && hw;
    });
  });
});

describe(
  'a member that stops heartbeating while it processes a message',
  { timeout: SLOW_TEST_MS },
  () => {
    it('is expired; its late commit is refused, and it rejoins as a new member that reads the uncommitted messages again', async () => {
      const admin = await kit.admin();
      const topic = await createTopic(admin, 1);
      const producer = await kit.producer();
      const groupId = uniqueName('stalled');
      const all = await produceSpread(producer, admin, topic, 3, 'm');
      const tracked = await kit.consumer(
        { groupId, sessionTimeout: SESSION_TIMEOUT_MS },
        kit.kafka({ retry: { retries: 2, initialRetryTime: 100 } }),
      );
      let stalled = false;
      let lateCommit: unknown;
      await tracked.consumer.subscribe({ topics: [topic], fromBeginning: true });
      await tracked.consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          tracked.seen.push(seen(topic, partition, message));
          if (message.value?.toString() === 'm-v1' && !stalled) {
            stalled = true;
            // No heartbeats are sent while eachMessage runs: the coordinator expires the member.
            await waitFor(
              'the coordinator to expire the stalled member',
              async () => (await describedAssignments(admin, groupId)).members.length === 0,
            );
            lateCommit = await tracked.consumer
              .commitOffsets([{ topic, partition, offset: '2' }])
              .then(
                () => 'accepted',
                (e: unknown) => e,
              );
          }
        },
      });

      await waitFor('the member to rejoin and consume everything', () => {
        return (
          tracked.joins.length >= 2 && tracked.seen.filter((s) => s.value === 'm-v2').length > 0
        );
      });
      await waitFor('offsets committed up to the end', async () => {
        return (await committedOffsets(admin, groupId, topic))[0] === 3;
      });

      const memberIds = new Set(tracked.joins.map((j) => j.memberId));
      expect(memberIds.size).toBe(tracked.joins.length);
      // The expired member can no longer commit: its offsets must not clobber a successor's.
      expect(errorType(lateCommit)).toBe('UNKNOWN_MEMBER_ID');
      // kafkajs commits at the end of a batch and the three messages are one batch: nothing was
      // committed before the stall, so after rejoining the member reads the batch again.
      expect(all.map((m) => m.value)).toEqual(['m-v0', 'm-v1', 'm-v2']);
      expect(tracked.seen.map((s) => s.value)).toEqual(['m-v0', 'm-v1', 'm-v0', 'm-v1', 'm-v2']);
    });
  },
);
