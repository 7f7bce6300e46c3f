// What a client sees must not depend on the candidate: the same requests through a route in
// legacy mode and through shadow routes whose candidate is slow (4 s), down (connection refused)
// or babbling (random bytes, wrong content type) get identical answers, and each answer is sent
// before the candidate has answered. Timing itself is measured in bench/shadow, not here.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProxy, type StartedProxy } from '@strangler/proxy';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually, httpServer, tempDir } from './support.js';

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the client path with a bad candidate', () => {
  let proxy: StartedProxy;
  const closers: (() => Promise<void>)[] = [];
  const legacyHits: string[] = [];
  const candidateHits: string[] = [];

  beforeAll(async () => {
    const legacy = await httpServer((req, res) => {
      legacyHits.push(req.url ?? '');
      const body = JSON.stringify({ sku: req.url?.split('/')[2], qty: 7 });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-legacy': 'yes',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    const slow = await httpServer((req, res) => {
      setTimeout(() => {
        candidateHits.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sku: req.url?.split('/')[2], qty: 7 }));
      }, 4000);
    });
    const garbage = await httpServer((req, res) => {
      candidateHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/gif' });
      res.end(randomBytes(512));
    });
    closers.push(legacy.close, slow.close, garbage.close);
    const dir = await tempDir();
    closers.push(dir.cleanup);
    const file = join(dir.dir, 'routes.yaml');
    const route = (id: string, mode: string, candidate: string) => `  - id: ${id}
    match: { path: /${id}/:sku }
    mode: ${mode}
    upstreams: { legacy: legacy, new: ${candidate} }
    shadow: { timeout: 10s }
`;
    await writeFile(
      file,
      `upstreams:
  legacy: ${legacy.url}
  slow: ${slow.url}
  dead: http://127.0.0.1:${await refusedPort()}
  garbage: ${garbage.url}
servedByHeader: false
shadow: { maxLoopUtilization: 1 }
routes:
${route('plain', 'legacy', 'slow')}${route('slow', 'shadow', 'slow')}${route('dead', 'shadow', 'dead')}${route('garbage', 'shadow', 'garbage')}`,
    );
    proxy = await startProxy({
      configFile: file,
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminToken: ADMIN_TOKEN,
      logger: pino({ level: 'silent' }),
    });
    closers.push(() => proxy.close());
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  const answer = async (path: string) => {
    const res = await fetch(`${proxy.url}${path}`, {
      headers: { 'x-request-id': `id-${path.replace(/\//g, '-')}` },
    });
    const headers = Object.fromEntries(
      [...res.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id'),
    );
    return { status: res.status, headers, body: await res.text() };
  };

  it('gives identical answers in legacy mode and with a slow, dead or garbage candidate', async () => {
    const n = 5;
    for (let i = 0; i < n; i++) {
      const reference = await answer(`/plain/sku-${i}`);
      expect(reference).toMatchObject({
        status: 200,
        body: JSON.stringify({ sku: `sku-${i}`, qty: 7 }),
      });
      for (const route of ['slow', 'dead', 'garbage']) {
        const got = await answer(`/${route}/sku-${i}`);
        expect(got.status).toBe(reference.status);
        expect(got.body).toBe(JSON.stringify({ sku: `sku-${i}`, qty: 7 }));
        expect(got.headers).toEqual(reference.headers);
      }
    }
    // Each client request reached legacy exactly once (no retries, no extra calls on its path).
    expect(legacyHits.filter((u) => u.startsWith('/slow/'))).toHaveLength(n);
    // Every answer was sent while the slow candidate had not answered a single copy yet.
    expect(candidateHits.filter((u) => u.startsWith('/slow/'))).toHaveLength(0);

    await eventually(() => {
      expect(proxy.shadow.report('slow')?.totals).toMatchObject({ compared: n, matched: n });
      expect(proxy.shadow.report('dead')?.totals).toMatchObject({
        compared: 0,
        skipped: { candidate_error: n },
      });
      expect(proxy.shadow.report('garbage')?.totals).toMatchObject({ compared: n, mismatched: n });
    }, 15_000);
    expect(proxy.shadow.report('plain')?.totals).toMatchObject({ compared: 0, skipped: {} });
    expect(candidateHits.filter((u) => u.startsWith('/slow/'))).toHaveLength(n);
  });
});
