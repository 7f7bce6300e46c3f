import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { ProxyError } from '../errors.js';
import type { IgnoreRule } from '../types.js';
import { itemOf, lineStart, setKey } from './write-back.js';

/** The rule as one YAML flow map; JSON strings are valid YAML, so nothing needs escaping rules. */
function flow(rule: IgnoreRule): string {
  const parts = Object.entries(rule).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}

const routeItem = (text: string, id: string) => itemOf(text, 'route', id);

/**
 * Inserts `insert` as a new line after the line holding `at`, or at `at` itself when that already
 * starts a line (a block map item's range ends after its newline).
 */
function afterLine(text: string, at: number, insert: string): string {
  if (at > 0 && text[at - 1] === '\n') return `${text.slice(0, at)}${insert}${text.slice(at)}`;
  const eol = text.indexOf('\n', at);
  return eol === -1
    ? `${text}\n${insert}`
    : `${text.slice(0, eol + 1)}${insert}${text.slice(eol + 1)}`;
}

/** The splice for the usual layouts, or undefined for one it does not know. */
function splice(text: string, id: string, rule: IgnoreRule): string | undefined {
  const { item } = routeItem(text, id);
  const shadow = item.get('shadow', true) as Node | undefined;
  if (shadow === undefined)
    return setKey(text, 'route', id, 'shadow', `{ ignore: [${flow(rule)}] }`);
  if (!isMap(shadow) || !shadow.range) return undefined;
  const ignore = shadow.get('ignore', true) as Node | undefined;
  if (ignore === undefined) {
    if (shadow.flow) {
      const close = shadow.range[1] - 1;
      if (text[close] !== '}') return undefined;
      const sep = shadow.items.length > 0 ? ', ' : ' ';
      return `${text.slice(0, close).trimEnd()}${sep}ignore: [${flow(rule)}] ${text.slice(close)}`;
    }
    const first = shadow.items[0]?.key;
    if (!isScalar(first) || !first.range) return undefined;
    const at = lineStart(text, first.range[0]);
    const indent = text.slice(at, first.range[0]);
    if (indent.trim() !== '') return undefined;
    return `${text.slice(0, at)}${indent}ignore: [${flow(rule)}]\n${text.slice(at)}`;
  }
  if (!isSeq(ignore) || !ignore.range) return undefined;
  if (ignore.flow) {
    const close = ignore.range[1] - 1;
    if (text[close] !== ']') return undefined;
    const sep = ignore.items.length > 0 ? ', ' : '';
    return `${text.slice(0, close).trimEnd()}${sep}${flow(rule)}${text.slice(close)}`;
  }
  const first = ignore.items[0] as Node | undefined;
  const last = ignore.items.at(-1) as Node | undefined;
  if (!first?.range || !last?.range) return undefined;
  const dash = text.slice(lineStart(text, first.range[0]), first.range[0]);
  const indent = /^(\s*)-\s+$/.exec(dash)?.[1];
  if (indent === undefined) return undefined;
  return afterLine(text, last.range[1], `${indent}- ${flow(rule)}\n`);
}

/** The whole document re-serialised: comments stay, some spacing may not. */
function rewrite(text: string, id: string, rule: IgnoreRule): string {
  const { doc, item } = routeItem(text, id);
  const entry = doc.createNode(rule, { flow: true });
  const shadow = item.get('shadow', true);
  if (isMap(shadow)) {
    const ignore = shadow.get('ignore', true);
    if (isSeq(ignore)) ignore.add(entry);
    else shadow.set('ignore', doc.createNode([rule], { flow: true }));
  } else item.set('shadow', doc.createNode({ ignore: [rule] }, { flow: true }));
  return doc.toString({ lineWidth: 0 });
}

/** What the file should read as after the edit: the same data with the rule appended. */
function expected(text: string, id: string, rule: IgnoreRule): unknown {
  const data = parseDocument(text).toJS() as {
    routes: { id: string; shadow?: { ignore?: unknown[] } | null }[];
  };
  const route = data.routes.find((r) => r.id === id);
  if (!route) throw new ProxyError('unknown_target', `no route "${id}" in the config file`);
  route.shadow ??= {};
  route.shadow.ignore = [...(route.shadow.ignore ?? []), rule];
  return data;
}

/**
 * Appends an ignore rule to a route's `shadow.ignore` in the YAML text. The usual layouts (no
 * `shadow`, a block or flow `shadow` without `ignore`, a block or flow `ignore` list) are edited
 * by splicing, so every other byte stays as written; anything else is re-serialised. Either way
 * the result is read back and must hold exactly the old data plus the rule.
 */
export function addIgnoreRuleInText(text: string, id: string, rule: IgnoreRule): string {
  const want = expected(text, id, rule);
  for (const attempt of [splice, rewrite]) {
    const out = attempt(text, id, rule);
    if (out !== undefined && isDeepStrictEqual(parseDocument(out).toJS(), want)) return out;
  }
  throw new ProxyError(
    'write_back_failed',
    `cannot add the ignore rule to route "${id}": the file's layout was not understood; add it by hand`,
  );
}
