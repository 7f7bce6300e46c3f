import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@strangler/tests/harness';
import { afterEach, describe, expect, it } from 'vitest';
import { formatLine } from './log-format.js';
import { Supervised } from './supervised.js';

const dir = mkdtempSync(join(tmpdir(), 'supervised-'));
const script = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};
const running: Supervised[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop(2000);
});

function supervise(path: string) {
  const lines: string[] = [];
  const p = new Supervised({ name: 'child', script: path, args: [], env: {} }, 0, {
    line: (l) => lines.push(l),
    color: false,
  });
  running.push(p);
  p.start();
  return { p, lines };
}

const until = (check: () => boolean) =>
  eventually(() => {
    if (!check()) throw new Error('timed out');
  });

describe('Supervised', () => {
  it('restarts a process that crashes, and prefixes its output with its name', async () => {
    const { lines } = supervise(
      script('crash.mjs', "console.log('up'); setTimeout(() => process.exit(1), 50);"),
    );
    await until(() => lines.filter((l) => l.endsWith(' up')).length >= 2);
    expect(
      lines.some((l) => /child\s+\[strangler\] exited \(code 1\); restarting in 1s/.test(l)),
    ).toBe(true);
    expect(lines[0]).toMatch(/^child\s+up$/);
  });

  it('does not restart a process that reports bad configuration (exit code 2) or exits cleanly', async () => {
    const bad = supervise(
      script('config.mjs', "console.error('missing DATABASE_URL'); process.exit(2);"),
    );
    await until(() => bad.lines.some((l) => l.includes('not restarting')));
    const clean = supervise(script('clean.mjs', 'process.exit(0);'));
    await until(() => clean.lines.some((l) => l.includes('stopped (code 0)')));
    await new Promise((r) => setTimeout(r, 1500));
    expect(bad.lines.filter((l) => l.includes('missing DATABASE_URL'))).toHaveLength(1);
  });

  it('stops a process with SIGTERM and kills one that ignores it', async () => {
    const stubborn = supervise(
      script(
        'stubborn.mjs',
        "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);",
      ),
    );
    await until(() => stubborn.lines.some((l) => l.endsWith('ready')));
    await stubborn.p.stop(300);
    expect(stubborn.lines.some((l) => l.includes('did not stop within 0.3s: killing it'))).toBe(
      true,
    );
  });
});

describe('formatLine', () => {
  it('turns pino JSON into time, level, message and fields, and passes other lines through', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 30, 5),
      msg: 'slow',
      ms: 12,
      pid: 1,
    });
    expect(formatLine('proxy', 0, line, false)).toBe('proxy           12:30:05 WARN  slow ms=12');
    expect(formatLine('proxy', 0, 'plain text', false)).toBe('proxy           plain text');
  });
});
