import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ProxyError, type ConfigIssue } from '../errors.js';
import type { ProxyConfig, ProxyConfigInput } from '../types.js';
import { shownValue } from './shown-value.js';
import { interpolate } from './interpolate.js';
import { formatIssue, makeIssue } from './issues.js';
import { configSchema } from './schema.js';
import { validateConfig } from './validate.js';

/** A validated config and where it came from. */
export interface LoadedConfig {
  /** Absolute path, when loaded from a file. */
  file?: string;
  /** The file's text as read (with `${VAR}` references, before interpolation). */
  text?: string;
  config: ProxyConfig;
  /** The object as given, when the config did not come from a file (switches edit a copy). */
  input?: ProxyConfigInput;
  /** Short content hash: identifies the table in logs, metrics and the admin API. */
  version: string;
  /** Set when the table came from a control plane: its version number there. */
  control?: { version: number };
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Embedded in an express app: the legacy side is the app itself, no legacy upstream needed. */
  embedded?: boolean;
}

export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function fail(issues: ConfigIssue[], source: string): never {
  const lines = issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
  throw new ProxyError('config_invalid', `Invalid proxy config ${source}:\n${lines}`, { issues });
}

function check(
  raw: unknown,
  context: { file?: string; doc?: Document; counter?: LineCounter },
  options: LoadOptions,
): ProxyConfig {
  const env = options.env ?? process.env;
  const ctx = { ...context, raw };
  const missing: { path: (string | number)[]; name: string }[] = [];
  const interpolated = interpolate(raw, env, missing);
  const issues = missing.map((m) =>
    makeIssue(
      `environment variable ${m.name} is not set (use \${${m.name}:-default} for a default)`,
      m.path,
      ctx,
    ),
  );
  // Validating with the blanks left by missing variables would only add confusing follow-up errors.
  if (issues.length > 0) fail(issues, context.file ?? '(object)');
  const parsed = configSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const input = (issue as { input?: unknown }).input;
      const got =
        issue.code !== 'unrecognized_keys' &&
        input !== undefined &&
        (typeof input !== 'object' || input === null)
          ? ` (got ${shownValue(issue.path, input)})`
          : '';
      issues.push(makeIssue(issue.message + got, issue.path, ctx));
    }
  } else {
    for (const issue of validateConfig(parsed.data, options)) {
      issues.push(makeIssue(issue.message, issue.path, ctx));
    }
  }
  if (issues.length > 0 || !parsed.success) fail(issues, context.file ?? '(object)');
  return parsed.data;
}

/** Parses and validates YAML text; throws ProxyError `config_invalid` listing every issue. */
export function parseConfigText(
  text: string,
  file: string | undefined,
  options: LoadOptions = {},
): LoadedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const base = file ? { file } : {};
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return {
          ...base,
          line: pos.line,
          column: pos.col,
          field: '(yaml)',
          message: e.message.split('\n')[0] ?? e.message,
        };
      }),
      file ?? '(text)',
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const config = check(raw, { ...base, doc, counter }, options);
  return { ...base, text, config, version: versionOf(text) };
}

/** Reads and validates a route file. */
export async function loadConfigFile(
  file: string,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ProxyError(
      'config_unreadable',
      `Cannot read proxy config ${path}: ${(err as Error).message}`,
      {
        retriable: true,
        cause: err,
      },
    );
  }
  return parseConfigText(text, path, options);
}

/** Synchronous loadConfigFile, for construction-time checks (the express middleware). */
export function loadConfigFileSync(file: string, options: LoadOptions = {}): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProxyError(
      'config_unreadable',
      `Cannot read proxy config ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseConfigText(text, path, options);
}

/** Validates a config given as an object (no file). */
export function loadConfigObject(input: ProxyConfigInput, options: LoadOptions = {}): LoadedConfig {
  const config = check(input, {}, options);
  return { config, input, version: versionOf(JSON.stringify(input)) };
}
