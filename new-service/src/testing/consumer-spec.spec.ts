import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { ConsumerSpec } from './consumer-spec.js';
import { FakeMembers, loyaltyConsumer, types } from './loyalty.fixture.js';

const consumer = loyaltyConsumer({ topic: 'loyalty.events' });

/** A spec over one fake for the whole test, as the book's tests share their FakeUnitOfWork. */
function spec() {
  const uow = new FakeMembers();
  return { uow, spec: ConsumerSpec.for(consumer, { unitOfWork: () => uow }) };
}

const joined = (memberId: string) => ({
  type: types.MemberJoined,
  data: { memberId, name: 'Ada', tier: 'gold' as const },
});
const earned = (memberId: string, points: number, seq: number) => ({
  type: types.PointsEarned,
  data: { memberId, points, seq },
});

describe('ConsumerSpec', () => {
  it('applies the given events, then the event under test, and hands over the committed fake', async () => {
    const { spec: s } = spec();
    await s
      .given(joined('m'), earned('m', 5, 1))
      .when(earned('m', 3, 2))
      .then((uow, outcome) => {
        expect(outcome).toBe('applied');
        expect(uow.committed).toBe(true);
        expect(uow.commits).toBe(3);
        expect(uow.members.list()).toEqual([
          { memberId: 'm', name: 'Ada', tier: 'gold', points: 8, seq: 2 },
        ]);
      });
  });

  it('reports what the handler reported, and a repeated event id as a duplicate', async () => {
    const { spec: s } = spec();
    await s
      .given(joined('m'), earned('m', 5, 2))
      .when(earned('m', 1, 1))
      .thenOutcome('stale');
    await spec()
      .spec.given({ ...joined('m'), id: 'same' })
      .when({ ...joined('m'), id: 'same' })
      .thenOutcome('duplicate');
  });

  it("classifies errors as the kit does: the handler's rejection and the fake's SQLSTATE are dead letters", async () => {
    await spec()
      .spec.given(joined('m'))
      .when({ type: types.PointsSpent, data: { memberId: 'm', points: 1, seq: 1 } })
      .thenDeadLetters('insufficient_points', 'Member m has 0 points');
    await spec()
      .spec.when(earned('nobody', 1, 1))
      .thenDeadLetters('database_rejected', /SQLSTATE 23503/);
  });

  it('leaves the fake uncommitted when the event under test is refused', async () => {
    const { uow, spec: s } = spec();
    await s
      .given(joined('m'))
      .when({ type: types.PointsSpent, data: { memberId: 'm', points: 9, seq: 1 } })
      .thenDeadLetters('insufficient_points');
    expect(uow.committed).toBe(false);
  });

  it('expects a transient error with thenThrows', async () => {
    const flaky = loyaltyConsumer({ topic: 't', flaky: new Map([['f', 1]]) });
    const uow = new FakeMembers();
    await ConsumerSpec.for(flaky, { unitOfWork: () => uow })
      .when(joined('f'))
      .thenThrows((err) => err instanceof Error && /flaky member f/.test(err.message));
  });

  it('hands an event of an older version to the handler upcast', async () => {
    const { spec: s } = spec();
    await s
      .when(
        ConsumerSpec.asReceived('com.example.loyalty.member_joined.v1', {
          memberId: 'o',
          name: 'Old',
        }),
      )
      .then((uow) => expect(uow.members.list()[0]?.tier).toBe('basic'));
  });

  it('fails with an AssertionError that says what happened instead', async () => {
    const { spec: s } = spec();
    const wrong = await s
      .when(joined('m'))
      .thenOutcome('stale')
      .catch((err: unknown) => err);
    expect(wrong).toBeInstanceOf(AssertionError);
    expect((wrong as Error).message).toBe('expected outcome stale, but the outcome was applied');
    const refused = await spec()
      .spec.when(earned('nobody', 1, 1))
      .then(() => {})
      .catch((err: unknown) => err);
    expect((refused as Error).message).toMatch(
      /^expected the event to be handled, but dead-lettered database_rejected/,
    );
    const broken = await spec()
      .spec.given(earned('nobody', 1, 1))
      .when(joined('m'))
      .thenOutcome('applied')
      .catch((err: unknown) => err);
    expect((broken as Error).message).toMatch(
      /^given event #1 \(com.example.loyalty.points_earned.v1\) was not applied/,
    );
  });

  it('expects the event handled when a result is awaited without then', async () => {
    const { uow, spec: s } = spec();
    await expect(s.when(joined('m'))).resolves.toBe(uow);
    await expect(spec().spec.when(earned('nobody', 1, 1))).rejects.toThrow(
      /^expected the event to be handled, but dead-lettered database_rejected/,
    );
  });

  it('refuses a draft its catalog refuses, naming the field', async () => {
    const { spec: s } = spec();
    await expect(s.when(earned('m', 0, 1)).thenOutcome('applied')).rejects.toThrow(/data\.points/);
  });
});
