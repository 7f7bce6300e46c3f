import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import { PublishPipeline, slices } from './pipeline.js';

const msg = (key: string): OutgoingMessage => ({ topic: 't', key, value: key, headers: {} });
const logger = pino({ level: 'silent' });

describe('PublishPipeline', () => {
  it('groups consecutive transactions into one request and confirms the last end LSN after it succeeds', async () => {
    const requests: string[][] = [];
    const confirmed: bigint[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = new PublishPipeline({
      publish: async (m) => {
        requests.push(m.map((x) => x.key));
        if (requests.length === 1) await gate;
      },
      confirm: (lsn) => confirmed.push(lsn),
      maxBatchMessages: 3,
      maxBatchBytes: 1_000_000,
      lingerMs: 0,
      logger,
    });
    p.enqueue({ messages: [msg('a')], endLsn: 10n });
    p.enqueue({ messages: [msg('b'), msg('c')], endLsn: 20n });
    p.enqueue({ messages: [], endLsn: 30n });
    p.enqueue({ messages: [msg('d'), msg('e')], endLsn: 40n });
    expect(confirmed).toEqual([]); // nothing is confirmed while the first request is in flight
    release();
    await p.whenIdle();
    // Enqueued in one turn, the first three transactions fit one request; the last does not.
    expect(requests).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(confirmed).toEqual([30n, 40n]);
  });

  it('lets the first transaction wait lingerMs for later ones, so they share one request', async () => {
    const requests: Array<{ keys: string[]; at: number }> = [];
    const p = new PublishPipeline({
      publish: async (m) =>
        void requests.push({ keys: m.map((x) => x.key), at: performance.now() }),
      confirm: () => {},
      maxBatchMessages: 100,
      maxBatchBytes: 1_000_000,
      lingerMs: 40,
      logger,
    });
    const start = performance.now();
    p.enqueue({ messages: [msg('a')], endLsn: 1n });
    await new Promise((r) => setTimeout(r, 10));
    p.enqueue({ messages: [msg('b')], endLsn: 2n });
    await p.whenIdle();
    expect(requests.map((r) => r.keys)).toEqual([['a', 'b']]);
    expect(p.requests).toBe(1);
    expect(requests[0]!.at - start).toBeGreaterThanOrEqual(38);
  });

  it('sends at once, without lingering, when the queue fills a request', async () => {
    const requests: string[][] = [];
    const p = new PublishPipeline({
      publish: async (m) => void requests.push(m.map((x) => x.key)),
      confirm: () => {},
      maxBatchMessages: 2,
      maxBatchBytes: 1_000_000,
      lingerMs: 60_000,
      logger,
    });
    p.enqueue({ messages: [msg('a')], endLsn: 1n });
    await new Promise((r) => setTimeout(r, 5));
    p.enqueue({ messages: [msg('b')], endLsn: 2n });
    // The waiting request is full: it goes without waiting out the minute; the last one lingers
    // until stop() ends the wait.
    p.enqueue({ messages: [msg('c')], endLsn: 3n });
    await new Promise((r) => setTimeout(r, 20));
    expect(requests).toEqual([['a', 'b']]);
    p.stop();
    await new Promise((r) => setTimeout(r, 5));
    expect(requests).toEqual([['a', 'b']]); // stopped: the lingering request is not sent
  });

  it('retries a failed request as it was and confirms nothing behind it until it succeeds', async () => {
    let failures = 2;
    const sent: string[][] = [];
    const confirmed: bigint[] = [];
    const p = new PublishPipeline({
      publish: async (m) => {
        if (failures-- > 0) throw new Error('broker down');
        sent.push(m.map((x) => x.key));
      },
      confirm: (lsn) => confirmed.push(lsn),
      maxBatchMessages: 100,
      maxBatchBytes: 1_000_000,
      lingerMs: 0,
      logger,
    });
    p.enqueue({ messages: [msg('a'), msg('b')], endLsn: 5n });
    await p.whenIdle();
    expect(sent).toEqual([['a', 'b']]);
    expect(confirmed).toEqual([5n]);
  });

  it('sends a transaction larger than one request in several, in order, retrying only the one that failed, and confirms it after the last', async () => {
    const sent: string[][] = [];
    const confirmed: bigint[] = [];
    let failures = 1;
    const p = new PublishPipeline({
      publish: async (m) => {
        if (sent.length === 1 && failures-- > 0) throw new Error('broker hiccup');
        expect(confirmed).toEqual([]);
        sent.push(m.map((x) => x.key));
      },
      confirm: (lsn) => confirmed.push(lsn),
      maxBatchMessages: 2,
      maxBatchBytes: 1_000_000,
      lingerMs: 0,
      logger,
    });
    p.enqueue({ messages: ['a', 'b', 'c', 'd', 'e'].map(msg), endLsn: 50n });
    await p.whenIdle();
    expect(sent).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(confirmed).toEqual([50n]);
  });

  it('cuts requests by estimated bytes, keys, values and headers included', () => {
    const big = (key: string): OutgoingMessage => ({
      topic: 't',
      key,
      value: 'v'.repeat(400),
      headers: { ce_type: 'allocated', ce_id: 'x'.repeat(36) },
    });
    const cut = slices(
      Array.from({ length: 10 }, (_, i) => big(`k${i}`)),
      100,
      1500,
    );
    expect(cut.map((r) => r.length)).toEqual([3, 3, 3, 1]);
    expect(cut.flat().map((m) => m.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    // A message larger than the limit still goes, alone: the broker judges it.
    expect(slices([big('a'), big('b')], 100, 10).map((r) => r.length)).toEqual([1, 1]);
  });
});
