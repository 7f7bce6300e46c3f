import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigObject } from '../../config/load.js';
import { silentLogger } from '../../testing/support.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import type { NoiseReport } from '../../types.js';
import { clock, type JobOutcome } from '../job.js';
import { ShadowThread } from './client.js';
import type { ShadowExchange } from './protocol.js';

const BODY = Buffer.from('{"qty":3}');

function exchange(route: string, body = BODY): ShadowExchange {
  return {
    route,
    servedBy: 'legacy',
    request: {
      method: 'GET',
      url: '/items/1',
      headers: { host: 'shop', accept: 'application/json' },
      requestId: 'req-1',
      bodyBytes: 0,
      bodyTruncated: false,
      bodyComplete: true,
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body,
      bodyBytes: body.length,
      bodyTruncated: false,
      durationMs: 1,
    },
  };
}

describe('ShadowThread', () => {
  const upstreams: TestUpstream[] = [];
  const threads: ShadowThread[] = [];
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.close()));
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
  });

  async function setup() {
    const candidate = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"qty":3}');
    });
    upstreams.push(candidate);
    const outcomes: Array<[string, JobOutcome]> = [];
    const lost: string[] = [];
    const noise = new Map<string, NoiseReport>();
    const thread = new ShadowThread(
      {
        outcome: (route, outcome) => outcomes.push([route, outcome]),
        lost: (_route, reason) => lost.push(reason),
        noise: (route, report) => noise.set(route, report),
        load: () => {},
      },
      silentLogger(),
    );
    threads.push(thread);
    const loaded = loadConfigObject({
      upstreams: { legacy: candidate.url, new: candidate.url },
      routes: [{ id: 'r', match: { path: '/**' }, mode: 'shadow' }],
    });
    thread.configure(loaded.config, loaded.version, false);
    await thread.ready();
    return { thread, outcomes, lost, noise, candidate };
  }

  it('compares exchanges in its own thread and leaves the caller its body buffers', async () => {
    const { thread, outcomes, candidate } = await setup();
    const body = Buffer.from('{"qty":3}');
    for (let i = 0; i < 5; i++) thread.post(exchange('r', body), clock());
    expect(thread.pending).toBe(5);
    await thread.idle();
    expect(outcomes.map(([route, o]) => [route, o.kind, o.kind === 'compared' && o.match])).toEqual(
      Array(5).fill(['r', 'compared', true]),
    );
    expect(candidate.seen).toHaveLength(5);
    expect(candidate.seen[0]?.headers['x-strangler-shadow']).toBe('1');
    // The thread got copies: what the proxy captured is still whole on its side.
    expect(body.toString()).toBe('{"qty":3}');
    expect(thread.pendingBytes).toBe(0);
  });

  it('counts what a dead thread had as shadow_error and starts a new one for the next exchange', async () => {
    const { thread, outcomes, lost, candidate } = await setup();
    // A candidate that never answers keeps the copy in the thread; then the thread dies, as an
    // out-of-memory thread would (terminated from outside).
    candidate.server.removeAllListeners('request');
    candidate.server.on('request', () => {});
    thread.post(exchange('r'), clock());
    await new Promise((r) => setTimeout(r, 100));
    await (thread as unknown as { worker: Worker }).worker.terminate();
    await thread.idle();
    expect(lost).toEqual(['shadow_error']);
    expect(thread.restarts).toBe(1);
    candidate.server.removeAllListeners('request');
    candidate.server.on('request', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"qty":3}'),
    );
    thread.post(exchange('r'), clock());
    await thread.idle();
    expect(outcomes.at(-1)?.[1]).toMatchObject({ kind: 'compared', match: true });
  });

  it('answers exchanges of a route it does not know, and those left at close, as dropped', async () => {
    const { thread, outcomes, lost } = await setup();
    thread.post(exchange('gone'), clock());
    await thread.idle();
    expect(outcomes).toEqual([['gone', { kind: 'skipped', reason: 'queue_full' }]]);
    thread.post(exchange('r'), clock());
    await thread.close();
    expect(thread.pending).toBe(0);
    expect(outcomes.length + lost.length).toBe(2);
  });
});
