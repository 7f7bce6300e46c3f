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
  // What the new service's readiness endpoint says: the confirmation dialog shows it.
  let caughtUp = false;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
      );
    // Orders carry a nonce that differs on every answer, even legacy's: learned as noise.
    const json = (qty: number) => (req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const nonce = req.url?.startsWith('/orders') ? { nonce: Math.random() } : {};
      res.end(JSON.stringify({ path: req.url, qty: req.url?.includes('odd') ? qty : 3, ...nonce }));
    };
    legacy = await httpServer(json(3));
    const answer = json(4);
    fresh = await httpServer((req, res) => {
      if (req.url !== '/ready') return answer(req, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ caughtUp }));
    });
    dir = await tempDir();
    file = join(dir.dir, 'routes.yaml');
    await writeFile(
      file,
      `# dashboard test
upstreams:
  legacy: ${legacy.url}
  new: { url: ${fresh.url}, readiness: { path: /ready, require: /caughtUp } }
shadow: { maxLoopUtilization: 1 }
routes:
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: shadow
  - id: orders
    match: { path: /orders/:id, methods: [GET] }
    mode: shadow
    shadow: { learnNoise: { sample: 1 } }
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
    expect(await page.locator('#fleet').textContent()).toBe(
      'One proxy with its own route file (no control plane).',
    );
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
    const summary = await group.locator('summary').first().textContent();
    expect(summary).toMatch(/^5× \/qty {2}first \S+, last \S+$/);
    await group.locator('summary').first().click();
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

  it('shows both bodies of a mismatch side by side, legacy then new, and keeps them open across refreshes', async () => {
    const view = page.locator('#mismatches .mismatch').first().locator('details.bodies');
    await view.locator('summary').click();
    expect(await view.locator('h4').allTextContents()).toEqual(['legacy (200)', 'new (200)']);
    const [legacyBody, newBody] = await view.locator('pre').allTextContents();
    expect(JSON.parse(legacyBody as string)).toMatchObject({ qty: 3 });
    expect(JSON.parse(newBody as string)).toMatchObject({ qty: 4 });
    expect(legacyBody).toContain('\n  "qty": 3');
    // The page redraws every 2 s; what was opened stays open.
    const updated = await page.locator('#status').textContent();
    await eventually(
      async () => expect(await page.locator('#status').textContent()).not.toBe(updated),
      15_000,
    );
    expect(
      await page
        .locator('#mismatches .mismatch')
        .first()
        .locator('details.bodies')
        .getAttribute('open'),
    ).toBe('');
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

  it('draws the match rate and both sides p50/p99 over time as charts', async () => {
    const charts = page.locator('#charts figure');
    await eventually(async () => expect(await charts.count()).toBe(2), 15_000);
    expect(await charts.locator('figcaption').allTextContents()).toEqual([
      'Match rate per 10 s',
      'Latency per 10 s: legacy and new, p50 and p99',
    ]);
    // Each series is drawn (a line, or a dot while there is one interval).
    expect(await charts.nth(0).locator('.line.rate').count()).toBeGreaterThan(0);
    for (const side of ['legacy', 'new'])
      for (const p of ['p50', 'p99'])
        expect(await charts.nth(1).locator(`.line.${side}.${p}`).count()).toBeGreaterThan(0);
    expect(await charts.nth(1).locator('.legend .key').allTextContents()).toEqual([
      'legacy p50',
      'legacy p99',
      'new p50',
      'new p99',
    ]);
  });

  it('asks before switching and shows the readiness answer: a refused switch cannot be confirmed', async () => {
    caughtUp = false;
    await row().locator('button[data-mode="new"]').click();
    const dialog = page.locator('dialog#confirm');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#confirm-title').textContent()).toBe(
      'Switch availability from shadow to new?',
    );
    const readiness = await page.locator('#confirm-readiness').textContent();
    expect(readiness).toContain('Readiness: refused now');
    expect(readiness).toContain('/caughtUp is false, not true');
    expect(await page.locator('#confirm-figures').textContent()).toMatch(
      /\d+ compared, match rate 50\.00%/,
    );
    expect(await page.locator('#confirm-ok').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-confirm.png') });
    await page.locator('#confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await row().locator('.mode').textContent()).toBe('shadow');
    expect(existsSync(`${file}.audit.jsonl`)).toBe(false);
  });

  it('switches the route once confirmed: the mode changes and the file is written back', async () => {
    caughtUp = true;
    await page.fill('#reason', 'verified on the dashboard');
    await row().locator('button[data-mode="new"]').click();
    await page.locator('dialog#confirm').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#confirm-readiness').textContent()).toContain('allowed now');
    expect(await page.locator('#confirm-reason').textContent()).toBe(
      'Reason for the audit log: verified on the dashboard',
    );
    await page.locator('#confirm-ok').click();
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
    // The charts mark the switch where the stage changed.
    await eventually(
      async () =>
        expect(await page.locator('#charts .switch-label').first().textContent()).toBe('→ new'),
      15_000,
    );
  });

  it('accepts a suggested ignore rule with an owner and a reason: written back, audited, no longer suggested', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${proxy.url}/orders/${i}`).then((r) => r.text());
    await page.locator('tr[data-route="orders"] td').first().click();
    const suggestion = page.locator('#noise ul.suggestions li[data-rule="/nonce"]');
    await suggestion.waitFor({ timeout: 15_000 });
    // Without an owner the proxy refuses, and the dashboard says why.
    await suggestion.locator('button.accept').click();
    await eventually(
      async () => expect(await page.locator('#action').textContent()).toContain('owner'),
      15_000,
    );
    expect(await page.locator('#action').getAttribute('class')).toBe('bad');
    await page.fill('#rule-owner', 'team-orders');
    await page.fill('#rule-reason', 'a nonce differs on every answer');
    await page.fill('#rule-expires', '2099-12-31');
    await suggestion.locator('button.accept').click();
    await eventually(
      async () =>
        expect(await page.locator('#action').textContent()).toBe(
          'orders: ignore rule /nonce accepted (owner team-orders)',
        ),
      15_000,
    );
    expect(await readFile(file, 'utf8')).toContain(
      'shadow: { learnNoise: { sample: 1 }, ignore: [{ rule: "/nonce", owner: "team-orders", reason: "a nonce differs on every answer", expires: "2099-12-31" }] }',
    );
    const audit = (await readFile(`${file}.audit.jsonl`, 'utf8')).trim().split('\n');
    expect(JSON.parse(audit.at(-1) as string)).toMatchObject({
      kind: 'ignore_rule',
      target: 'orders',
      actor: 'dashboard',
      source: 'dashboard',
      rule: { rule: '/nonce', owner: 'team-orders', expires: '2099-12-31' },
    });
    await eventually(async () => expect(await suggestion.count()).toBe(0), 15_000);
    // Listed with the route's rules in force instead, with who answers for it.
    expect(await page.locator('#noise ul.rules li[data-rule="/nonce"]').textContent()).toBe(
      '/nonce owner team-orders: a nonce differs on every answer (until 2099-12-31)',
    );
    expect(await page.locator('#noise').textContent()).toContain(
      'every field seen varying by itself is already ignored',
    );
  });

  it('loaded nothing from anywhere but the admin port', () => {
    expect(foreign).toEqual([]);
  });
});
