import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EmbeddedKafkaError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Takes the data directory for this process. Two brokers appending to the same files would corrupt
 * both logs, so a second one is refused; a lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'broker.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8'));
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new EmbeddedKafkaError(
          'DATA_DIR',
          `data dir ${dir} is in use by another broker (pid ${owner})`,
        );
      }
      if (owner === process.pid) {
        throw new EmbeddedKafkaError(
          'DATA_DIR',
          `data dir ${dir} is already used by a broker in this process`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new EmbeddedKafkaError('DATA_DIR', `could not lock data dir ${dir}`);
}

/** The cluster id kept in the data directory, created on first use. */
export function readClusterId(dir: string): string {
  const path = join(dir, 'cluster.json');
  if (existsSync(path)) {
    const { clusterId } = JSON.parse(readFileSync(path, 'utf8')) as { clusterId?: unknown };
    if (typeof clusterId === 'string' && clusterId !== '') return clusterId;
  }
  const clusterId = randomBytes(16).toString('base64url');
  writeFileAtomic(path, JSON.stringify({ clusterId }));
  return clusterId;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
