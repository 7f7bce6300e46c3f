const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name', 'v']);
const COLORS = [36, 35, 33, 32, 34, 31];

/**
 * One line of a child's output, readable: pino JSON becomes `time name LEVEL message k=v`, anything
 * else is passed through behind the process name.
 */
export function formatLine(name: string, index: number, line: string, color: boolean): string {
  const label = color
    ? `\u001b[${COLORS[index % COLORS.length]}m${name.padEnd(15)}\u001b[0m`
    : name.padEnd(15);
  if (!line.startsWith('{')) return `${label} ${line}`;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${label} ${line}`;
  }
  const time =
    typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const level = LEVELS[entry.level as number] ?? String(entry.level ?? '');
  const fields = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${label} ${time} ${level.padEnd(5)} ${String(entry.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}
