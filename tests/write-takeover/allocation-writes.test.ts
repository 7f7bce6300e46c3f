import { allocationCatalog } from '@strangler/example-allocation/catalog';
import allocationMapper from '@strangler/example-allocation/mapper';
import { startAllocationService } from '@strangler/example-allocation/service';
import allocationWriteBack from '@strangler/example-allocation/write-back';
import {
  outboxMapper,
  startAdapter,
  startWriteBack,
  type RunningAdapter,
} from '@strangler/legacy-adapter';
import { startServer } from '@strangler/legacy-monolith';
import pg from 'pg';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import {
  eventually,
  kafkaBrokers,
  onCleanup,
  testDatabase,
  uniqueName,
} from '@strangler/tests/harness';

// The writes of the example once they move: the same requests to the legacy monolith and to the
// allocation service answer alike; the service's commands reach Kafka through its outbox and come
// back into a second legacy database through the write-back, whose screens then show what the
// monolith's own show, and whose capture publishes none of it (no echo).

const silent = pino({ level: 'silent' });
const SOURCE = '/services/allocation';
let legacy: { url: string; pool: pg.Pool };
let writtenBack: { url: string; pool: pg.Pool; capture: RunningAdapter; topic: string };
let service: { url: string; pool: pg.Pool };

beforeAll(async () => {
  const legacyDb = await testDatabase('takeover_legacy');
  const backDb = await testDatabase('takeover_back');
  const newDb = await testDatabase('takeover_new');
  const pools = [legacyDb, backDb, newDb].map((db) => new pg.Pool({ connectionString: db.url }));
  onCleanup(() => Promise.all(pools.map((p) => p.end())));
  const direct = await startServer({
    databaseUrl: legacyDb.url,
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  onCleanup(() => direct.close());
  const screens = await startServer({
    databaseUrl: backDb.url,
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  onCleanup(() => screens.close());
  const capturedTopic = uniqueName('back-captured');
  const capture = await startAdapter({
    databaseUrl: backDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic: capturedTopic,
    catalog: allocationCatalog,
    mapper: allocationMapper,
    slot: uniqueName('back'),
    publication: uniqueName('back'),
    alterReplicaIdentity: true,
    logger: silent,
  });
  onCleanup(() => capture.close());
  const running = await startAllocationService({
    databaseUrl: newDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic: uniqueName('legacy-events'),
    group: uniqueName('g'),
    port: 0,
    host: '127.0.0.1',
    logger: silent,
    source: SOURCE,
  });
  onCleanup(() => running.close());
  const serviceTopic = uniqueName('service-events');
  const outbox = await startAdapter({
    databaseUrl: newDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic: serviceTopic,
    catalog: allocationCatalog,
    mapper: outboxMapper(),
    slot: uniqueName('outbox'),
    publication: uniqueName('outbox'),
    logger: silent,
  });
  onCleanup(() => outbox.close());
  const writeBack = await startWriteBack({
    catalog: allocationCatalog,
    mapping: allocationWriteBack,
    topic: serviceTopic,
    databaseUrl: backDb.url,
    kafkaBrokers: kafkaBrokers(),
    sources: [SOURCE],
    groupId: uniqueName('wb'),
    logger: silent,
  });
  onCleanup(() => writeBack.close());
  legacy = { url: direct.url, pool: pools[0]! };
  writtenBack = { url: screens.url, pool: pools[1]!, capture, topic: capturedTopic };
  service = { url: running.url, pool: pools[2]! };
});

async function send(base: string, method: string, path: string, body: unknown, dryRun = false) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(dryRun ? { 'x-strangler-dry-run': '1' } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: withoutNoise(await res.json()) };
}

/** The fields both systems fill per request (the monolith's noise, copied by the service). */
function withoutNoise(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { generatedAt: _g, requestId: _r, ...rest } = body as Record<string, unknown>;
  return rest;
}

it('answers writes as legacy does, and legacy screens fed by the write-back show what legacy shows, without echo', async () => {
  const sku = uniqueName('CHAIR').toUpperCase();
  const other = uniqueName('LAMP').toUpperCase();
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/batches', { ref: `${sku}-wh`, sku, qty: 10 }],
    ['POST', '/batches', { ref: `${sku}-jun`, sku, qty: 20, eta: '2030-06-01' }],
    ['POST', '/batches', { ref: `${sku}-wh`, sku: other, qty: 5 }], // 409: references are global
    ['POST', '/batches', { ref: `${other}-1`, sku: other, qty: 3, eta: null }],
    ['POST', '/allocate', { orderid: 'o1', sku, qty: 4 }],
    ['POST', '/allocate', { orderid: 'o2', sku, qty: 6 }],
    ['POST', '/allocate', { orderid: 'o3', sku, qty: 15 }], // to the June batch
    ['POST', '/allocate', { orderid: 'o1', sku, qty: 9 }], // already allocated: same answer
    ['POST', '/allocate', { orderid: 'o4', sku: other, qty: 50 }], // 400 out of stock
    ['POST', '/allocate', { orderid: 'o5', sku: 'NO-SUCH-SKU', qty: 1 }], // 400 invalid sku
    ['PATCH', `/batches/${sku}-wh`, { qty: 5 }], // takes o2 back (most recent first)
    ['PATCH', '/batches/NO-SUCH-BATCH', { qty: 5 }], // 404
    ['POST', '/deallocate', { orderid: 'o3', sku }],
    ['POST', '/deallocate', { orderid: 'o3', sku }], // 400: not allocated any more
    ['POST', '/allocate', { orderid: 'o2', sku, qty: 1 }], // the line again, new quantity
    ['POST', '/allocate', { orderid: 'o6', sku: other, qty: 2 }],
  ];
  for (const [method, path, body] of writes) {
    // A dry run first: the same answer, and nothing kept.
    const dry = await send(service.url, method, path, body, true);
    const mine = await send(service.url, method, path, body);
    const theirs = await send(legacy.url, method, path, body);
    expect(mine, `${method} ${path} ${JSON.stringify(body)}`).toEqual(theirs);
    expect(dry).toEqual(mine);
  }

  const screensOf = async (base: string) => ({
    orders: await Promise.all(
      ['o1', 'o2', 'o3', 'o6'].map(async (o) => (await fetch(`${base}/allocations/${o}`)).json()),
    ),
    availability: await Promise.all(
      [sku, other].map(async (s) => {
        return withoutNoise(await (await fetch(`${base}/products/${s}/availability`)).json());
      }),
    ),
  });
  const expected = await screensOf(legacy.url);
  await eventually(async () => expect(await screensOf(writtenBack.url)).toEqual(expected));
  const versions = async (pool: pg.Pool) =>
    (
      await pool.query(
        'SELECT sku, version_number FROM products WHERE sku = ANY($1) ORDER BY sku',
        [[sku, other]],
      )
    ).rows;
  expect(await versions(writtenBack.pool)).toEqual(await versions(legacy.pool));
  const serviceVersions = (
    await service.pool.query('SELECT sku, version FROM product WHERE sku = ANY($1) ORDER BY sku', [
      [sku, other],
    ])
  ).rows.map((r: { sku: string; version: string }) => ({
    sku: r.sku,
    version_number: Number(r.version),
  }));
  expect(serviceVersions).toEqual(await versions(legacy.pool));
  // Everything the written-back database committed is published by its capture: none of it.
  const position = await writtenBack.capture.barrier();
  expect(
    Object.values(position.offsets)
      .map(Number)
      .reduce((a, b) => a + b, 0),
  ).toBe(0);
});
