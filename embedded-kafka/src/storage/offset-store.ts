import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../types.js';
import { writeFileAtomic } from './atomic-write.js';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

type Entry =
  | { g: string; t: string; p: number; o: number; m: string | null }
  | { g: string; deleted: true }
  | { topic: string; deleted: true };

interface Options {
  dataDir: string | undefined;
  fsyncEachWrite: boolean;
  logger: Logger;
}

/**
 * Committed consumer-group offsets. With a data directory every commit is appended as one JSON line
 * to offsets.jsonl before it is acknowledged; the file is compacted at startup.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, CommittedOffset>>();
  private fd: number | null = null;
  private dirty = false;

  constructor(private readonly options: Options) {}

  load(): void {
    const { dataDir } = this.options;
    if (!dataDir) return;
    const path = join(dataDir, 'offsets.jsonl');
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          this.apply(JSON.parse(line) as Entry);
        } catch {
          // Only the last line can be torn by a crash mid-write; anything earlier is real damage.
          const where = i >= lines.length - 2 ? 'a torn last line' : `line ${i + 1}`;
          this.options.logger.warn(`${path}: skipped ${where} that is not valid JSON`);
        }
      });
    }
    writeFileAtomic(path, this.snapshot());
    this.fd = openSync(path, 'a');
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(key(topic, partition));
  }

  /** Every committed offset of a group. */
  ofGroup(group: string): Array<{ topic: string; partition: number } & CommittedOffset> {
    const out: Array<{ topic: string; partition: number } & CommittedOffset> = [];
    for (const [k, v] of this.groups.get(group) ?? []) {
      const [topic, partition] = unkey(k);
      out.push({ topic, partition, ...v });
    }
    return out;
  }

  hasGroup(group: string): boolean {
    return (this.groups.get(group)?.size ?? 0) > 0;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  commit(
    group: string,
    topic: string,
    partition: number,
    offset: number,
    metadata: string | null,
  ): void {
    this.write({ g: group, t: topic, p: partition, o: offset, m: metadata });
  }

  deleteGroup(group: string): void {
    this.write({ g: group, deleted: true });
  }

  deleteTopic(topic: string): void {
    this.write({ topic, deleted: true });
  }

  sync(): void {
    if (this.fd !== null && this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }

  private write(entry: Entry): void {
    this.apply(entry);
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (this.options.fsyncEachWrite) fsyncSync(this.fd);
    else this.dirty = true;
  }

  private apply(entry: Entry): void {
    if ('topic' in entry) {
      for (const offsets of this.groups.values()) {
        for (const k of [...offsets.keys()]) if (unkey(k)[0] === entry.topic) offsets.delete(k);
      }
    } else if ('deleted' in entry) {
      this.groups.delete(entry.g);
    } else {
      let offsets = this.groups.get(entry.g);
      if (!offsets) this.groups.set(entry.g, (offsets = new Map()));
      offsets.set(key(entry.t, entry.p), { offset: entry.o, metadata: entry.m });
    }
  }

  private snapshot(): string {
    let out = '';
    for (const [g, offsets] of this.groups) {
      for (const [k, v] of offsets) {
        const [t, p] = unkey(k);
        out += `${JSON.stringify({ g, t, p, o: v.offset, m: v.metadata })}\n`;
      }
    }
    return out;
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const unkey = (k: string): [string, number] => {
  const at = k.lastIndexOf('\u0000');
  return [k.slice(0, at), Number(k.slice(at + 1))];
};
