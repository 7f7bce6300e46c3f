import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAuditEntry } from '../cli/format.js';
import { proxyFor } from '../testing/proxy.js';
import { admin, send, tempDir, writeConfig } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { AuditEntry, StartedProxy } from '../types.js';

const answer = (side: string) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 1, servedAt: side }));
};

describe('accepting an ignore rule', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let legacy: TestUpstream;
  let fresh: TestUpstream;
  let proxy: StartedProxy;
  let file: string;
  let text: string;

  beforeAll(async () => {
    dir = await tempDir();
    legacy = await startUpstream(answer('legacy'));
    fresh = await startUpstream(answer('new'));
    text = `# orders: compared before the switch
upstreams:
  legacy: ${legacy.url}
  new: ${fresh.url}
routes:
  - id: orders   # read path
    match: { path: /orders/:id, methods: [GET] }
    mode: shadow
`;
    file = await writeConfig(dir.file('routes.yaml'), text);
    proxy = await proxyFor({ file });
  });
  afterAll(async () => {
    await proxy.close();
    await legacy.close();
    await fresh.close();
    await dir.cleanup();
  });

  const accept = (body: Record<string, unknown>) =>
    admin(proxy.adminUrl as string, '/shadow/orders/ignore-rules', body);
  const compare = async () => {
    await send(`${proxy.url}/orders/1`);
    await proxy.shadow.idle();
    return proxy.shadow.report('orders')?.totals;
  };

  it('refuses a rule without an owner or a reason, a bad pointer and a past expiry, writing nothing', async () => {
    const noOwner = await accept({ rule: '/servedAt', reason: 'differs by design' });
    expect(noOwner.status).toBe(400);
    expect(noOwner.json()).toMatchObject({
      error: 'invalid_rule',
      issues: [{ route: 'orders', field: 'owner' }],
    });
    expect(noOwner.json<{ message: string }>().message).toBe(
      'the ignore rule for route "orders" is incomplete: owner: required: who answers for the rule (a person or team)',
    );
    const badPointer = await accept({ rule: 'servedAt', owner: 'ana', reason: 'r' });
    expect(badPointer.status).toBe(400);
    expect(badPointer.json<{ message: string }>().message).toContain('"servedAt"');
    const past = await accept({
      rule: '/servedAt',
      owner: 'ana',
      reason: 'r',
      expires: '2020-01-01',
    });
    expect(past.json()).toMatchObject({ error: 'invalid_rule', issues: [{ field: 'expires' }] });
    expect((await admin(proxy.adminUrl as string, '/shadow/nope/ignore-rules', {})).status).toBe(
      404,
    );
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('writes the rule into the file with its owner, reason and expiry, audits it, and applies it at once', async () => {
    expect(await compare()).toMatchObject({ compared: 1, mismatched: 1 });
    const res = await accept({
      rule: '/servedAt',
      owner: 'team-orders',
      reason: 'each side names itself',
      expires: '2099-12-31',
      actor: 'ana',
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({
      changed: true,
      route: 'orders',
      rule: { rule: '/servedAt', owner: 'team-orders', expires: '2099-12-31' },
    });
    expect(await readFile(file, 'utf8')).toBe(
      text.replace(
        '  - id: orders   # read path\n',
        '  - id: orders   # read path\n    shadow: { ignore: [{ rule: "/servedAt", owner: "team-orders", reason: "each side names itself", expires: "2099-12-31" }] }\n',
      ),
    );
    expect(await compare()).toMatchObject({ compared: 2, mismatched: 1, matched: 1 });
    expect(proxy.shadow.noise('orders')?.ignoreRules).toEqual([
      {
        rule: '/servedAt',
        owner: 'team-orders',
        reason: 'each side names itself',
        expires: '2099-12-31',
        expired: false,
      },
    ]);
    const audit = (await readFile(`${file}.audit.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'ignore_rule',
        target: 'orders',
        rule: expect.objectContaining({ rule: '/servedAt', owner: 'team-orders' }),
        actor: 'ana',
        source: 'admin-api',
        file,
      }),
    ]);
    expect(formatAuditEntry(audit[0] as AuditEntry)).toMatch(
      /ignore rule on orders: \/servedAt \(owner team-orders until 2099-12-31\) {2}by ana via admin-api: each side names itself$/,
    );
  });

  it('changes nothing when the rule is already in force', async () => {
    const before = await readFile(file, 'utf8');
    const again = await proxy.shadow.acceptIgnoreRule({
      route: 'orders',
      rule: '/servedAt',
      owner: 'someone else',
      reason: 'again',
    });
    expect(again.changed).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});

describe('accepting an ignore rule without a route file', () => {
  it('applies it to the running config and keeps the audit entry in memory', async () => {
    const legacy = await startUpstream(answer('legacy'));
    const fresh = await startUpstream(answer('new'));
    const proxy = await proxyFor({
      upstreams: { legacy: legacy.url, new: fresh.url },
      routes: [{ id: 'orders', match: { path: '/orders/:id' }, mode: 'shadow' }],
    });
    try {
      await proxy.shadow.acceptIgnoreRule({
        route: 'orders',
        rule: '/servedAt',
        owner: 'ana',
        reason: 'each side names itself',
      });
      await send(`${proxy.url}/orders/1`);
      await proxy.shadow.idle();
      expect(proxy.shadow.report('orders')?.totals).toMatchObject({ compared: 1, matched: 1 });
      const audit = (await admin(proxy.adminUrl as string, '/audit')).json<{
        entries: AuditEntry[];
      }>();
      expect(audit.entries.map((e) => e.kind)).toEqual(['ignore_rule']);
    } finally {
      await proxy.close();
      await legacy.close();
      await fresh.close();
    }
  });
});
