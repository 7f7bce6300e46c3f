import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import { PublishPipeline } from './pipeline.js';

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
      logger,
    });
    p.enqueue({ messages: [msg('a')], endLsn: 10n });
    p.enqueue({ messages: [msg('b'), msg('c')], endLsn: 20n });
    p.enqueue({ messages: [], endLsn: 30n });
    p.enqueue({ messages: [msg('d'), msg('e')], endLsn: 40n });
    expect(confirmed).toEqual([]); // nothing is confirmed while the first request is in flight
    release();
    await p.whenIdle();
    expect(requests).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
    expect(confirmed).toEqual([10n, 30n, 40n]);
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
      logger,
    });
    p.enqueue({ messages: [msg('a'), msg('b')], endLsn: 5n });
    await p.whenIdle();
    expect(sent).toEqual([['a', 'b']]);
    expect(confirmed).toEqual([5n]);
  });
});
