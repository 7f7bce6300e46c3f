// The dashboard in a real headless Chromium (Debian's `chromium` package), against a running
// proxy: authenticate, watch the match rate update, read a mismatch diff, switch a route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SKIP_REASONS, startProxy, type StartedProxy } from '@strangler/proxy';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually, httpServer, tempDir } from './support.js';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../.cache/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('dashboard in headless Chromium', () => {
  let legacy: Awaited<ReturnType<typeof httpServer>>;
  let fresh: Awaited<ReturnType<typeof httpServer>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let proxy: StartedProxy;
  let browser: Browser;
  let page: Page;
  let file: string;
  const foreign: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
      );
    const json = (qty: number) => (req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, qty: req.url?.includes('odd') ? qty : 3 }));
    };
    legacy = await httpServer(json(3));
    fresh = await httpServer(json(4));
    dir = await tempDir();
    file = join(dir.dir, 'routes.yaml');
    await writeFile(
      file,
      `# dashboard test
upstreams:
  legacy: ${legacy.url}
  new: ${fresh.url}
shadow: { maxLoopUtilization: 1 }
routes:
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: shadow
`,
    );
    proxy = await startProxy({
      configFile: file,
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminHost: '127.0.0.1',
      adminToken: ADMIN_TOKEN,
      logger: pino({ level: 'silent' }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(proxy.adminUrl as string)) foreign.push(r.url());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await legacy?.close();
    await fresh?.close();
    await dir?.cleanup();
  });

  const row = () => page.locator('tr[data-route="availability"]');
  const traffic = async (n: number, sku = 'sku') => {
    for (let i = 0; i < n; i++)
      await fetch(`${proxy.url}/products/${sku}-${i}/availability`).then((r) => r.text());
  };

  it('loads without the token and shows nothing until one is pasted', async () => {
    const res = await page.goto(`${proxy.adminUrl}/dashboard`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('#status').textContent()).toContain('Not connected');
    expect(await page.locator('tbody tr').count()).toBe(0);
  });

  it('authenticates with the pasted token (kept in sessionStorage) and lists routes with their mode', async () => {
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#login button[type=submit]');
    await row().waitFor({ timeout: 15_000 });
    expect(await row().locator('.mode').textContent()).toBe('shadow');
    expect(await page.evaluate('sessionStorage.getItem("strangler-admin-token")')).toBe(
      ADMIN_TOKEN,
    );
  });

  it('shows the match rate update as traffic is compared', async () => {
    await traffic(5);
    await eventually(
      async () => expect(await row().locator('.compared').textContent()).toBe('5'),
      15_000,
    );
    expect(await row().locator('.match-rate').textContent()).toBe('100.00%');
    await traffic(5, 'odd');
    await eventually(
      async () => expect(await row().locator('.match-rate').textContent()).toBe('50.00%'),
      15_000,
    );
  });

  it('shows recent mismatch diffs of a selected route', async () => {
    await row().locator('td').first().click();
    await eventually(
      async () =>
        expect(
          await page
            .locator('#mismatches table.diff tbody tr')
            .first()
            .locator('td')
            .allTextContents(),
        ).toEqual(['/qty', '3', '4']),
      15_000,
    );
    expect(await page.locator('#mismatches .mismatch').count()).toBe(5);
  });

  it('groups mismatches by the fields that differ, with counts and first/last seen, naming legacy and new', async () => {
    const group = page.locator('#groups details.group');
    await eventually(async () => expect(await group.count()).toBe(1), 15_000);
    const summary = await group.locator('summary').textContent();
    expect(summary).toMatch(/^5× \/qty {2}first \S+, last \S+$/);
    await group.locator('summary').click();
    expect(await group.locator('table.diff th').allTextContents()).toEqual([
      'field',
      'legacy',
      'new',
    ]);
    expect(await group.locator('table.diff td.legacy').textContent()).toBe('3');
    expect(await group.locator('table.diff td.new').textContent()).toBe('4');
    // What the proxy README shows.
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
  });

  it('marks the current mode and does not offer to switch to it', async () => {
    const current = row().locator('button[aria-current="true"]');
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('data-mode')).toBe('shadow');
    expect(await current.isDisabled()).toBe(true);
  });

  it('labels stage and since-start figures apart, and fits an 800 px window without cutting anything off', async () => {
    expect(await page.locator('#routes thead tr').first().locator('th').allTextContents()).toEqual([
      'route',
      'mode',
      'this stage',
      'since start',
      'gates',
      'switch',
    ]);
    expect(await row().locator('.lifetime').first().textContent()).toBe('10 / 5');
    await page.setViewportSize({ width: 800, height: 900 });
    // The page itself never scrolls sideways; the table scrolls in its own box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    const newButton = row().locator('button[data-mode="new"]');
    await newButton.scrollIntoViewIfNeeded();
    const box = await newButton.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 800).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-800px.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('explains each skip reason shown: on hover and in the legend under the table', async () => {
    // A request accepting an event stream is never compared: skipped as `streaming`.
    await fetch(`${proxy.url}/products/stream-1/availability`, {
      headers: { accept: 'text/event-stream' },
    }).then((r) => r.text());
    const abbr = row().locator('.skipped abbr', { hasText: 'streaming 1' });
    await abbr.waitFor({ timeout: 15_000 });
    expect(await abbr.getAttribute('title')).toBe(SKIP_REASONS.streaming);
    const legend = page.locator('#skip-legend');
    expect(await legend.isVisible()).toBe(true);
    expect(await legend.locator('dt').allTextContents()).toEqual(['streaming']);
    expect(await legend.locator('dd').first().textContent()).toBe(SKIP_REASONS.streaming);
  });

  it('switches the route with a button: the mode changes and the file is written back', async () => {
    await page.fill('#reason', 'verified on the dashboard');
    await row().locator('button[data-mode="new"]').click();
    await eventually(
      async () => expect(await row().locator('.mode').textContent()).toBe('new'),
      15_000,
    );
    expect(await readFile(file, 'utf8')).toMatch(/^ {4}mode: new$/m);
    expect(await readFile(file, 'utf8')).toMatch(/^# dashboard test$/m);
    const audit = (await readFile(`${file}.audit.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.at(-1)).toMatchObject({
      target: 'availability',
      to: { mode: 'new' },
      source: 'dashboard',
      actor: 'dashboard',
      reason: 'verified on the dashboard',
    });
    expect(await page.locator('#action').textContent()).toBe('availability: shadow -> new');
  });

  it('loaded nothing from anywhere but the admin port', () => {
    expect(foreign).toEqual([]);
  });
});
