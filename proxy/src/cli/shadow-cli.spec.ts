import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStore } from '../shadow/store/jsonl.js';
import { buildProxy, runCli } from '../testing/cli.js';
import { proxyFor } from '../testing/proxy.js';
import { ADMIN_TOKEN, eventually, send, tempDir, writeConfig } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

async function cli(args: string[], env: Record<string, string> = {}) {
  const run = runCli(args, env);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const qtyAnswer =
  (qty: number, showDryRun = true) =>
  (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    const dryRun = showDryRun ? (req.headers['x-strangler-dry-run'] ?? null) : null;
    res.end(
      JSON.stringify({
        path: req.url,
        qty,
        generatedAt: new Date().toISOString(),
        got: body.toString(),
        dryRun,
      }),
    );
  };

describe('strangler-proxy shadow (store and replay)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let legacy: TestUpstream;
  let broken: TestUpstream;
  let fixed: TestUpstream;
  let proxy: StartedProxy;
  let store: string;

  beforeAll(async () => {
    buildProxy();
    dir = await tempDir();
    legacy = await startUpstream((req, res, body) => qtyAnswer(3)(req, res, body));
    broken = await startUpstream((req, res, body) => qtyAnswer(4)(req, res, body));
    // The fix: same answers as legacy; dry runs answer like the real write.
    fixed = await startUpstream((req, res, body) => qtyAnswer(3, false)(req, res, body));
    const file = await writeConfig(
      dir.file('routes.yaml'),
      `upstreams:
  legacy: ${legacy.url}
  new: ${broken.url}
shadow:
  maxLoopUtilization: 1
  store: { file: mismatches.jsonl }
routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: shadow
    shadow: { ignore: [/generatedAt] }
  - id: allocate
    match: { path: /allocate, methods: [POST] }
    mode: shadow
    shadow: { ignore: [/generatedAt, /dryRun], dryRun: true }
`,
    );
    store = dir.file('mismatches.jsonl');
    proxy = await proxyFor({ file });
    await send(`${proxy.url}/products/a/availability`, {
      headers: { authorization: 'Bearer user-secret' },
    });
    await send(`${proxy.url}/products/b/availability`);
    await send(`${proxy.url}/allocate`, {
      method: 'POST',
      body: '{"orderid":"o1"}',
      headers: { 'content-type': 'application/json' },
    });
    await eventually(async () =>
      expect((await readStore(store).catch(() => ({ records: [] }))).records).toHaveLength(3),
    );
  });
  afterAll(async () => {
    await proxy.close();
    for (const u of [legacy, broken, fixed]) await u.close();
    await dir.cleanup();
  });

  it('stores mismatches as JSON lines with the request (credentials redacted), both answers and the diff', async () => {
    const { records } = await readStore(store);
    const a = records.find((r) => r.request.url === '/products/a/availability');
    expect(a).toMatchObject({
      route: 'availability',
      diff: [{ pointer: '/qty', legacy: 3, candidate: 4 }],
      replay: {
        legacy: { status: 200, bodyEncoding: 'utf8' },
        settings: { ignore: ['/generatedAt'] },
      },
    });
    expect(a?.request.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(records)).not.toContain('user-secret');
    const write = records.find((r) => r.route === 'allocate');
    expect(write?.request).toMatchObject({
      method: 'POST',
      body: '{"orderid":"o1"}',
      bodyEncoding: 'utf8',
    });
  });

  it('replays against a fixed candidate and reports that every mismatch now matches (exit 0)', async () => {
    const seen = fixed.seen.length;
    const r = await cli([
      'shadow',
      'replay',
      '--store',
      store,
      '--candidate',
      fixed.url,
      '--header',
      'authorization: Bearer replay',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^MATCH {4}availability GET \/products\/a\/availability/m);
    expect(r.stdout).toMatch(/3 replayed against .*: 3 now match, 0 still differ, 0 failed/);
    expect(r.code).toBe(0);
    const sent = fixed.seen.slice(seen);
    expect(sent.find((s) => s.url === '/products/a/availability')?.headers.authorization).toBe(
      'Bearer replay',
    );
    const write = sent.find((s) => s.url === '/allocate');
    expect(write?.headers['x-strangler-dry-run']).toBe('1');
    expect(write?.body.toString()).toBe('{"orderid":"o1"}');
  });

  it('replays against the unfixed candidate, one route only, and shows what still differs (exit 1)', async () => {
    const r = await cli([
      'shadow',
      'replay',
      '--store',
      store,
      '--candidate',
      broken.url,
      '--route',
      'availability',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      matched: number;
      mismatched: number;
      results: { outcome: string; diff: unknown[] }[];
    };
    expect(out).toMatchObject({ matched: 0, mismatched: 2 });
    expect(out.results[0]?.diff).toEqual([
      { pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 },
    ]);
  });

  it('shows reports, mismatches and noise of a running proxy', async () => {
    const env = {
      STRANGLER_ADMIN_URL: proxy.adminUrl as string,
      STRANGLER_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const report = await cli(['shadow', 'report'], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^availability\s+shadow\s+0\.00%\s+2\/2\s+2/m);
    const mism = await cli(['shadow', 'mismatches', 'availability'], env);
    expect(mism.stdout).toContain('~ /qty: 3 -> 4');
    const noise = await cli(['shadow', 'noise', 'availability'], env);
    expect(noise.stdout).toMatch(/0 legacy pairs/);
    // The rules in force are listed too.
    expect(noise.stdout).toMatch(/^ignore rules:\n {2}\/generatedAt$/m);
  });

  it('exits 2 with usage when the store or candidate is missing', async () => {
    const r = await cli(['shadow', 'replay', '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: shadow replay --store FILE\|URL --candidate URL/);
  });
});
