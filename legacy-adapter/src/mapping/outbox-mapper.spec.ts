import { describe, expect, it } from 'vitest';
import { kafkaBrokers } from '@strangler/tests/harness';
import { adapterTestContext, names, start } from '../testing/adapter-harness.fixture.js';
import { readMessages } from '../testing/events.fixture.js';
import { change } from '../testing/changes.js';
import { shopCatalog } from '../testing/shop-catalog.fixture.js';
import { outboxDraft, outboxMapper } from './outbox-mapper.js';

const t = adapterTestContext();

// Debezium's layout, as a service (or a legacy system) writes it in its own transactions.
const OUTBOX = `CREATE TABLE outbox (
  id text PRIMARY KEY,
  aggregatetype text NOT NULL,
  aggregateid text NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  source text,
  headers jsonb
)`;
const RENAMED = shopCatalog.types.CustomerRenamed;

async function emit(id: string, customer: string, name: string, extra: { deleted?: boolean } = {}) {
  const c = await t.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, source, headers)
       VALUES ($1, 'Customer', $2, $3, $4, '/services/customers', $5)`,
      [
        id,
        customer,
        RENAMED,
        JSON.stringify({ customerId: customer, name }),
        JSON.stringify({ correlationid: `flow-${id}` }),
      ],
    );
    if (extra.deleted) await c.query('DELETE FROM outbox WHERE id = $1', [id]);
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

describe('outbox mode', () => {
  it('publishes each inserted outbox row as its event, keeping its id and source, in commit order, and nothing for deletes', async () => {
    const n = names();
    await t.pool.query(OUTBOX);
    await start(t, n, { mapper: outboxMapper({ table: 'public.outbox' }) });
    await emit('e-1', '7', 'Ada');
    await emit('e-2', '7', 'Ada L.', { deleted: true }); // Debezium's advice: the table stays empty
    await Promise.all([emit('e-3', '7', 'Ada K.'), emit('e-4', '8', 'Grace')]);
    const messages = await readMessages(kafkaBrokers(), n.topic, 4);
    const ada = messages.filter((m) => m.key === '7');
    expect(ada.map((m) => [m.headers.ce_id, JSON.parse(m.value) as unknown])).toEqual([
      ['e-1', { customerId: '7', name: 'Ada' }],
      ['e-2', { customerId: '7', name: 'Ada L.' }],
      ['e-3', { customerId: '7', name: 'Ada K.' }],
    ]);
    expect(messages.find((m) => m.key === '8')!.headers).toMatchObject({
      ce_id: 'e-4',
      ce_source: '/services/customers',
      ce_type: RENAMED,
      ce_correlationid: 'flow-e-4',
      ce_subject: '8',
    });
    // The commit position is still there, to trace an event to the transaction that wrote it.
    expect(ada[0]!.headers.ce_sourceposition).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  });
});

describe('outboxDraft', () => {
  const row = {
    id: 'e-1',
    aggregatetype: 'Customer',
    aggregateid: '7',
    type: RENAMED,
    payload: '{"customerId":"7","name":"Ada"}',
  };

  it('reads the id, type and payload, and source and headers when the table has them', () => {
    expect(outboxDraft(row)).toEqual({
      type: RENAMED,
      data: { customerId: '7', name: 'Ada' },
      envelope: { id: 'e-1' },
    });
    expect(
      outboxDraft({ ...row, source: '/svc', headers: '{"time":"2024-05-01T12:00:00Z"}' }).envelope,
    ).toEqual({ id: 'e-1', source: '/svc', time: '2024-05-01T12:00:00Z' });
  });

  it('names the column that is missing or wrong', () => {
    const { payload: _, ...noPayload } = row;
    expect(() => outboxDraft(noPayload)).toThrow(
      `the outbox table has no column "payload": it needs id, aggregatetype, aggregateid, type and payload (Debezium's outbox layout)`,
    );
    expect(() => outboxDraft({ ...row, payload: '{not json' })).toThrow(/payload/);
    expect(() => outboxDraft({ ...row, headers: '{"id":"x"}' })).toThrow(
      'column "headers" has "id"; it takes time, causationid, correlationid (id and source have their own columns)',
    );
  });

  it('maps inserts of its table only: updates and deletes give nothing', async () => {
    const mapper = outboxMapper();
    expect(mapper.tables).toEqual(['public.strangler_outbox']);
    const ctx = {} as never;
    expect(
      await mapper.mapChange(change.delete('public.strangler_outbox', { id: 'e-1' }), ctx),
    ).toEqual([]);
    expect(await mapper.mapChange(change.insert('public.strangler_outbox', row), ctx)).toHaveLength(
      1,
    );
  });
});
