import { onCleanup, testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejected, versionConflict, type NewServiceError } from '../errors.js';
import { migrate } from '../postgres/schema.js';
import { quietLogger } from '../testing/kafka.fixture.js';
import { loyaltyCatalog, loyaltyMigrations, PgMembers, types } from '../testing/loyalty.fixture.js';
import type { CommandContext, CommandRunnerOptions } from '../types.js';

type Ctx = CommandContext<typeof loyaltyCatalog>;
import { createCommandRunner, isDryRun } from './command-runner.js';

let pool: pg.Pool;

// The outbox is emptied in the transaction that filled it; a trigger keeps a copy of each row so
// the specs can see what went in (the adapter sees the same in the WAL).
const SPY = [
  'CREATE TABLE outbox_seen (LIKE strangler_outbox)',
  `CREATE FUNCTION outbox_spy() RETURNS trigger AS $$
     BEGIN INSERT INTO outbox_seen SELECT NEW.*; RETURN NEW; END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER outbox_spy AFTER INSERT ON strangler_outbox
     FOR EACH ROW EXECUTE FUNCTION outbox_spy()`,
];

beforeAll(async () => {
  const db = await testDatabase('kit_commands');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  onCleanup(() => pool.end());
  await migrate(pool, [...loyaltyMigrations(), ...SPY], quietLogger());
});

const options = (extra: Partial<CommandRunnerOptions<typeof loyaltyCatalog, PgMembers>> = {}) => ({
  pool,
  catalog: loyaltyCatalog,
  source: '/services/loyalty',
  unitOfWork: (tx: PgMembers['tx']) => new PgMembers(tx),
  logger: quietLogger(),
  ...extra,
});

/** The command of the specs: a member joins, emitting MemberJoined. */
const join = (memberId: string) => async (members: PgMembers, ctx: Ctx) => {
  if (await members.get(memberId)) throw rejected('member_exists', `${memberId} is a member`);
  await members.add({ memberId, name: 'Ada', tier: 'gold', points: 0, seq: 0 });
  ctx.emit(types.MemberJoined, { memberId, name: 'Ada', tier: 'gold' });
  return { memberId };
};

const outboxRows = async (memberId: string) =>
  (
    await pool.query(
      `SELECT id, aggregatetype, aggregateid, type, payload, source, headers FROM outbox_seen
       WHERE aggregateid = $1`,
      [memberId],
    )
  ).rows;
const member = async (memberId: string) =>
  (await pool.query('SELECT * FROM loyalty_member WHERE member_id = $1', [memberId])).rows[0];

describe('createCommandRunner', () => {
  it('commits the changes and the events in one transaction, the events in the outbox and the table left empty', async () => {
    const runner = createCommandRunner(options());
    const outcome = await runner.run(join('c-1'), { correlationid: 'flow-1' });
    expect(outcome.result).toEqual({ memberId: 'c-1' });
    expect(outcome.dryRun).toBe(false);
    expect(outcome.events).toHaveLength(1);
    const event = outcome.events[0]!;
    expect(event).toMatchObject({
      type: types.MemberJoined,
      source: '/services/loyalty',
      subject: 'c-1',
      correlationid: 'flow-1',
    });
    expect(await member('c-1')).toMatchObject({ name: 'Ada' });
    expect(await outboxRows('c-1')).toEqual([
      {
        id: event.id,
        aggregatetype: 'Member',
        aggregateid: 'c-1',
        type: types.MemberJoined,
        payload: { memberId: 'c-1', name: 'Ada', tier: 'gold' },
        source: '/services/loyalty',
        headers: { time: event.time, correlationid: 'flow-1' },
      },
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM strangler_outbox')).rows[0].n).toBe(0);
  });

  it('runs a dry run to the end and rolls it back, answering as the real run would', async () => {
    const runner = createCommandRunner(options());
    const dry = await runner.run(join('c-2'), { dryRun: true });
    expect(dry).toMatchObject({ result: { memberId: 'c-2' }, dryRun: true });
    expect(dry.events.map((e) => e.type)).toEqual([types.MemberJoined]);
    expect(await member('c-2')).toBeUndefined();
    expect(await outboxRows('c-2')).toEqual([]);
    // The same refusal as a real run: the rule is checked inside the dry run too.
    await runner.run(join('c-2'));
    await expect(runner.run(join('c-2'), { dryRun: true })).rejects.toMatchObject({
      reason: 'member_exists',
    });
  });

  it('rolls back a command that throws: no change, no event', async () => {
    const runner = createCommandRunner(options());
    const failing = async (members: PgMembers, ctx: Ctx) => {
      await join('c-3')(members, ctx);
      throw new Error('the handler failed after emitting');
    };
    await expect(runner.run(failing)).rejects.toThrow('the handler failed after emitting');
    expect(await member('c-3')).toBeUndefined();
    expect(await outboxRows('c-3')).toEqual([]);
  });

  it('refuses an event the catalog refuses, inside the command, so nothing is written', async () => {
    const runner = createCommandRunner(options());
    const bad = async (members: PgMembers, ctx: Ctx) => {
      await members.add({ memberId: 'c-4', name: 'Ada', tier: 'gold', points: 0, seq: 0 });
      ctx.emit(types.MemberJoined, { memberId: 'c-4', name: '', tier: 'gold' });
    };
    await expect(runner.run(bad)).rejects.toMatchObject({ code: 'INVALID_DATA' });
    expect(await member('c-4')).toBeUndefined();
  });

  it('runs a command again after a serialization failure, up to maxAttempts', async () => {
    let attempts = 0;
    const racing = async (members: PgMembers, ctx: Ctx) => {
      attempts++;
      if (attempts < 3)
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      return join('c-5')(members, ctx);
    };
    const outcome = await createCommandRunner(options()).run(racing);
    expect([attempts, outcome.events.length]).toEqual([3, 1]);
    attempts = 0;
    await expect(createCommandRunner(options({ maxAttempts: 2 })).run(racing)).rejects.toThrow(
      'could not serialize access',
    );
    expect(attempts).toBe(2);
  });

  it('runs a command again on the new state when another writer saved the aggregate since it was loaded', async () => {
    const runner = createCommandRunner(options());
    await runner.run(join('c-6'));
    let loaded = 0;
    let bothLoaded: () => void = () => {};
    const race = new Promise<void>((resolve) => (bothLoaded = resolve));
    const attempts: number[] = [];
    // Optimistic: load without a lock, save only if the version (seq) is still the one loaded.
    const earn = (points: number) => async (members: PgMembers) => {
      attempts.push(points);
      const m = await members.tx.query<{ points: number; seq: number }>(
        'SELECT points, seq FROM loyalty_member WHERE member_id = $1',
        ['c-6'],
      );
      const { points: before, seq } = m.rows[0]!;
      if (++loaded === 2) bothLoaded();
      await race;
      const saved = await members.tx.query(
        'UPDATE loyalty_member SET points = $2, seq = $3 + 1 WHERE member_id = $1 AND seq = $3',
        ['c-6', before + points, seq],
      );
      if (saved.rowCount === 0) throw versionConflict(`member c-6 is no longer at ${seq}`);
      return before + points;
    };
    const results = await Promise.all([runner.run(earn(10)), runner.run(earn(5))]);
    // The first to save answers its own total; the other ran again on top of it.
    const totals = results.map((r) => r.result).sort((a, b) => a - b);
    expect([
      [5, 15],
      [10, 15],
    ]).toContainEqual(totals);
    expect(attempts).toHaveLength(3);
    expect(await member('c-6')).toMatchObject({ points: 15, seq: 2 });
  });

  it('checks its options at construction, naming the option and what to give', () => {
    const refused = (extra: object) => {
      try {
        createCommandRunner(options(extra as never));
        return 'accepted';
      } catch (e) {
        return (e as NewServiceError).message;
      }
    };
    expect(refused({ source: 'has space' })).toBe(
      'createCommandRunner: source "has space" must be a URI-reference without spaces, e.g. "/services/billing"',
    );
    expect(refused({ catalog: {} })).toBe(
      'createCommandRunner: catalog must be made by defineCatalog from @strangler/event-schemas',
    );
    expect(refused({ maxAttempts: 0 })).toBe(
      'createCommandRunner: maxAttempts must be a whole number from 1 to 100; got 0',
    );
    expect(refused({ unitOfWork: undefined })).toBe(
      'createCommandRunner: unitOfWork must be a function (tx) => your unit of work',
    );
  });
});

describe('isDryRun', () => {
  it('reads x-strangler-dry-run: 1 or true, 0 or false, and refuses anything else', () => {
    expect(isDryRun({})).toBe(false);
    expect(isDryRun({ 'x-strangler-dry-run': '1' })).toBe(true);
    expect(isDryRun({ 'x-strangler-dry-run': 'true' })).toBe(true);
    expect(isDryRun({ 'x-strangler-dry-run': '0' })).toBe(false);
    expect(() => isDryRun({ 'x-strangler-dry-run': 'yes' })).toThrow(
      'x-strangler-dry-run must be 1 or 0; got "yes"',
    );
  });
});
