import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { formatShadow } from '../cli/format-shadow.js';
import type { ShadowRouteReport } from '../types.js';
import { ShadowMetrics } from './metrics.js';
import { explainSkips, SKIP_REASONS } from './skip-reasons.js';

describe('skip reasons, explained wherever they are shown', () => {
  it('explains only the reasons given, in one fixed order', () => {
    expect(explainSkips(['timeout', 'busy', 'busy', 'nonsense'])).toEqual([
      `busy: ${SKIP_REASONS.busy}`,
      `timeout: ${SKIP_REASONS.timeout}`,
    ]);
  });

  it('names the setting to change where one decides', () => {
    expect(SKIP_REASONS.sampled_out).toContain('routes[].shadow.sample');
    expect(SKIP_REASONS.busy).toContain('shadow.maxLoopUtilization');
    expect(SKIP_REASONS.size).toContain('shadow.maxBodyBytes');
    expect(SKIP_REASONS.queue_full).toContain('shadow.queue');
    expect(SKIP_REASONS.timeout).toContain('shadow.timeout');
    expect(SKIP_REASONS.method).toContain('routes[].shadow.dryRun');
  });

  it('the CLI report adds a legend of the reasons its rows show', () => {
    const report = {
      route: 'orders',
      mode: 'shadow',
      window: {
        compared: 3,
        matchRate: 1,
        legacy: { p50Ms: 1, p99Ms: 2 },
        candidate: { p50Ms: 1, p99Ms: 2 },
      },
      totals: { compared: 3, mismatched: 0, matchRate: 1, skipped: { busy: 4, timeout: 1 } },
    } as unknown as ShadowRouteReport;
    const text = formatShadow([report]);
    expect(text).toContain('busy=4 timeout=1');
    expect(text).toContain(`SKIPPED, what it means:\n  busy: ${SKIP_REASONS.busy}\n  timeout: `);
    expect(text).not.toContain('sampled_out:');
    const none = { ...report, totals: { ...report.totals, skipped: {} } } as ShadowRouteReport;
    expect(formatShadow([none])).not.toContain('what it means');
  });

  it('the skipped metric help carries every explanation', async () => {
    const registry = new Registry();
    new ShadowMetrics(registry, () => 0);
    const text = await registry.metrics();
    const help = text
      .split('\n')
      .find((l) => l.startsWith('# HELP strangler_proxy_shadow_skipped_total'));
    for (const [reason, explanation] of Object.entries(SKIP_REASONS)) {
      expect(help).toContain(`${reason}: ${explanation}`);
    }
  });
});
