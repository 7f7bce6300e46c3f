import { describe, expect, it } from 'vitest';
import { loadConfigObject } from '../config/load.js';
import type { ProxyConfigInput } from '../types.js';
import { decide } from './decide.js';
import { signOverride } from './override.js';
import { matchPath } from './pattern.js';
import { compileTable } from './table.js';

const SECRET = 'override-secret-0123456789';
const upstreams = { legacy: 'http://127.0.0.1:1', new: 'http://127.0.0.1:2' };

function table(
  config: Omit<ProxyConfigInput, 'upstreams'> & { upstreams?: ProxyConfigInput['upstreams'] },
) {
  return compileTable(loadConfigObject({ upstreams, ...config }));
}

function route(
  t: ReturnType<typeof table>,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  override?: string,
) {
  return decide(t, { method, url, headers }, matchPath(url), override);
}

describe('decide', () => {
  const t = table({
    override: { secret: SECRET },
    routes: [
      {
        id: 'v2-availability',
        match: { path: '/products/:sku/availability', headers: { 'x-api-version': '2' } },
        mode: 'new',
      },
      {
        id: 'availability',
        match: { path: '/products/:sku/availability', methods: ['GET'] },
        mode: 'shadow',
      },
      { id: 'orders', match: { path: '/orders/**', methods: ['POST', 'PUT'] }, mode: 'new' },
      {
        id: 'beta',
        match: {
          path: '/beta/**',
          headers: { 'x-beta': { present: true }, 'user-agent': { regex: '^tester/' } },
        },
        mode: 'new',
      },
    ],
  });

  it('sends unmatched requests to legacy', () => {
    const d = route(t, 'GET', '/somewhere/else');
    expect(d).toMatchObject({ role: 'legacy', reason: 'unmatched', route: undefined });
    expect(d.target.upstream.name).toBe('legacy');
  });

  it('takes the first matching route in file order', () => {
    expect(route(t, 'GET', '/products/1/availability', { 'x-api-version': '2' }).route?.id).toBe(
      'v2-availability',
    );
    expect(route(t, 'GET', '/products/1/availability', { 'x-api-version': '1' }).route?.id).toBe(
      'availability',
    );
  });

  it('matches methods, and HEAD wherever GET goes', () => {
    expect(route(t, 'HEAD', '/products/1/availability').route?.id).toBe('availability');
    expect(route(t, 'DELETE', '/products/1/availability').route).toBeUndefined();
    expect(route(t, 'POST', '/orders/7/lines').role).toBe('new');
    expect(route(t, 'GET', '/orders/7/lines').reason).toBe('unmatched');
  });

  it('requires every header condition (present, regex) to hold', () => {
    expect(route(t, 'GET', '/beta/x', { 'x-beta': '1', 'user-agent': 'tester/1.0' }).role).toBe(
      'new',
    );
    expect(route(t, 'GET', '/beta/x', { 'user-agent': 'tester/1.0' }).route).toBeUndefined();
    expect(
      route(t, 'GET', '/beta/x', { 'x-beta': '1', 'user-agent': 'curl' }).route,
    ).toBeUndefined();
  });

  it('serves shadow routes from legacy until comparison arrives', () => {
    expect(route(t, 'GET', '/products/1/availability')).toMatchObject({
      role: 'legacy',
      reason: 'mode',
    });
  });

  it('lets a signed override force a side on a matched route', () => {
    const token = signOverride(SECRET, 'new', new Date(Date.now() + 60_000));
    const d = route(t, 'GET', '/products/1/availability', {}, token);
    expect(d).toMatchObject({ role: 'new', reason: 'override', override: { ok: true } });
    expect(d.target.upstream.name).toBe('new');
  });

  it('ignores an unsigned or wrongly signed override and reports why', () => {
    expect(route(t, 'GET', '/products/1/availability', {}, 'new')).toMatchObject({
      role: 'legacy',
      override: { ok: false, reason: 'unsigned' },
    });
    const forged = signOverride('not-the-secret-0123456789', 'new', new Date(Date.now() + 60_000));
    expect(route(t, 'GET', '/products/1/availability', {}, forged)).toMatchObject({
      role: 'legacy',
      override: { ok: false, reason: 'bad_signature' },
    });
  });
});

describe('canary', () => {
  const canary = (sticky: ProxyConfigInput['sticky'], percent = 50) =>
    table({
      sticky,
      routes: [{ id: 'c', match: { path: '/items/:sku' }, mode: 'canary', percent }],
    });

  it('assigns by a sticky header: the same key always lands on the same side', () => {
    const t = canary({ header: 'x-user-id' });
    const sides = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const first = route(t, 'GET', '/items/1', { 'x-user-id': `u${i}` }).role;
      expect(route(t, 'GET', '/items/2', { 'x-user-id': `u${i}` }).role).toBe(first);
      sides.add(first);
    }
    expect(sides).toEqual(new Set(['legacy', 'new']));
  });

  it('sends requests without a key to legacy', () => {
    expect(route(canary({ header: 'x-user-id' }), 'GET', '/items/1')).toMatchObject({
      role: 'legacy',
      reason: 'canary-no-key',
    });
  });

  it('reads the key from a query parameter or a path parameter', () => {
    const byQuery = canary({ query: 'user' });
    const byParam = canary({ param: 'sku' });
    for (let i = 0; i < 20; i++) {
      expect(route(byQuery, 'GET', `/items/9?user=u${i}`).role).toBe(
        route(byQuery, 'GET', `/items/8?x=1&user=u${i}`).role,
      );
      expect(route(byParam, 'GET', `/items/s${i}`).reason).toBe('canary');
    }
  });

  it('mints a sticky cookie for clients without one, and honours it afterwards', () => {
    const t = canary({ cookie: 'sid', assign: true });
    const first = route(t, 'GET', '/items/1');
    expect(first.setCookie).toMatch(/^sid=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const cookie = (first.setCookie as string).split(';')[0] as string;
    const again = route(t, 'GET', '/items/1', { cookie: `other=1; ${cookie}` });
    expect(again.setCookie).toBeUndefined();
    expect(again.role).toBe(first.role);
  });

  it('serves everyone from one side at 0% and 100% without needing a key', () => {
    expect(route(canary({ header: 'x-user-id' }, 0), 'GET', '/items/1').role).toBe('legacy');
    expect(route(canary({ header: 'x-user-id' }, 100), 'GET', '/items/1').role).toBe('new');
  });
});

describe('route groups', () => {
  const t = table({
    groups: [{ id: 'allocation-writes', mode: 'canary', percent: 50, sticky: { param: 'sku' } }],
    routes: [
      {
        id: 'allocate',
        group: 'allocation-writes',
        match: { path: '/products/:sku/allocate', methods: ['POST'] },
      },
      {
        id: 'deallocate',
        group: 'allocation-writes',
        match: { path: '/products/:sku/deallocate', methods: ['POST'] },
      },
    ],
  });

  it('gives every route of a group the group mode, and one aggregate one writer across the group', () => {
    expect(t.byId.get('allocate')?.mode).toBe('canary');
    for (let i = 0; i < 30; i++) {
      const a = route(t, 'POST', `/products/sku-${i}/allocate`).role;
      const d = route(t, 'POST', `/products/sku-${i}/deallocate`).role;
      expect(d).toBe(a);
    }
  });
});
