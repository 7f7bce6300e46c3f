// A small domain of the kit's own specs (excluded from the build): a loyalty programme whose
// members earn and spend points. The kit knows no domain; this one exists only to exercise it,
// with two versions of one event so upcasting is covered, a rule the handler enforces, a check
// Postgres enforces (foreign key: class 23) and a column that overflows (integer: class 22).
import { defineCatalog, defineEvent, fields, type CatalogEvent } from '@strangler/event-schemas';
import { z } from 'zod';
import { defineConsumer } from '../consumer/define-consumer.js';
import { rejected } from '../errors.js';
import type { HandleResult, Transaction } from '../types.js';
import { FakeUnitOfWork } from './fake-unit-of-work.js';
import { InMemoryRepository } from './in-memory-repository.js';

export const memberJoinedV1 = defineEvent({
  type: 'com.example.loyalty.member_joined.v1',
  name: 'MemberJoined',
  aggregate: 'Member',
  description: 'Someone joined the programme.',
  schema: z.object({ memberId: fields.nonEmptyString(), name: fields.nonEmptyString() }),
  aggregateId: 'memberId',
  example: { memberId: 'm-1', name: 'Ada' },
});

export const memberJoinedV2 = defineEvent({
  type: 'com.example.loyalty.member_joined.v2',
  name: 'MemberJoined',
  aggregate: 'Member',
  description: 'Someone joined the programme, in a tier.',
  schema: z.object({
    memberId: fields.nonEmptyString(),
    name: fields.nonEmptyString(),
    tier: z.enum(['basic', 'gold']),
  }),
  aggregateId: 'memberId',
  example: { memberId: 'm-1', name: 'Ada', tier: 'gold' },
  previous: memberJoinedV1,
  upcast: (v1) => ({ ...v1, tier: 'basic' as const }),
});

const movement = z.object({
  memberId: fields.nonEmptyString(),
  points: fields.integerAtLeast(1),
  /** The member's version after this movement: an older one is stale. */
  seq: fields.integerAtLeast(1),
});

export const pointsEarnedV1 = defineEvent({
  type: 'com.example.loyalty.points_earned.v1',
  name: 'PointsEarned',
  aggregate: 'Member',
  description: 'A member earned points.',
  schema: movement,
  aggregateId: 'memberId',
  example: { memberId: 'm-1', points: 10, seq: 1 },
});

export const pointsSpentV1 = defineEvent({
  type: 'com.example.loyalty.points_spent.v1',
  name: 'PointsSpent',
  aggregate: 'Member',
  description: 'A member spent points.',
  schema: movement,
  aggregateId: 'memberId',
  example: { memberId: 'm-1', points: 5, seq: 2 },
});

export const loyaltyCatalog = defineCatalog(
  [memberJoinedV1, memberJoinedV2, pointsEarnedV1, pointsSpentV1],
  { name: 'loyalty', description: 'The kit specs’ loyalty programme.' },
);
export type LoyaltyEvent = CatalogEvent<typeof loyaltyCatalog>;
export const types = loyaltyCatalog.types;

export interface Member {
  memberId: string;
  name: string;
  tier: string;
  points: number;
  seq: number;
}

/** The port the handler needs (the book's unit of work): members, their entries, commit. */
export interface Members {
  get(memberId: string): Promise<Member | undefined>;
  add(member: Member): Promise<void>;
  save(member: Member): Promise<void>;
  addEntry(memberId: string, seq: number, points: number): Promise<void>;
  commit(): Promise<void>;
}

/** Calls of the handler, by event id: the specs observe retries and replays with it. */
export type Calls = Map<string, number>;

/** The handler, written against the port only. `flaky` members fail transiently that many times. */
export function handleLoyalty(flaky: Map<string, number> = new Map(), calls: Calls = new Map()) {
  return async (
    event: LoyaltyEvent,
    members: Members,
    context: { event: { id: string } },
  ): Promise<HandleResult> => {
    calls.set(context.event.id, (calls.get(context.event.id) ?? 0) + 1);
    const left = flaky.get(event.data.memberId) ?? 0;
    if (left > 0) {
      flaky.set(event.data.memberId, left - 1);
      throw new Error(`flaky member ${event.data.memberId}: try again`);
    }
    switch (event.type) {
      case types.MemberJoined: {
        if (await members.get(event.data.memberId)) return 'unchanged';
        await members.add({ ...event.data, points: 0, seq: 0 });
        return 'applied';
      }
      case types.PointsEarned:
      case types.PointsSpent: {
        const { memberId, points, seq } = event.data;
        const member = await members.get(memberId);
        if (member && seq <= member.seq) return 'stale';
        const delta = event.type === types.PointsSpent ? -points : points;
        if (member && member.points + delta < 0) {
          throw rejected('insufficient_points', `Member ${memberId} has ${member.points} points`);
        }
        // An unknown member reaches the entry's foreign key: Postgres refuses it (class 23).
        if (member) await members.save({ ...member, points: member.points + delta, seq });
        await members.addEntry(memberId, seq, delta);
        return 'applied';
      }
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled ${JSON.stringify(unhandled)}`);
      }
    }
  };
}

/** The tables of one loyalty consumer (a prefix, so several live in one database). */
export function loyaltyMigrations(prefix = 'loyalty'): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${prefix}_member (
       member_id text PRIMARY KEY, name text NOT NULL, tier text NOT NULL,
       points integer NOT NULL, seq integer NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${prefix}_entry (
       member_id text NOT NULL REFERENCES ${prefix}_member, seq integer NOT NULL,
       points integer NOT NULL, PRIMARY KEY (member_id, seq))`,
  ];
}

/** The Postgres adapter of the port, on the kit's transaction. */
export class PgMembers implements Members {
  constructor(
    readonly tx: Transaction,
    readonly prefix = 'loyalty',
  ) {}

  async get(memberId: string): Promise<Member | undefined> {
    const { rows } = await this.tx.query<Member>(
      `SELECT member_id AS "memberId", name, tier, points, seq FROM ${this.prefix}_member
       WHERE member_id = $1 FOR UPDATE`,
      [memberId],
    );
    return rows[0];
  }

  async add(m: Member): Promise<void> {
    await this.tx.query(`INSERT INTO ${this.prefix}_member VALUES ($1, $2, $3, $4, $5)`, [
      m.memberId,
      m.name,
      m.tier,
      m.points,
      m.seq,
    ]);
  }

  async save(m: Member): Promise<void> {
    // The cast is Postgres's: a total beyond integer is SQLSTATE 22003 (class 22).
    await this.tx.query(
      `UPDATE ${this.prefix}_member SET points = $2::bigint::integer, seq = $3 WHERE member_id = $1`,
      [m.memberId, m.points, m.seq],
    );
  }

  async addEntry(memberId: string, seq: number, points: number): Promise<void> {
    await this.tx.query(`INSERT INTO ${this.prefix}_entry VALUES ($1, $2, $3::bigint::integer)`, [
      memberId,
      seq,
      points,
    ]);
  }

  async commit(): Promise<void> {
    // Writes go straight to the transaction: nothing is pending.
  }
}

/** The in-memory adapter of the port, for ConsumerSpec. */
export class FakeMembers extends FakeUnitOfWork implements Members {
  readonly members = new InMemoryRepository<Member>((m) => m.memberId);
  readonly entries: { memberId: string; seq: number; points: number }[] = [];

  get(memberId: string) {
    return this.members.get(memberId);
  }
  async add(member: Member) {
    this.members.add(member);
  }
  async save(member: Member) {
    this.members.add(member);
  }
  async addEntry(memberId: string, seq: number, points: number) {
    if (!this.members.list().some((m) => m.memberId === memberId)) {
      throw Object.assign(new Error('violates foreign key constraint'), { code: '23503' });
    }
    this.entries.push({ memberId, seq, points });
  }
}

export interface LoyaltyConsumerOptions {
  name?: string;
  topic: string;
  group?: string;
  prefix?: string;
  flaky?: Map<string, number>;
  calls?: Calls;
}

/** A loyalty projection consumer over `topic`. */
export function loyaltyConsumer(options: LoyaltyConsumerOptions) {
  const prefix = options.prefix ?? 'loyalty';
  return defineConsumer({
    name: options.name ?? 'loyalty',
    catalog: loyaltyCatalog,
    topic: options.topic,
    ...(options.group === undefined ? {} : { group: options.group }),
    unitOfWork: (tx): Members => new PgMembers(tx, prefix),
    handle: handleLoyalty(options.flaky, options.calls),
    beforeCommit: (members) => members.commit(),
    reset: async (tx) => {
      await tx.query(`TRUNCATE ${prefix}_entry, ${prefix}_member`);
    },
  });
}
