import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaErrorCode } from '../errors.js';
import { Group } from './group.js';
import type { JoinRequest, JoinResult } from './types.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const req = (
  memberId: string,
  protocols = ['range'],
  over: Partial<JoinRequest> = {},
): JoinRequest => ({
  memberId,
  clientId: 'client',
  clientHost: '/127.0.0.1',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 30_000,
  protocolType: 'consumer',
  protocols: protocols.map((name) => ({ name, metadata: Buffer.from(`${memberId}:${name}`) })),
  ...over,
});

/** Joins the way kafkajs does: empty id, MEMBER_ID_REQUIRED, then again with the given id. */
async function joinNew(
  g: Group,
  protocols?: string[],
  over?: Partial<JoinRequest>,
): Promise<{ id: string; result: Promise<JoinResult> }> {
  const first = await g.join(req('', protocols, over));
  expect(first.error).toBe(KafkaErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).toMatch(/^client-[0-9a-f-]{36}$/);
  return {
    id: first.memberId,
    result: Promise.resolve(g.join(req(first.memberId, protocols, over))),
  };
}

let group: Group;
beforeEach(() => {
  vi.useFakeTimers();
  group = new Group('g', { initialRebalanceDelayMs: 0, logger: silent });
});
afterEach(() => {
  group.close();
  vi.useRealTimers();
});

describe('consumer group state machine', () => {
  it('makes the first member leader, hands it every member, and becomes Stable on its sync', async () => {
    const a = await joinNew(group);
    const joined = await a.result;
    expect(joined).toMatchObject({
      error: 0,
      generationId: 1,
      protocol: 'range',
      leaderId: a.id,
      memberId: a.id,
    });
    expect(joined.members.map((m) => m.memberId)).toEqual([a.id]);
    expect(group.state).toBe('CompletingRebalance');
    const synced = await group.sync(a.id, 1, new Map([[a.id, Buffer.from('assign-a')]]));
    expect(synced).toEqual({ error: 0, assignment: Buffer.from('assign-a') });
    expect(group.state).toBe('Stable');
  });

  it('rebalances when a second member joins: the first learns it from its heartbeat and rejoins', async () => {
    const a = await joinNew(group);
    await a.result;
    await group.sync(a.id, 1, new Map());
    const b = await joinNew(group);
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat(a.id, 1)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS);
    const aAgain = group.join(req(a.id));
    const [ra, rb] = await Promise.all([aAgain, b.result]);
    expect(ra.generationId).toBe(2);
    expect(rb.generationId).toBe(2);
    expect(ra.members).toHaveLength(2); // the leader stays leader and sees both
    expect(rb.members).toHaveLength(0);
    // Followers wait in SyncGroup until the leader assigns.
    const followerSync = Promise.resolve(group.sync(b.id, 2, new Map()));
    await group.sync(
      a.id,
      2,
      new Map([
        [a.id, Buffer.from('A')],
        [b.id, Buffer.from('B')],
      ]),
    );
    expect((await followerSync).assignment).toEqual(Buffer.from('B'));
  });

  it('expires a member that stops heartbeating and rebalances the rest', async () => {
    const a = await joinNew(group);
    await a.result;
    const b = await joinNew(group);
    await Promise.all([group.join(req(a.id)), b.result]);
    await Promise.all([group.sync(a.id, 2, new Map()), group.sync(b.id, 2, new Map())]);
    expect(group.state).toBe('Stable');
    for (let t = 0; t < 12; t++) {
      vi.advanceTimersByTime(1_000);
      expect(group.heartbeat(a.id, 2)).not.toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    }
    expect(group.members.has(b.id)).toBe(false);
    expect(group.state).toBe('PreparingRebalance');
    const rejoin = await group.join(req(a.id));
    expect(rejoin).toMatchObject({ generationId: 3, leaderId: a.id });
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const a = await joinNew(group, ['range'], {
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 60_000,
    });
    await a.result;
    const b = await joinNew(group, ['range'], {
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 60_000,
    });
    let bResult: JoinResult | undefined;
    void b.result.then((r) => (bResult = r));
    await vi.advanceTimersByTimeAsync(5_001);
    expect(bResult).toMatchObject({ error: 0, generationId: 2, leaderId: b.id });
    expect([...group.members.keys()]).toEqual([b.id]);
  });

  it('answers the follower of an unchanged Stable group at once, without a rebalance', async () => {
    const a = await joinNew(group);
    await a.result;
    const b = await joinNew(group);
    await Promise.all([group.join(req(a.id)), b.result]);
    await Promise.all([group.sync(a.id, 2, new Map()), group.sync(b.id, 2, new Map())]);
    const again = await group.join(req(b.id));
    expect(again).toMatchObject({ error: 0, generationId: 2 });
    expect(group.state).toBe('Stable');
  });

  it('rejects a member without a protocol in common, and unknown members', async () => {
    const a = await joinNew(group, ['range']);
    await a.result;
    expect((await group.join(req('', ['roundrobin']))).error).toBe(
      KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await group.join(req('', ['range'], { protocolType: 'connect' }))).error).toBe(
      KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await group.join(req('nobody'))).error).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.heartbeat('nobody', 1)).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.heartbeat(a.id, 99)).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
  });

  it('chooses the protocol most members prefer among those all support', async () => {
    const a = await joinNew(group, ['roundrobin', 'range']);
    await a.result;
    const b = await joinNew(group, ['range', 'roundrobin']);
    const c = await joinNew(group, ['range', 'roundrobin']);
    const [ra] = await Promise.all([
      group.join(req(a.id, ['roundrobin', 'range'])),
      b.result,
      c.result,
    ]);
    expect(ra.protocol).toBe('range');
  });

  it('applies Kafka commit rules: admin commits only while Empty, members only in their generation', async () => {
    expect(group.commitError('', -1)).toBe(KafkaErrorCode.NONE);
    const a = await joinNew(group);
    await a.result;
    expect(group.commitError(a.id, 1)).toBe(KafkaErrorCode.REBALANCE_IN_PROGRESS); // CompletingRebalance
    await group.sync(a.id, 1, new Map());
    expect(group.commitError(a.id, 1)).toBe(KafkaErrorCode.NONE);
    expect(group.commitError(a.id, 0)).toBe(KafkaErrorCode.ILLEGAL_GENERATION);
    expect(group.commitError('', -1)).toBe(KafkaErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.leave(a.id)).toBe(KafkaErrorCode.NONE);
    expect(group.state).toBe('Empty');
    expect(group.commitError('', -1)).toBe(KafkaErrorCode.NONE);
  });

  it('answers members still waiting when it is closed, and stops its timers', async () => {
    const a = await joinNew(group, ['range'], { sessionTimeoutMs: 10_000 });
    await a.result;
    const b = await joinNew(group);
    group.close();
    expect((await b.result).error).toBe(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(vi.getTimerCount()).toBe(0);
  });
});
