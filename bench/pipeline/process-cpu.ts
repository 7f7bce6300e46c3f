/**
 * CPU time per process from /proc (Linux), so the pipeline bench can say where the cost of one
 * legacy transaction goes: each of our processes by pid, and Postgres split by database from
 * pg_stat_activity (its background processes apart).
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';

/** Clock ticks per second of utime/stime; 100 on every Linux we run on (`getconf CLK_TCK`). */
const TICKS = 100;

/** utime + stime of a process (all its threads), in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

// Asynchronous: the bench's own loop times the notifications, and reading every process of a busy
// machine in one go held it up long enough to show as a latency spike at each sample.
async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every process whose parent is `parent`. */
async function childrenOf(parent: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const out: number[] = [];
  for (const pid of pids) if ((await parentOf(pid)) === parent) out.push(pid);
  return out;
}

/**
 * Postgres CPU seconds so far by database name, plus `(background)` for the postmaster and its
 * processes serving no database (WAL writer, checkpointer, ...). A backend that ended between two
 * samples takes its CPU with it: the pools here keep theirs open.
 */
export async function postgresCpu(client: pg.Client): Promise<Map<string, number>> {
  const { rows } = await client.query<{ pid: number; datname: string | null }>(
    'SELECT pid, datname FROM pg_stat_activity',
  );
  const own = rows.find((r) => r.pid !== undefined);
  const postmaster = own ? await parentOf(own.pid) : undefined;
  const byPid = new Map(rows.map((r) => [r.pid, r.datname]));
  const out = new Map<string, number>();
  if (postmaster === undefined) return out;
  const add = (key: string, seconds: number) => out.set(key, (out.get(key) ?? 0) + seconds);
  add('(background)', cpuSeconds(postmaster));
  for (const pid of await childrenOf(postmaster))
    add(byPid.get(pid) ?? '(background)', cpuSeconds(pid));
  return out;
}
