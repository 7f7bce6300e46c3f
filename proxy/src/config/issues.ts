import { isNode, type Document, type LineCounter } from 'yaml';
import type { ConfigIssue } from '../errors.js';

export type IssuePath = readonly PropertyKey[];

/** `routes[2].match.methods[0]` */
export function fieldName(path: IssuePath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += (out ? '.' : '') + String(key);
  }
  return out || '(top level)';
}

function ownerOf(
  raw: unknown,
  path: IssuePath,
): { route?: string; group?: string; rest: IssuePath } {
  const [list, index, ...rest] = path;
  if ((list !== 'routes' && list !== 'groups') || typeof index !== 'number') return { rest: path };
  const items = (raw as Record<string, unknown> | null)?.[list];
  const item = Array.isArray(items)
    ? (items[index] as Record<string, unknown> | undefined)
    : undefined;
  const label = typeof item?.id === 'string' ? item.id : `#${index + 1}`;
  return list === 'routes' ? { route: label, rest } : { group: label, rest };
}

/** Line and column of the deepest node of the path that exists in the YAML document. */
function locate(
  doc: Document | undefined,
  counter: LineCounter | undefined,
  path: IssuePath,
): { line?: number; column?: number } {
  if (!doc || !counter) return {};
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** Builds an issue naming the file, the route or group, the field and where it is. */
export function makeIssue(
  message: string,
  path: IssuePath,
  context: { file?: string; raw?: unknown; doc?: Document; counter?: LineCounter },
): ConfigIssue {
  const owner = ownerOf(context.raw, path);
  const issue: ConfigIssue = { field: fieldName(path), message };
  if (context.file) issue.file = context.file;
  if (owner.route) issue.route = owner.route;
  if (owner.group) issue.group = owner.group;
  Object.assign(issue, locate(context.doc, context.counter, path));
  return issue;
}

/** One line per issue: `routes.yaml:12:5: route "orders", field match.path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line ? `:${issue.line}:${issue.column ?? 1}` : ''}: `
    : '';
  const owner = issue.route
    ? `route "${issue.route}", `
    : issue.group
      ? `group "${issue.group}", `
      : '';
  return `${where}${owner}field ${issue.field}: ${issue.message}`;
}
