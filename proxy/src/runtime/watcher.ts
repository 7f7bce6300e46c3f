import { watch, watchFile as pollFile, unwatchFile, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatcher {
  close(): void;
}

const DEBOUNCE_MS = 50;
const POLL_MS = 500;

/**
 * Calls `onChange` (debounced) when the file may have changed. It watches the directory, not the
 * file: editors and atomic writers replace the file by renaming, and Kubernetes ConfigMaps swap a
 * symlinked directory, both of which a watch on the old inode would miss. A slow stat poll backs
 * the watch up on filesystems without inotify. Callers re-read and compare content, so spurious
 * calls are harmless.
 */
export function watchFile(file: string, onChange: () => void): FileWatcher {
  let timer: NodeJS.Timeout | undefined;
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, DEBOUNCE_MS);
    timer.unref();
  };
  const name = basename(file);
  let dirWatcher: FSWatcher | undefined;
  try {
    dirWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (!changed || changed === name || changed.startsWith('..')) trigger();
    });
    dirWatcher.on('error', () => undefined);
  } catch {
    dirWatcher = undefined;
  }
  const poll = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino)
      trigger();
  };
  pollFile(file, { interval: POLL_MS, persistent: false }, poll);
  return {
    close() {
      if (timer) clearTimeout(timer);
      dirWatcher?.close();
      unwatchFile(file, poll);
    },
  };
}
