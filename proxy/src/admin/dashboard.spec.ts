import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { send } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

describe('dashboard files on the admin port', () => {
  let upstream: TestUpstream;
  let proxy: StartedProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await proxyFor({ upstreams: { legacy: upstream.url, new: upstream.url } });
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('serves the page, its script and stylesheet without the token, with a strict CSP and nothing from elsewhere', async () => {
    const page = await send(`${proxy.adminUrl}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(
      /default-src 'none'; script-src 'self'/,
    );
    expect(page.text).toContain('<script src="/dashboard/app.js"');
    expect(page.text).not.toMatch(/https?:\/\//);
    const script = await send(`${proxy.adminUrl}/dashboard/app.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain('sessionStorage');
    expect(script.text).not.toContain('innerHTML');
    expect((await send(`${proxy.adminUrl}/dashboard/style.css`)).status).toBe(200);
  });

  it('keeps the data behind the token', async () => {
    expect((await send(`${proxy.adminUrl}/shadow`)).status).toBe(401);
    expect((await send(`${proxy.adminUrl}/routes`)).status).toBe(401);
    expect((await send(`${proxy.adminUrl}/gates`)).status).toBe(401);
  });
});
