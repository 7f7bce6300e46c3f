import { describe, expect, it } from 'vitest';
import type { CapturedTransaction } from '../capture/transaction.js';
import { LegacyAdapterError } from '../errors.js';
import { UNCHANGED_TOAST } from '../pg/pgoutput.js';
import { change } from '../testing/changes.js';
import { shopCatalog } from '../testing/shop-catalog.fixture.js';
import { CUSTOMERS, ORDERS, shopMapper } from '../testing/shop-mapper.fixture.js';
import type { Logger } from '../types.js';
import { ChangeMapper, type ChangeMapperOptions } from './change-mapper.js';
import { checkMapper } from './define-mapper.js';
import { RowCache } from './row-cache.js';
import type { CapturedChange, Mapper } from './types.js';

// The mapping engine alone: what becomes of each change, where a failure is attributed, and what
// a dead letter holds. The specs of the adapter run the same through Postgres and Kafka.

const ada = {
  id: 7,
  email: 'ada@example.com',
  name: 'Ada',
  registered_at: '2024-05-01 12:00:00+00',
};
const grace = { ...ada, id: 8, email: 'grace@example.com', name: 'Grace' };

function logs() {
  const warnings: Array<[object, string]> = [];
  const logger = {
    debug: () => {},
    info: () => {},
    error: () => {},
    warn: (fields: object, message: string) => warnings.push([fields, message]),
  } as unknown as Logger;
  return { logger, warnings };
}

function engine(options: Omit<Partial<ChangeMapperOptions>, 'mapper'> & { mapper?: Mapper } = {}) {
  const { logger, warnings } = logs();
  const mapper = new ChangeMapper({
    catalog: shopCatalog,
    source: '/strangler/legacy-adapter/strangler_adapter',
    topic: 'shop.events',
    deadLetterTopic: 'shop.events.dead-letters',
    onMappingError: 'stop',
    onTruncate: 'stop',
    cache: new RowCache(async () => {
      throw new Error('these specs have no database: every row they look up is seen first');
    }),
    keys: new Map([
      [CUSTOMERS, ['id']],
      [ORDERS, ['id']],
    ]),
    logger,
    ...options,
    mapper: checkMapper(options.mapper ?? shopMapper),
  });
  return { mapper, warnings };
}

const tx = (changes: CapturedChange[]): CapturedTransaction => ({
  xid: 745,
  commitLsn: 0x16b3748n,
  endLsn: 0x16b3780n,
  commitTime: new Date('2024-05-01T12:00:00Z'),
  origin: null,
  changes,
  messages: [],
});

const badEmail = change.insert(CUSTOMERS, { ...grace, email: '' });

describe('ChangeMapper', () => {
  it('gives events the ids of their position and index, as every version of the adapter did', async () => {
    const { mapper } = engine();
    const out = await mapper.transaction(
      tx([change.insert(CUSTOMERS, ada), change.insert(CUSTOMERS, grace)]),
    );
    expect(out.messages.map((m) => m.headers.ce_id)).toEqual([
      '5ef2d523-72c3-5292-b980-17792f141019', // deterministicEventId(source, '0/16B3748', 0), pinned
      expect.any(String),
    ]);
    expect(out.messages[0]!.headers).toMatchObject({
      ce_source: '/strangler/legacy-adapter/strangler_adapter',
      ce_sourceposition: '0/16B3748',
      ce_sourcetx: '745',
      ce_time: '2024-05-01T12:00:00.000Z',
      ce_type: 'com.example.shop.customer_registered.v1',
    });
    expect(out).toMatchObject({ events: 2, deadLetters: 0 });
    const cursor = {
      origin: {
        source: '/strangler/legacy-adapter/strangler_adapter',
        position: 'snapshot@0/16B3748',
        time: '2024-05-01T12:00:00.000Z',
        xid: null,
      },
      nextRow: 0,
      nextEvent: 3,
    };
    const snapshot = await engine().mapper.snapshotRows(
      CUSTOMERS,
      [change.snapshot(CUSTOMERS, ada).row],
      cursor,
    );
    expect(snapshot.messages[0]!.headers.ce_id).toBe('3cd8f355-0d96-5d45-bc0c-52e5b701fd2b');
    expect(snapshot.messages[0]!.headers.ce_sourcetx).toBeUndefined();
    expect(cursor).toMatchObject({ nextRow: 1, nextEvent: 4 });
  });

  it('stops at the change whose draft the catalog refuses, naming table, position, xid, change and row in one line', async () => {
    const { mapper } = engine();
    const err = await mapper
      .transaction(
        tx([change.insert(CUSTOMERS, ada), badEmail, change.insert(CUSTOMERS, { ...ada, id: 9 })]),
      )
      .then(
        () => new Error('mapped'),
        (e: unknown) => e as LegacyAdapterError,
      );
    expect(err).toBeInstanceOf(LegacyAdapterError);
    expect(err).toMatchObject({ code: 'MAPPING_FAILED', retriable: false });
    expect(err.message).toBe(
      'cannot map insert on public.customers at 0/16B3748 (xid 745, change 2 of 3): draft 1 of 1 (com.example.shop.customer_registered.v1) ' +
        'was refused by the catalog: Cannot create com.example.shop.customer_registered.v1: data.email: must not be empty (got ""); ' +
        'row {"id":"8","email":"","name":"Grace","registered_at":"2024-05-01 12:00:00+00"}. ' +
        'Nothing from this change on is confirmed, so a restart maps it again: fix the mapper, or start with --on-mapping-error dead-letter',
    );
  });

  it('dead-letters the failing change with its raw row, in order between the events of the others', async () => {
    const { mapper, warnings } = engine({ onMappingError: 'dead-letter' });
    const out = await mapper.transaction(
      tx([change.insert(CUSTOMERS, ada), badEmail, change.insert(CUSTOMERS, { ...ada, id: 9 })]),
    );
    expect(out.messages.map((m) => m.topic)).toEqual([
      'shop.events',
      'shop.events.dead-letters',
      'shop.events',
    ]);
    expect(out).toMatchObject({ events: 2, deadLetters: 1 });
    // The event after the dead letter takes the next index: ids stay a function of what was published.
    expect(out.messages[2]!.headers.ce_id).toBe(
      (
        await engine().mapper.transaction(
          tx([change.insert(CUSTOMERS, ada), change.insert(CUSTOMERS, { ...ada, id: 9 })]),
        )
      ).messages[1]!.headers.ce_id,
    );
    const letter = out.messages[1]!;
    expect(letter.key).toBe(CUSTOMERS);
    expect(JSON.parse(letter.value as string)).toEqual({
      source: '/strangler/legacy-adapter/strangler_adapter',
      table: CUSTOMERS,
      kind: 'insert',
      snapshot: false,
      position: '0/16B3748',
      xid: 745,
      index: 1,
      row: { id: '8', email: '', name: 'Grace', registered_at: '2024-05-01 12:00:00+00' },
      old: null,
      error: {
        code: 'INVALID_DATA',
        message:
          'draft 1 of 1 (com.example.shop.customer_registered.v1) was refused by the catalog: Cannot create com.example.shop.customer_registered.v1: data.email: must not be empty (got "")',
      },
    });
    expect(warnings).toEqual([
      [
        expect.objectContaining({
          change: 'insert on public.customers',
          position: '0/16B3748',
          xid: 745,
          index: 1,
          code: 'INVALID_DATA',
        }),
        'mapping failed: the raw change goes to the dead-letter topic',
      ],
    ]);
  });

  it('dead-letters a snapshot row with its snapshot position and row index, and no xid', async () => {
    const { mapper } = engine({ onMappingError: 'dead-letter' });
    const cursor = {
      origin: {
        source: '/strangler/legacy-adapter/strangler_adapter',
        position: 'snapshot@0/16B3748',
        time: '2024-05-01T12:00:00.000Z',
        xid: null,
      },
      nextRow: 5,
      nextEvent: 5,
    };
    const rows = [change.snapshot(CUSTOMERS, ada).row, badEmail.row];
    const out = await mapper.snapshotRows(CUSTOMERS, rows, cursor);
    expect(out).toMatchObject({ events: 1, deadLetters: 1 });
    expect(JSON.parse(out.messages[1]!.value as string)).toMatchObject({
      kind: 'insert',
      snapshot: true,
      position: 'snapshot@0/16B3748',
      xid: null,
      index: 6,
      row: { id: '8', email: '' },
    });
    expect(cursor).toMatchObject({ nextRow: 7, nextEvent: 6 });
  });

  it('names what went wrong in the dead letter: an unknown type, no array, a throw, an unchanged TOAST value (kept as a marker)', async () => {
    const odd: Mapper = {
      tables: [CUSTOMERS, ORDERS],
      mapChange(c) {
        if (c.kind === 'delete') throw new Error('line one\nline two');
        if (c.kind === 'update') return [{ type: 'com.example.shop.nope.v1', data: {} }];
        if (c.table === ORDERS) return { not: 'an array' } as never;
        return [
          {
            type: shopCatalog.types.CustomerRenamed,
            data: { customerId: '7', name: columns(c.row) },
          },
        ];
      },
    };
    const columns = (row: Record<string, unknown>) => {
      if (row.name === UNCHANGED_TOAST)
        throw new LegacyAdapterError('UNCHANGED_TOAST', 'column name is an unchanged TOAST value');
      return String(row.name);
    };
    const { mapper } = engine({ mapper: odd, onMappingError: 'dead-letter' });
    const out = await mapper.transaction(
      tx([
        change.update(CUSTOMERS, ada, { ...ada, name: 'x' }),
        change.insert(ORDERS, { id: 1 }),
        change.delete(CUSTOMERS, { id: 7 }, { oldIsKeyOnly: true }),
        change.insert(CUSTOMERS, { ...ada, name: UNCHANGED_TOAST }),
      ]),
    );
    const letters = out.messages.map(
      (m) => JSON.parse(m.value as string) as Record<string, unknown>,
    );
    expect(letters.map((l) => (l.error as { code: string }).code)).toEqual([
      'UNKNOWN_TYPE',
      'INVALID_DRAFT',
      'MAPPER_THREW',
      'UNCHANGED_TOAST',
    ]);
    expect(letters[0]).toMatchObject({ kind: 'update', old: { name: 'Ada' }, row: { name: 'x' } });
    expect(letters[2]).toMatchObject({
      kind: 'delete',
      row: null,
      old: { id: '7' },
      error: { message: 'line one line two' },
    });
    expect(letters[3]!.row).toMatchObject({ name: { unchangedToast: true } });
  });

  it("keeps the id, source and time a draft's envelope brings, and refuses an envelope it cannot use", async () => {
    const withEnvelope = (envelope: unknown): Mapper => ({
      tables: [CUSTOMERS],
      mapChange: () => [
        {
          type: shopCatalog.types.CustomerRenamed,
          data: { customerId: '7', name: 'Ada' },
          envelope,
        } as never,
      ],
    });
    const out = await engine({
      mapper: withEnvelope({ id: 'given-1', source: '/svc', time: '2024-01-02T03:04:05Z' }),
    }).mapper.transaction(tx([change.insert(CUSTOMERS, ada)]));
    expect(out.messages[0]!.headers).toMatchObject({
      ce_id: 'given-1',
      ce_source: '/svc',
      ce_time: '2024-01-02T03:04:05Z',
      ce_sourceposition: '0/16B3748',
    });
    for (const [envelope, message] of [
      [{ id: 5 }, 'has envelope.id number 5; it must be a non-empty string'],
      [
        { ID: 'x' },
        'has envelope.ID; the envelope takes id, source, time, causationid, correlationid',
      ],
      ['x', 'has envelope string "x"; it must be an object of id, source, time'],
    ] as const) {
      const err = await engine({ mapper: withEnvelope(envelope) })
        .mapper.transaction(tx([change.insert(CUSTOMERS, ada)]))
        .then(
          () => new Error('mapped'),
          (e: unknown) => e as Error,
        );
      expect(err.message).toContain(message);
    }
  });

  it('stops at a truncate without mapTruncate, skips it on request, and publishes what mapTruncate returns', async () => {
    const truncate = change.truncate([ORDERS, CUSTOMERS]);
    const err = await engine()
      .mapper.transaction(tx([truncate]))
      .then(
        () => new Error('mapped'),
        (e: unknown) => e as LegacyAdapterError,
      );
    expect(err).toMatchObject({ code: 'UNHANDLED_TRUNCATE', retriable: false });
    expect(err.message).toBe(
      'TRUNCATE of public.orders, public.customers at 0/16B3748 (xid 745, change 1 of 1): the mapper has no mapTruncate; ' +
        'add mapTruncate to the mapper to emit an event, or start with --on-truncate skip. Nothing from this transaction on is confirmed: a restart stops here again',
    );
    // Even in dead-letter mode: a truncate is a decision, not bad data.
    await expect(
      engine({ onMappingError: 'dead-letter' }).mapper.transaction(tx([truncate])),
    ).rejects.toThrow('TRUNCATE of');

    const skipping = engine({ onTruncate: 'skip' });
    const skipped = await skipping.mapper.transaction(
      tx([truncate, change.insert(CUSTOMERS, ada)]),
    );
    expect(skipped.messages.map((m) => m.headers.ce_type)).toEqual([
      'com.example.shop.customer_registered.v1',
    ]);
    expect(skipping.warnings[0]![1]).toBe(
      'skipped a TRUNCATE (onTruncate: skip): no event says the rows are gone',
    );

    const hooked = engine({
      mapper: {
        ...shopMapper,
        mapTruncate: (t) => [{ type: shopCatalog.types.TablesEmptied, data: { tables: t.tables } }],
      },
    });
    const emitted = await hooked.mapper.transaction(tx([change.insert(CUSTOMERS, ada), truncate]));
    expect(emitted.messages.map((m) => [m.headers.ce_type, m.value])).toEqual([
      ['com.example.shop.customer_registered.v1', expect.any(String)],
      ['com.example.shop.tables_emptied.v1', '{"tables":["public.orders","public.customers"]}'],
    ]);
  });

  it('cuts long values in the stop line, and lets a lost database connection fail the adapter as retriable', async () => {
    const long = change.insert(CUSTOMERS, { ...grace, email: '', name: 'n'.repeat(5000) });
    const err = await engine()
      .mapper.transaction(tx([long]))
      .then(
        () => new Error('mapped'),
        (e: unknown) => e as Error,
      );
    expect(err.message).toContain(`"name":"${'n'.repeat(60)}...(5000 chars)"`);
    expect(err.message.length).toBeLessThan(800);

    const lost: Mapper = {
      tables: [CUSTOMERS],
      async mapChange() {
        throw new Error('wrapped', {
          cause: new LegacyAdapterError('LOOKUP_FAILED', 'connection terminated', {
            retriable: true,
          }),
        });
      },
    };
    const retried = await engine({ mapper: lost, onMappingError: 'dead-letter' })
      .mapper.transaction(tx([change.insert(CUSTOMERS, ada)]))
      .catch((e: unknown) => e);
    expect(retried).toMatchObject({ message: 'wrapped' });
  });
});
