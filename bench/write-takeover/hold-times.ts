/**
 * What the write barrier costs clients: the demo stack (`npm start`: legacy monolith, legacy
 * adapter, new service, its outbox adapter, the write-back, the proxy; each its own process) on a
 * durable Postgres and embedded-kafka, with a steady open-loop stream of `POST /allocate` through
 * the proxy, while the write group `allocation-writes` is moved legacy -> new -> legacy ... through
 * the admin API. For each move: the writes in flight when the hold began, how long draining and
 * catching up took, how long new writes were held; and the latency of the writes that arrived
 * during a move against the steady ones. Every answer is counted by status.
 *
 *   npm run bench:write-takeover --workspace bench   [RATE=100 writes/s] [MOVES=10] [GAP_MS=2000]
 *                                                    [SKUS=20]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freeDemoPorts } from '@strangler/demo';
import { benchKafka, benchPostgres, percentile, ROOT } from '../lib-stack.js';

const RATE = Number(process.env.RATE ?? 100);
const MOVES = Number(process.env.MOVES ?? 10);
const GAP_MS = Number(process.env.GAP_MS ?? 2000);
const SKUS = Number(process.env.SKUS ?? 20);
const WARMUP_MS = 5000;
// Writes with nothing moving, right before the first move: the latency a move is compared with.
const BASELINE_MS = 5000;
const GROUP = 'allocation-writes';

interface Answer {
  start: number;
  ms: number;
  status: number;
}
interface Move {
  to: 'new' | 'legacy';
  start: number;
  end: number;
  status: number;
  barrier?: { inFlight: number; drainMs: number; catchUpMs: number; heldMs?: number };
  message?: string;
}

const postgres = await benchPostgres();
const kafka = await benchKafka(3);
const dataDir = mkdtempSync(join(tmpdir(), 'strangler-bench-writes-'));
chmodSync(dataDir, 0o755);
const ports = await freeDemoPorts();
const demo = spawn(
  process.execPath,
  [join(ROOT, 'examples/demo/bin/strangler-demo.js'), '--data-dir', dataDir, '--no-seed'],
  {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let output = '';
demo.stdout!.on('data', (d) => (output += d));

const proxy = `http://127.0.0.1:${ports.PROXY_PORT}`;
const adminUrl = `http://127.0.0.1:${ports.ADMIN_PORT}`;
const newService = `http://127.0.0.1:${ports.NEW_SERVICE_PORT}`;
const agent = new Agent({ connections: 64, pipelining: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string) {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

try {
  const deadline = Date.now() + 120_000;
  while (!output.includes('strangler demo is up')) {
    if (demo.exitCode !== null || Date.now() > deadline)
      throw new Error(`the demo stack did not come up:\n${output}`);
    await sleep(100);
  }
  const token = /Authorization: Bearer (\S+?)\)/.exec(output)?.[1] ?? '';
  const skus = Array.from({ length: SKUS }, (_, i) => `BENCH-${i}`);
  for (const sku of skus) {
    const res = await call('POST', `${proxy}/batches`, { ref: `${sku}-wh`, sku, qty: 10_000_000 });
    if (res.status !== 201) throw new Error(`setup: POST /batches answered ${res.status}`);
  }
  while ((await call('GET', `${newService}/products/${skus.at(-1)}/availability`)).status !== 200)
    await sleep(100);

  // Open loop: a write every 1/RATE s whatever the answers do, so a hold shows as waiting writes
  // rather than as fewer writes.
  const answers: Answer[] = [];
  let running = true;
  let seq = 0;
  const inFlight = new Set<Promise<void>>();
  const load = (async () => {
    const t0 = performance.now();
    while (running) {
      const due = t0 + (seq * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const start = performance.now();
      const sku = skus[seq++ % skus.length]!;
      const p = call('POST', `${proxy}/allocate`, { orderid: randomUUID(), sku, qty: 1 })
        .then(
          (r) => r.status,
          () => -1,
        )
        .then((status) => {
          answers.push({ start, ms: performance.now() - start, status });
          inFlight.delete(p);
        });
      inFlight.add(p);
    }
  })();

  await sleep(WARMUP_MS);
  const baselineStart = performance.now();
  await sleep(BASELINE_MS);
  const moves: Move[] = [];
  for (let i = 0; i < MOVES; i++) {
    const to = i % 2 === 0 ? 'new' : 'legacy';
    const start = performance.now();
    const res = await call(
      'POST',
      `${adminUrl}/groups/${GROUP}/switch`,
      { mode: to, reason: `bench move ${i + 1}`, actor: 'bench' },
      token,
    );
    const end = performance.now();
    moves.push({
      to,
      start,
      end,
      status: res.status,
      ...(res.body.barrier ? { barrier: res.body.barrier as Move['barrier'] } : {}),
      ...(res.status === 200 ? {} : { message: String(res.body.message) }),
    });
    await sleep(GAP_MS);
  }
  running = false;
  await load;
  await Promise.all(inFlight);

  // A write "arrived during a move" when it started between the switch call and its answer.
  const during = (a: Answer) => moves.some((m) => a.start >= m.start && a.start <= m.end);
  const firstMove = moves[0]?.start ?? Infinity;
  const baseline = answers.filter((a) => a.start >= baselineStart && a.start < firstMove);
  const measured = answers.filter((a) => a.start >= firstMove);
  const stats = (list: Answer[]) => {
    const ms = list.map((a) => a.ms).sort((a, b) => a - b);
    const f = (v: number) => v.toFixed(1);
    return `${list.length} writes, p50 ${f(percentile(ms, 50))} ms, p99 ${f(percentile(ms, 99))} ms, max ${f(ms.at(-1) ?? NaN)} ms`;
  };
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);

  console.log(
    `\nwrite group moves under ${RATE} writes/s (${SKUS} skus), ${MOVES} moves ${GAP_MS} ms apart; durable Postgres, embedded-kafka`,
  );
  console.log(
    'move  to      answer  in flight  drain ms  catch-up ms  held ms  switch call ms  slowest write ms',
  );
  moves.forEach((m, i) => {
    const b = m.barrier;
    console.log(
      [
        String(i + 1).padStart(4),
        m.to.padEnd(6),
        String(m.status).padStart(7),
        String(b?.inFlight ?? '-').padStart(10),
        String(b?.drainMs ?? '-').padStart(9),
        String(b?.catchUpMs ?? '-').padStart(12),
        String(b?.heldMs ?? '-').padStart(8),
        (m.end - m.start).toFixed(0).padStart(15),
        // Of the writes that arrived during the move or in the second after it.
        Math.max(
          0,
          ...answers.filter((a) => a.start >= m.start && a.start <= m.end + 1000).map((a) => a.ms),
        )
          .toFixed(0)
          .padStart(17),
        m.message ? `  ${m.message}` : '',
      ].join(' '),
    );
  });
  for (const to of ['new', 'legacy'] as const) {
    const held = moves
      .filter((m) => m.to === to && m.barrier?.heldMs !== undefined)
      .map((m) => m.barrier!.heldMs!)
      .sort((a, b) => a - b);
    if (held.length === 0) continue;
    console.log(
      `held moving to ${to}: min ${held[0]} ms, median ${percentile(held, 50)} ms, max ${held.at(-1)} ms`,
    );
  }
  console.log(`writes before any move:        ${stats(baseline)}`);
  console.log(`writes arriving during a move: ${stats(measured.filter(during))}`);
  console.log(`writes between moves:          ${stats(measured.filter((a) => !during(a)))}`);
  console.log(
    `answers by status: ${[...byStatus].map(([s, n]) => `${s === -1 ? 'no answer' : s}: ${n}`).join(', ')}`,
  );
  const failed = answers.filter((a) => a.status !== 201).length;
  const refused = moves.filter((m) => m.status !== 200).length;
  console.log(
    failed === 0 && refused === 0
      ? 'every write answered 201; every move done'
      : `${failed} writes not 201; ${refused} moves not done`,
  );
} finally {
  if (demo.exitCode === null) demo.kill('SIGTERM');
  await new Promise((r) => (demo.exitCode === null ? demo.on('exit', r) : r(null)));
  await agent.close();
  kafka.stop();
  await postgres.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
