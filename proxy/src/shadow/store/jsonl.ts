import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import type { MismatchStore, StoredMismatch } from './record.js';

/**
 * Appends mismatches to a JSON lines file, rotating it to `<file>.1` (then `.2`, ... up to
 * `keep`) when it would pass `maxBytes`, so the store never grows without bound. Writes are
 * serialised; a failed write rejects that append only.
 */
export class JsonlStore implements MismatchStore {
  private handle: FileHandle | undefined;
  private size = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {}

  get description(): string {
    return `jsonl:${this.file}`;
  }

  append(record: StoredMismatch): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    const run = this.chain.then(() => this.write(line));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line);
    if (!this.handle) {
      this.handle = await open(this.file, 'a', 0o640);
      this.size = (await stat(this.file)).size;
    }
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    await (this.handle as FileHandle).write(line);
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    for (let i = this.keep - 1; i >= 1; i--) {
      await rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch(() => undefined);
    }
    await rename(this.file, `${this.file}.1`);
    this.handle = await open(this.file, 'a', 0o640);
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** Reads a store file (torn or foreign lines are skipped and counted). */
export async function readStore(
  file: string,
): Promise<{ records: StoredMismatch[]; skipped: number }> {
  const text = await readFile(file, 'utf8');
  const records: StoredMismatch[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as StoredMismatch;
      if (parsed && typeof parsed.route === 'string' && parsed.request && parsed.replay)
        records.push(parsed);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
