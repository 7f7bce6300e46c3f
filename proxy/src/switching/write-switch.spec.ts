import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { send, tempDir, writeConfig } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';
import { WriteBarriers } from './write-barrier.js';

/** A side that takes writes slowly and records when each began and ended. */
function writer(name: string, delayMs: number) {
  const writes: Array<{ id: string; start: number; end: number }> = [];
  return {
    writes,
    handler: (
      req: Parameters<Parameters<typeof startUpstream>[0] & object>[0],
      res: Parameters<Parameters<typeof startUpstream>[0] & object>[1],
    ) => {
      const start = performance.now();
      setTimeout(() => {
        writes.push({ id: String(req.headers['x-write']), start, end: performance.now() });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ served: name }));
      }, delayMs);
    },
  };
}

/**
 * The two ends of a catch-up: POST /barrier answers where the side that wrote stands; GET
 * /applied answers 200 only `catchUpMs` after the barrier (the other side applying), or never.
 */
async function catchUpServer(catchUpMs: number | 'never') {
  let barrierAt = Infinity;
  const calls: string[] = [];
  const server = await startUpstream((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    if (req.method === 'POST') {
      barrierAt = performance.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ topic: 'legacy.events', offsets: { '0': '42', '1': '7' } }));
      return;
    }
    const ready = catchUpMs !== 'never' && performance.now() - barrierAt >= catchUpMs;
    res.writeHead(ready ? 200 : 409);
    res.end(ready ? '{"applied":true}' : '{"applied":false}');
  });
  return { server, calls };
}

const config = (legacy: string, fresh: string, catchUp: string, hold = '3s') => `upstreams:
  legacy: ${legacy}
  new: ${fresh}
groups:
  - id: order-writes
    mode: legacy
    writes:
      hold: ${hold}
      toNew: { barrier: ${catchUp}/barrier, applied: ${catchUp}/applied }
      toLegacy: { barrier: ${catchUp}/barrier, applied: ${catchUp}/applied }
routes:
  - id: place-order
    group: order-writes
    match: { path: /orders, methods: [POST] }
  - id: order
    group: order-writes
    match: { path: /orders/:id, methods: [GET] }
`;

describe('write group barrier', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setUp(catchUpMs: number | 'never', hold?: string) {
    const dir = await tempDir();
    const legacy = writer('legacy', 40);
    const fresh = writer('new', 5);
    const upstreams: TestUpstream[] = [
      await startUpstream(legacy.handler),
      await startUpstream(fresh.handler),
    ];
    const catchUp = await catchUpServer(catchUpMs);
    const file = await writeConfig(
      dir.file('routes.yaml'),
      config(upstreams[0]!.url, upstreams[1]!.url, catchUp.server.url, hold),
    );
    const proxy = await proxyFor({ file });
    cleanup.push(async () => {
      await proxy.close();
      for (const u of [...upstreams, catchUp.server]) await u.close();
      await dir.cleanup();
    });
    return { proxy, legacy, fresh, catchUp, file };
  }

  /** Writes from `n` clients in a loop until `stop()`; every answer is kept. */
  function load(proxy: StartedProxy, n = 8) {
    const agent = new Agent({ connections: 16 });
    const answers: Array<{ id: string; status: number; retryAfter?: unknown; error?: string }> = [];
    let running = true;
    let seq = 0;
    const clients = Array.from({ length: n }, async () => {
      while (running) {
        const id = `w-${seq++}`;
        const res = await send(`${proxy.url}/orders`, {
          method: 'POST',
          headers: { 'x-write': id },
          body: '{}',
          dispatcher: agent,
        });
        answers.push({
          id,
          status: res.status,
          ...(res.status === 503
            ? { retryAfter: res.headers['retry-after'], error: res.json<{ error: string }>().error }
            : {}),
        });
      }
    });
    return {
      answers,
      async stop() {
        running = false;
        await Promise.all(clients);
        await agent.close();
      },
    };
  }

  it('moves the writes to new with one writer at a time: writes held, in-flight ones finished, new caught up, no write lost or doubled', async () => {
    const { proxy, legacy, fresh, catchUp, file } = await setUp(150);
    const traffic = load(proxy);
    await new Promise((r) => setTimeout(r, 300));
    const result = await proxy.switchRoute({
      target: 'order-writes',
      mode: 'new',
      reason: 'writes move to the new service',
      actor: 'spec',
    });
    await new Promise((r) => setTimeout(r, 300));
    await traffic.stop();

    expect(traffic.answers.filter((a) => a.status !== 201)).toEqual([]);
    const legacyIds = legacy.writes.map((w) => w.id);
    const newIds = fresh.writes.map((w) => w.id);
    // Every acknowledged write reached exactly one side.
    expect(new Set([...legacyIds, ...newIds]).size).toBe(legacyIds.length + newIds.length);
    expect([...legacyIds, ...newIds].sort()).toEqual(traffic.answers.map((a) => a.id).sort());
    expect(newIds.length).toBeGreaterThan(0);
    // One writer at a time: every legacy write ended before the first write reached new.
    const lastLegacyEnd = Math.max(...legacy.writes.map((w) => w.end));
    const firstNewStart = Math.min(...fresh.writes.map((w) => w.start));
    expect(lastLegacyEnd).toBeLessThanOrEqual(firstNewStart);
    expect(result.barrier).toMatchObject({
      topic: 'legacy.events',
      offsets: { '0': '42', '1': '7' },
      inFlight: expect.any(Number),
    });
    expect(result.barrier!.catchUpMs).toBeGreaterThanOrEqual(140);
    expect(result.barrier!.heldMs).toBeGreaterThanOrEqual(result.barrier!.catchUpMs);
    expect(catchUp.calls).toContain('GET /applied?topic=legacy.events&offsets=0:42,1:7');
    const audit = readFileSync(`${file}.audit.jsonl`, 'utf8').trim().split('\n');
    expect(JSON.parse(audit.at(-1)!)).toMatchObject({
      target: 'order-writes',
      actor: 'spec',
      barrier: { topic: 'legacy.events', offsets: { '0': '42', '1': '7' } },
    });
  });

  it('calls the switch off when new does not catch up within the hold: writes go on to legacy, none fails', async () => {
    const { proxy, legacy, fresh, file } = await setUp('never', '400ms');
    const traffic = load(proxy, 4);
    await new Promise((r) => setTimeout(r, 100));
    await expect(
      proxy.switchRoute({ target: 'order-writes', mode: 'new', reason: 'too early' }),
    ).rejects.toMatchObject({
      code: 'switch_denied',
      message: expect.stringContaining('had not applied topic=legacy.events&offsets=0:42,1:7'),
    });
    await new Promise((r) => setTimeout(r, 100));
    await traffic.stop();
    expect(traffic.answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(fresh.writes).toEqual([]);
    expect(legacy.writes.length).toBe(traffic.answers.length);
    expect(readFileSync(file, 'utf8')).toContain('mode: legacy');
    expect((await proxy.checkSwitch({ target: 'order-writes', mode: 'legacy' })).changes).toBe(
      false,
    );
  });

  it('answers a write held past its bound with 503 and Retry-After while a slow move finishes, and still lets only one side write', async () => {
    const dir = await tempDir();
    const legacy = writer('legacy', 20);
    const fresh = writer('new', 5);
    const legacyUp = await startUpstream(legacy.handler);
    // The new side's readiness answers slowly: the move (which asks it) outlasts the hold.
    const freshUp = await startUpstream((req, res) => {
      if (req.url === '/status') {
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 900);
        return;
      }
      fresh.handler(req, res);
    });
    const catchUp = await catchUpServer(0);
    const text = config(legacyUp.url, freshUp.url, catchUp.server.url, '200ms').replace(
      `  new: ${freshUp.url}`,
      `  new: { url: ${freshUp.url}, readiness: { path: /status, timeout: 2s } }`,
    );
    const proxy = await proxyFor({ file: await writeConfig(dir.file('routes.yaml'), text) });
    cleanup.push(async () => {
      await proxy.close();
      for (const u of [legacyUp, freshUp, catchUp.server]) await u.close();
      await dir.cleanup();
    });
    const traffic = load(proxy, 4);
    await new Promise((r) => setTimeout(r, 100));
    await proxy.switchRoute({ target: 'order-writes', mode: 'new', reason: 'slow move' });
    await new Promise((r) => setTimeout(r, 100));
    await traffic.stop();
    const refused = traffic.answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatchObject({ retryAfter: '1', error: 'write_held' });
    expect(traffic.answers.filter((a) => a.status !== 201 && a.status !== 503)).toEqual([]);
    // A refused write reached neither side; every other one exactly one.
    const written = [...legacy.writes, ...fresh.writes].map((w) => w.id);
    for (const { id } of refused) expect(written).not.toContain(id);
    expect(written.length).toBe(traffic.answers.length - refused.length);
    const lastLegacyEnd = Math.max(...legacy.writes.map((w) => w.end));
    const firstNewStart = Math.min(...fresh.writes.map((w) => w.start));
    expect(lastLegacyEnd).toBeLessThanOrEqual(firstNewStart);
  });

  it('refuses canary for a write group, in a switch and in the file', async () => {
    const { proxy, file } = await setUp(0);
    await expect(
      proxy.switchRoute({ target: 'order-writes', mode: 'canary', percent: 10, reason: 'try' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('canary would give it two writers'),
    });
    const text = readFileSync(file, 'utf8');
    await writeFile(file, text.replace('mode: legacy', 'mode: canary\n    percent: 10'));
    const status = await proxy.reload();
    expect(status.ok).toBe(false);
    expect(status.lastError?.issues.map((i) => i.message)).toContain(
      'a write group cannot be in canary: its aggregate would have two writers; use legacy, shadow or new',
    );
  });

  it('moves the group behind the barrier when the file is edited, too', async () => {
    const { proxy, legacy, fresh, catchUp, file } = await setUp(100);
    const traffic = load(proxy, 4);
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(file, 'utf8');
    await writeFile(file, text.replace('mode: legacy', 'mode: new'));
    expect((await proxy.reload()).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await traffic.stop();
    expect(traffic.answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(catchUp.calls[0]).toBe('POST /barrier');
    const lastLegacyEnd = Math.max(...legacy.writes.map((w) => w.end));
    const firstNewStart = Math.min(...fresh.writes.map((w) => w.start));
    expect(lastLegacyEnd).toBeLessThanOrEqual(firstNewStart);
  });
});

describe('WriteBarriers', () => {
  it('counts writes in flight, holds new ones, and lets a held write give up after its bound', async () => {
    const b = new WriteBarriers();
    const leave = b.enter('g');
    expect(b.inFlight('g')).toBe(1);
    const hold = b.hold('g', 10_000);
    expect(b.holding('g')).toBe(true);
    expect(() => b.hold('g', 10)).toThrow('group "g" is already moving');
    const drained = b.drained('g', hold.deadline);
    leave();
    leave(); // twice is once
    await drained;
    expect(b.inFlight('g')).toBe(0);
    expect(await b.wait('g', 0)).toBe('timeout'); // after the 250 ms grace
    const waiting = b.wait('g', 10_000);
    hold.release();
    expect(await waiting).toBe('go');
    expect(b.holding('g')).toBe(false);
  });
});
