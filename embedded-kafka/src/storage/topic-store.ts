import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../types.js';
import { writeFileAtomic } from './atomic-write.js';
import { LogFile } from './log-file.js';
import { PartitionLog } from './partition-log.js';

export interface Topic {
  name: string;
  partitions: PartitionLog[];
  configs: Record<string, string | null>;
}

interface Options {
  dataDir: string | undefined;
  fsyncEachWrite: boolean;
  logger: Logger;
}

/** All topics and their partition logs; persists the topic list and one log file per partition. */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private readonly files = new Map<string, LogFile>();

  constructor(private readonly options: Options) {}

  /** Reads topics and logs back from the data directory. */
  load(): void {
    const { dataDir } = this.options;
    if (!dataDir) return;
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const listPath = join(dataDir, 'topics.json');
    if (!existsSync(listPath)) return;
    const list = JSON.parse(readFileSync(listPath, 'utf8')) as Record<
      string,
      { partitions: number; configs?: Record<string, string | null> }
    >;
    for (const [name, meta] of Object.entries(list)) {
      const topic = this.open(name, meta.partitions, meta.configs ?? {});
      const records = topic.partitions.reduce((n, p) => n + p.nextOffset - p.logStartOffset, 0);
      this.options.logger.debug(
        `restored topic ${name}: ${meta.partitions} partitions, ${records} records`,
      );
    }
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[partition];
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  create(name: string, partitions: number, configs: Record<string, string | null> = {}): Topic {
    const topic = this.open(name, partitions, configs);
    this.persistList();
    this.options.logger.info(`created topic ${name} with ${partitions} partition(s)`);
    return topic;
  }

  delete(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.topics.delete(name);
    for (const p of topic.partitions) {
      const key = `${name}/${p.partition}`;
      this.files.get(key)?.close();
      this.files.delete(key);
    }
    this.persistList();
    if (this.options.dataDir) rmSync(this.topicDir(name), { recursive: true, force: true });
    this.options.logger.info(`deleted topic ${name}`);
  }

  /** fsync every log with unsynced appends. */
  sync(): void {
    for (const file of this.files.values()) file.sync();
  }

  close(): void {
    for (const file of this.files.values()) file.close();
    this.files.clear();
  }

  private open(name: string, count: number, configs: Record<string, string | null>): Topic {
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < count; p++) partitions.push(this.openPartition(name, p));
    const topic = { name, partitions, configs };
    this.topics.set(name, topic);
    return topic;
  }

  private openPartition(topic: string, partition: number): PartitionLog {
    if (!this.options.dataDir) return new PartitionLog(topic, partition);
    mkdirSync(this.topicDir(topic), { recursive: true });
    const path = join(this.topicDir(topic), `${partition}.log`);
    const loaded = LogFile.open(path, this.options.fsyncEachWrite);
    if (loaded.truncatedBytes > 0) {
      this.options.logger.warn(
        `${path}: dropped ${loaded.truncatedBytes} bytes of a torn or corrupt write at the end of the log`,
      );
    }
    this.files.set(`${topic}/${partition}`, loaded.file);
    const log = new PartitionLog(topic, partition, loaded.file);
    for (const { buf, header } of loaded.batches) log.restore(buf, header);
    return log;
  }

  private topicDir(name: string): string {
    return join(this.options.dataDir!, 'logs', name);
  }

  private persistList(): void {
    if (!this.options.dataDir) return;
    const list: Record<string, { partitions: number; configs: Record<string, string | null> }> = {};
    for (const t of this.topics.values())
      list[t.name] = { partitions: t.partitions.length, configs: t.configs };
    writeFileAtomic(join(this.options.dataDir, 'topics.json'), JSON.stringify(list, null, 2));
  }
}
