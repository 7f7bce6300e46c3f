/**
 * CPU time per process from /proc (Linux), so the pipeline bench can say where the cost of one
 * legacy transaction goes: each of our processes by pid, and Postgres split by database from
 * pg_stat_activity (its background processes apart).
 */
import { readdirSync, readFileSync } from 'node:fs';
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

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every process whose parent is `parent`. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => parentOf(pid) === parent);
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
  const postmaster = own ? parentOf(own.pid) : undefined;
  const byPid = new Map(rows.map((r) => [r.pid, r.datname]));
  const out = new Map<string, number>();
  if (postmaster === undefined) return out;
  const add = (key: string, seconds: number) => out.set(key, (out.get(key) ?? 0) + seconds);
  add('(background)', cpuSeconds(postmaster));
  for (const pid of childrenOf(postmaster)) add(byPid.get(pid) ?? '(background)', cpuSeconds(pid));
  return out;
}
