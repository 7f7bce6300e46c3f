import { request } from 'node:http';
import { allocationCatalog } from '@strangler/example-allocation/catalog';
import allocationMapper from '@strangler/example-allocation/mapper';
import { startAllocationService } from '@strangler/example-allocation/service';
import { startAdapter, type RunningAdapter } from '@strangler/legacy-adapter';
import { startServer } from '@strangler/legacy-monolith';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { kafkaBrokers, onCleanup, testDatabase, uniqueName } from '@strangler/tests/harness';

// Legacy writes go through the real capture pipeline (legacy-adapter -> Kafka -> new service), then
// both systems get the same requests, including malformed ones, and must answer alike: status,
// header names, content type and body (noise fields aside), key order included.

const silent = pino({ level: 'silent' });
let legacyUrl: string;
let newUrl: string;

function raw(base: string, method: string, path: string, headers: Record<string, string> = {}) {
  const u = new URL(base);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const A = uniqueName('A').toUpperCase();
const U = uniqueName('U').toUpperCase();
beforeAll(async () => {
  const legacyDb = await testDatabase('parity_legacy');
  const newDb = await testDatabase('parity_new');
  const topic = uniqueName('parity-events');
  const legacy = await startServer({
    databaseUrl: legacyDb.url,
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  onCleanup(() => legacy.close());
  legacyUrl = legacy.url;
  const adapter: RunningAdapter = await startAdapter({
    databaseUrl: legacyDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic,
    catalog: allocationCatalog,
    mapper: allocationMapper,
    slot: uniqueName('parity'),
    publication: uniqueName('parity'),
    alterReplicaIdentity: true,
    logger: silent,
  });
  onCleanup(() => adapter.close());
  const post = async (p: string, b: unknown) => {
    const res = await fetch(`${legacyUrl}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(b),
    });
    expect(res.status, `${p} ${JSON.stringify(b)}: ${await res.text()}`).toBe(201);
  };
  await post('/batches', { ref: `${A}-wh`, sku: A, qty: 10 });
  await post('/batches', { ref: `${A}-jan`, sku: A, qty: 5, eta: '2031-01-10' });
  await post('/batches', { ref: `${A}-jun`, sku: A, qty: 20, eta: '2030-06-01' });
  await post('/allocate', { orderid: 'o1', sku: A, qty: 3 });
  for (const ref of ['B', 'a', '\uFF21', '\u{1F600}', 'z'])
    await post('/batches', { ref: `${U}${ref}`, sku: U, qty: 1 });
  await post('/batches', { ref: 'sp1', sku: 'HAS SPACE', qty: 1 });
  await post('/batches', { ref: 'sl1', sku: 'a/b', qty: 1 });

  const service = await startAllocationService({
    databaseUrl: newDb.url,
    kafkaBrokers: kafkaBrokers(),
    topic,
    group: uniqueName('parity'),
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  onCleanup(() => service.close());
  newUrl = service.url;
  // Caught up with what the adapter has published so far, and the adapter with every write.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await service.status();
    if (
      status.caughtUp &&
      adapter.status().events >= 15 &&
      status.consumers.every((c) => c.partitions.length > 0)
    ) {
      const answer = await fetch(`${newUrl}/products/a%2Fb/availability`);
      await answer.arrayBuffer();
      if (answer.status === 200) break;
    }
    if (Date.now() > deadline)
      throw new Error(`the new service did not catch up: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

const strip = (body: string) => {
  try {
    const j = JSON.parse(body);
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const keys = Object.keys(j);
      delete j.generatedAt;
      delete j.requestId;
      return { json: j, keys };
    }
    return { json: j };
  } catch {
    return { text: body };
  }
};

const P = `/products/${A}/availability`;
const cases: [string, string, Record<string, string>?][] = [
  ['GET', P],
  ['GET', `${P}?qty=8`],
  ['GET', `${P}?qty=21`],
  ['GET', `${P}?qty=0`],
  ['GET', `${P}?qty=-1`],
  ['GET', `${P}?qty=abc`],
  ['GET', `${P}?qty=1.5`],
  ['GET', `${P}?qty=`],
  ['GET', `${P}?qty`],
  ['GET', `${P}?qty=1&qty=2`],
  ['GET', `${P}?qty=2147483648`],
  ['GET', `${P}?qty=2147483647`],
  ['GET', `${P}?qty=007`],
  ['GET', `${P}?qty=%35`],
  ['GET', `${P}?qty=+5`],
  ['GET', `${P}?QTY=5`],
  ['GET', `${P}?qty[]=5`],
  ['GET', `${P}?foo=bar`],
  ['GET', `${P}?qty=5#x`],
  ['GET', `${P}?qty=%ZZ`],
  ['GET', `${P}?&&qty=3`],
  ['GET', `${P}?qty=3&`],
  ['GET', P.toUpperCase().replace(A, A)],
  ['GET', `/Products/${A}/Availability`],
  ['GET', `${P}/`],
  ['GET', `${P}//`],
  ['GET', '/products//availability'],
  ['GET', `${P}.json`],
  ['GET', `/products/%41${A.slice(1)}/availability`],
  ['GET', '/products/NOPE/availability'],
  ['GET', '/products/%E0%A4%A/availability'],
  ['GET', '/products/%01/availability'],
  ['GET', `/products/${'x'.repeat(256)}/availability`],
  ['GET', `/products/${'x'.repeat(255)}/availability`],
  ['GET', '/products/a%2Fb/availability'],
  ['GET', '/products/HAS%20SPACE/availability'],
  ['GET', '/products/HAS+SPACE/availability'],
  ['GET', `/products/${U}/availability`],
  ['GET', `/products/%C2%85/availability`],
  ['GET', '/products/%ED%A0%80/availability'],
  ['POST', P],
  ['PUT', P],
  ['DELETE', P],
  ['PATCH', P],
  ['OPTIONS', P],
  ['HEAD', P],
  ['HEAD', '/products/NOPE/availability'],
  ['GET', '/nope'],
  ['GET', '/'],
  ['GET', `/products/${A}`],
  ['GET', `//products/${A}/availability`],
  ['GET', `${P}?qty=5`, { 'x-request-id': 'abc-123' }],
  ['GET', `/nope?x=1`],
  ['GET', `/products/${A}/availability;x`],
];

it('answers every availability request like the legacy monolith, odd ones included', async () => {
  const diffs: unknown[] = [];
  for (const [method, path, headers] of cases) {
    const [l, n] = await Promise.all([
      raw(legacyUrl, method, path, headers),
      raw(newUrl, method, path, headers),
    ]);
    const names = (h: Record<string, unknown>) =>
      Object.keys(h)
        .filter((k) => !['date', 'connection', 'keep-alive'].includes(k))
        .sort()
        .join(',');
    const L = {
      hn: names(l.headers),
      status: l.status,
      ct: l.headers['content-type'],
      allow: l.headers['allow'],
      ...strip(l.body),
      rid: headers ? l.headers['x-request-id'] : typeof l.headers['x-request-id'],
      gen: typeof l.headers['x-generated-at'],
      cl: l.headers['content-length'] !== undefined,
    };
    const N = {
      hn: names(n.headers),
      status: n.status,
      ct: n.headers['content-type'],
      allow: n.headers['allow'],
      ...strip(n.body),
      rid: headers ? n.headers['x-request-id'] : typeof n.headers['x-request-id'],
      gen: typeof n.headers['x-generated-at'],
      cl: n.headers['content-length'] !== undefined,
    };
    try {
      expect(N).toEqual(L);
    } catch {
      diffs.push({ method, path, legacy: L, new: N });
    }
  }
  expect(diffs).toEqual([]);
});
