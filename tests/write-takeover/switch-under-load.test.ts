import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { startProxy, type StartedProxy, type SwitchResult } from '@strangler/proxy';
import pg from 'pg';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import {
  eventually,
  kafkaBrokers,
  onCleanup,
  testDatabase,
  uniqueName,
} from '@strangler/tests/harness';

// The example's write group moved under load through the proxy, behind its barrier: legacy ->
// new (the legacy capture, then the service), back to legacy (the service's outbox, then the
// write-back) and forward again. No client request fails, and afterwards both systems agree on
// every batch, line and version.

const silent = pino({ level: 'silent' });
const SOURCE = '/services/allocation';

/** The adapter's barrier on a port of its own, as `--status-port` serves it. */
async function barrierPort(adapter: RunningAdapter): Promise<string> {
  const server: Server = createServer((req, res) => {
    adapter.barrier().then(
      (p) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(p)),
      (e: Error) => res.writeHead(503).end(JSON.stringify({ message: e.message })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it('moves the write group to new, back and forward again under load, without a failed request, and both systems agree', async () => {
  const legacyDb = await testDatabase('switch_legacy');
  const newDb = await testDatabase('switch_new');
  const legacyPool = new pg.Pool({ connectionString: legacyDb.url });
  const newPool = new pg.Pool({ connectionString: newDb.url });
  onCleanup(() => Promise.all([legacyPool.end(), newPool.end()]));
  const legacy = await startServer({
    databaseUrl: legacyDb.url,
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  onCleanup(() => legacy.close());
  const factsTopic = uniqueName('facts');
  const capture = await startAdapter({
    databaseUrl: legacyDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic: factsTopic,
    catalog: allocationCatalog,
    mapper: allocationMapper,
    slot: uniqueName('legacy'),
    publication: uniqueName('legacy'),
    alterReplicaIdentity: true,
    logger: silent,
  });
  onCleanup(() => capture.close());
  const service = await startAllocationService({
    databaseUrl: newDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic: factsTopic,
    group: uniqueName('g'),
    port: 0,
    host: '127.0.0.1',
    logger: silent,
    source: SOURCE,
  });
  onCleanup(() => service.close());
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
    databaseUrl: legacyDb.url,
    kafkaBrokers: kafkaBrokers(),
    sources: [SOURCE],
    groupId: uniqueName('wb'),
    statusPort: 0,
    logger: silent,
  });
  onCleanup(() => writeBack.close());
  // In shadow mode the writes are copied to the service as dry runs and compared.
  const group = (path: string, methods: string[], id: string) => ({
    id,
    group: 'allocation',
    match: { path, methods },
    shadow: { dryRun: true, ignore: ['/generatedAt', '/requestId'] },
  });
  const proxy: StartedProxy = await startProxy({
    config: {
      upstreams: { legacy: legacy.url, new: service.url },
      groups: [
        {
          id: 'allocation',
          mode: 'legacy',
          writes: {
            hold: '10s',
            toNew: {
              barrier: `${await barrierPort(capture)}/barrier`,
              applied: `${service.url}/applied`,
            },
            toLegacy: {
              barrier: `${await barrierPort(outbox)}/barrier`,
              applied: `${writeBack.statusUrl}/applied`,
            },
          },
        },
      ],
      routes: [
        group('/allocate', ['POST'], 'allocate'),
        group('/deallocate', ['POST'], 'deallocate'),
        group('/batches', ['POST'], 'batches'),
        {
          id: 'availability',
          match: { path: '/products/:sku/availability', methods: ['GET'] },
          mode: 'legacy',
          sticky: { header: 'x-user' },
          shadow: { ignore: ['/generatedAt', '/requestId'] },
        },
      ],
    },
    port: 0,
    host: '127.0.0.1',
    admin: false,
    logger: silent,
  });
  onCleanup(() => proxy.close());

  const skus = [0, 1, 2].map(() => uniqueName('SKU').toUpperCase());
  const request = async (method: string, path: string, body?: unknown, user = 'setup') => {
    const res = await fetch(`${proxy.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user': user },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const call = async (method: string, path: string, body?: unknown) =>
    (await request(method, path, body)).status;
  for (const [i, sku] of skus.entries()) {
    expect(await call('POST', '/batches', { ref: `${sku}-wh`, sku, qty: 400 })).toBe(201);
    expect(
      await call('POST', '/batches', {
        ref: `${sku}-s${i}`,
        sku,
        qty: 400,
        eta: '2031-01-0' + (i + 1),
      }),
    ).toBe(201);
  }
  // The service has the batches before anything moves (the barrier would wait for them anyway).
  await eventually(async () =>
    expect((await fetch(`${service.url}/products/${skus[2]}/availability`)).status).toBe(200),
  );

  // The reads first, compared in shadow mode while nothing writes: every answer matches. (Under
  // concurrent writes the service answers a few milliseconds behind legacy, and they differ.)
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const moveReads = async (mode: 'shadow' | 'canary' | 'new', percent?: number) => {
    await pause(mode === 'shadow' ? 0 : 500);
    await proxy.switchRoute({
      target: 'availability',
      mode,
      ...(percent === undefined ? {} : { percent }),
      reason: `reads: ${mode}`,
    });
  };
  await moveReads('shadow');
  for (let i = 0; i < 30; i++) {
    await request('GET', `/products/${skus[i % 3]}/availability?qty=${1 + i}`, undefined, `u-${i}`);
  }
  await eventually(() =>
    expect(proxy.shadow.report('availability')!.totals.compared).toBeGreaterThanOrEqual(30),
  );
  const reads = proxy.shadow.report('availability')!.totals;
  expect(reads).toMatchObject({ compared: 30, matched: 30, mismatched: 0 });

  // What every acknowledged write did, per order line: each client writes its own orders, one
  // request at a time, so the last acknowledged write of a line is its state in both systems.
  type Line = { orderid: string; sku: string; qty: number; batchref: string | null };
  const acknowledged = new Map<string, Line>();
  const statuses = new Map<number, number>();
  let running = true;
  const clients = Array.from({ length: 6 }, async (_, c) => {
    for (let n = 0; running; n++) {
      const sku = skus[n % 3]!;
      const orderid = `o-${c}-${n % 25}`;
      const key = `${orderid}|${sku}`;
      const line = acknowledged.get(key);
      const qty = 1 + (n % 3);
      let status: number;
      try {
        // A read of a sku as well, on its own route (moved apart from the writes).
        const read = await request('GET', `/products/${sku}/availability`, undefined, `u-${c}`);
        statuses.set(read.status, (statuses.get(read.status) ?? 0) + 1);
        const answer =
          n % 4 === 3
            ? await request('POST', '/deallocate', { orderid, sku })
            : await request('POST', '/allocate', { orderid, sku, qty });
        status = answer.status;
        if (status === 200 && line) acknowledged.set(key, { ...line, batchref: null });
        if (status === 201) {
          const batchref = String(answer.body.batchref);
          // An allocated line keeps its batch and quantity: the same answer again.
          if (line?.batchref) expect(batchref).toBe(line.batchref);
          else acknowledged.set(key, { orderid, sku, qty, batchref });
        }
      } catch (err) {
        if ((err as Error).name === 'AssertionError') throw err;
        status = 0;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  const switches: SwitchResult[] = [];
  const move = async (mode: 'new' | 'legacy' | 'shadow', reason: string) => {
    await pause(700);
    switches.push(await proxy.switchRoute({ target: 'allocation', mode, reason, actor: 'test' }));
  };
  // Then a sticky half of the reads on new, then all of them, while the writes go on.
  await moveReads('canary', 50);
  await moveReads('new');
  // Then the service's answers to the writes are compared, as dry runs, while legacy writes.
  await move('shadow', 'compare the write answers first');
  await move('new', 'writes move to the service');
  await move('legacy', 'rollback');
  await move('new', 'forward again');
  await pause(700);
  running = false;
  await Promise.all(clients);

  // Every answer is one the monolith gives too (201/200, or 400 for a line not allocated); none
  // failed (5xx, or no answer).
  expect([...statuses.keys()].filter((s) => ![200, 201, 400].includes(s))).toEqual([]);
  expect(switches.map((s) => [s.to.mode, s.changed])).toEqual([
    ['shadow', true],
    ['new', true],
    ['legacy', true],
    ['new', true],
  ]);
  // Shadowing writes to legacy's side is no switch of writer: no barrier until the move to new.
  expect(switches[0]!.barrier).toBeUndefined();
  const compared = proxy.shadow.report('allocate')!.totals;
  expect(compared.compared).toBeGreaterThan(0);
  console.log(
    'shadowed reads:',
    reads,
    'dry-run comparisons of /allocate:',
    compared,
    'write barrier:',
    switches.slice(1).map((s) => s.barrier),
    'answers:',
    Object.fromEntries(statuses),
  );

  // The last writes reached legacy through the write-back: both systems hold the same state.
  const byLine = (a: Line, b: Line) => {
    const [x, y] = [`${a.sku}|${a.orderid}`, `${b.sku}|${b.orderid}`];
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const legacyState = async () =>
    (
      await legacyPool.query(
        `SELECT ol.orderid, ol.sku, ol.qty, b.reference AS batchref FROM order_lines ol
         LEFT JOIN allocations a ON a.orderline_id = ol.id LEFT JOIN batches b ON b.id = a.batch_id
         WHERE ol.sku = ANY($1) ORDER BY ol.sku, ol.orderid`,
        [skus],
      )
    ).rows.sort(byLine);
  const newState = async () =>
    (
      await newPool.query(
        `SELECT orderid, sku, qty::int, batch_reference AS batchref FROM order_line
         WHERE sku = ANY($1) ORDER BY sku, orderid`,
        [skus],
      )
    ).rows.sort(byLine);
  await eventually(async () => expect(await legacyState()).toEqual(await newState()), 30_000);
  // Every write acknowledged to a client is in both, as the client was told.
  const expected = [...acknowledged.values()].sort(byLine);
  expect(await legacyState()).toEqual(expected);
  const versions = async (pool: pg.Pool, sql: string) => (await pool.query(sql, [skus])).rows;
  expect(
    await versions(
      legacyPool,
      'SELECT sku, version_number AS v FROM products WHERE sku = ANY($1) ORDER BY sku',
    ),
  ).toEqual(
    await versions(
      newPool,
      'SELECT sku, version::int AS v FROM product WHERE sku = ANY($1) ORDER BY sku',
    ),
  );
  expect((await legacyState()).length).toBeGreaterThan(10);
});
