import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ProxyError } from '../errors.js';
import type { ModeState } from '../types.js';

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The file's YAML document and the map of one route or group in it, found by id. */
export function itemOf(text: string, kind: 'route' | 'group', id: string) {
  const doc = parseDocument(text, { uniqueKeys: true });
  const list = doc.get(kind === 'route' ? 'routes' : 'groups', true);
  const item = isSeq(list)
    ? list.items.find((node) => isMap(node) && node.get('id') === id)
    : undefined;
  if (!isMap(item)) throw new ProxyError('unknown_target', `no ${kind} "${id}" in the config file`);
  return { doc, item };
}

/**
 * Sets one key of one route or group by splicing the text: the existing value is replaced where
 * it stands, or a new `key: value` goes right after the item's `id`. Every other byte of the file
 * (comments, spacing, quoting, `${VAR}` references) stays exactly as the user wrote it, which
 * re-serialising the YAML would not guarantee.
 */
export function setKey(
  text: string,
  kind: 'route' | 'group',
  id: string,
  key: string,
  value: string,
): string {
  const { item } = itemOf(text, kind, id);
  const existing = item.get(key, true);
  if (isScalar(existing) && existing.range) {
    const [from, to] = existing.range;
    return text.slice(0, from) + value + text.slice(to);
  }
  const idPair = item.items.find((pair) => isScalar(pair.key) && pair.key.value === 'id');
  const idKey = idPair?.key;
  const idValue = idPair?.value;
  if (!isScalar(idKey) || !isScalar(idValue) || !idKey.range || !idValue.range) {
    throw new ProxyError(
      'write_back_failed',
      `cannot locate the id of ${kind} "${id}" in the file`,
    );
  }
  if (item.flow) {
    const at = idValue.range[1];
    return `${text.slice(0, at)}, ${key}: ${value}${text.slice(at)}`;
  }
  const indent = ' '.repeat(idKey.range[0] - lineStart(text, idKey.range[0]));
  const eol = text.indexOf('\n', idValue.range[1]);
  if (eol === -1) return `${text}\n${indent}${key}: ${value}\n`;
  return `${text.slice(0, eol + 1)}${indent}${key}: ${value}\n${text.slice(eol + 1)}`;
}

/**
 * Removes one key of one route or group by splicing the text: its whole line (with a comment on
 * it) in block style, the `key: value` and one comma in flow style. Nothing else moves.
 */
export function removeKey(text: string, kind: 'route' | 'group', id: string, key: string): string {
  const { item } = itemOf(text, kind, id);
  const pair = item.items.find((p) => isScalar(p.key) && p.key.value === key);
  const k = pair?.key;
  const v = pair?.value;
  if (!isScalar(k) || !k.range || !isScalar(v) || !v.range) return text;
  if (item.flow) {
    const after = /^\s*,\s*/.exec(text.slice(v.range[1]));
    if (after) return text.slice(0, k.range[0]) + text.slice(v.range[1] + after[0].length);
    const before = /,\s*$/.exec(text.slice(0, k.range[0]));
    const from = before ? k.range[0] - before[0].length : k.range[0];
    return text.slice(0, from) + text.slice(v.range[1]);
  }
  const eol = text.indexOf('\n', v.range[1]);
  return text.slice(0, lineStart(text, k.range[0])) + (eol === -1 ? '' : text.slice(eol + 1));
}

/**
 * Sets `mode` of one route or group in the YAML text, with `percent` in canary; leaving canary
 * removes `percent`, so the file never shows a percent that does nothing.
 */
export function editModeInText(
  text: string,
  kind: 'route' | 'group',
  id: string,
  to: ModeState,
): string {
  const out = setKey(text, kind, id, 'mode', to.mode);
  if (to.mode !== 'canary') return removeKey(out, kind, id, 'percent');
  return to.percent === undefined ? out : setKey(out, kind, id, 'percent', String(to.percent));
}

/**
 * Replaces a file atomically: the text goes to a temporary file in the same directory, is flushed
 * to disk, then renamed over the original (keeping its permissions), so a reader sees either the
 * old or the new file, never half of one. `beforeCommit` runs between the flush and the rename.
 */
export async function writeFileAtomic(
  file: string,
  text: string,
  beforeCommit?: () => Promise<void>,
): Promise<void> {
  const target = await realpath(file).catch(() => file);
  const mode = (await stat(target).catch(() => undefined))?.mode ?? 0o644;
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(tmp, 'wx', mode & 0o777);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeCommit?.();
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(target), 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close();
}
