import { open, readFile } from 'node:fs/promises';
import type { AuditEntry } from '../types.js';

const MEMORY_LIMIT = 1000;

/**
 * Append-only record of switches, one JSON object per line. Without a file (a config given as an
 * object) it keeps the last entries in memory.
 */
export class AuditLog {
  private readonly memory: AuditEntry[] = [];

  constructor(readonly file: string | undefined) {}

  /** Appends and flushes one entry; rejects if it could not be written. */
  async append(entry: AuditEntry): Promise<void> {
    this.memory.push(entry);
    if (this.memory.length > MEMORY_LIMIT) this.memory.shift();
    if (!this.file) return;
    const handle = await open(this.file, 'a', 0o640);
    try {
      await handle.write(JSON.stringify(entry) + '\n');
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** The newest entries, oldest first. */
  async recent(limit = 100): Promise<AuditEntry[]> {
    if (!this.file) return this.memory.slice(-limit);
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const out: AuditEntry[] = [];
    for (const line of lines.slice(-limit)) {
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn last line (crash mid-write) is skipped rather than hiding every other entry.
      }
    }
    return out;
  }
}
