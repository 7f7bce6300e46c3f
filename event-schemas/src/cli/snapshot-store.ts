import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { KafkaIncomingMessage } from '../types.js';
import type { Schema } from './compat/schema.js';
import { fixtureMessage } from './fixtures.js';
import { messageOf, readJsonFile, stableJson, usageError } from './json-file.js';

// Layout of the snapshots folder, one folder per released version:
//   <snapshots>/<type>/schema.json          name, version, aggregate, reader and writer schemas
//   <snapshots>/<type>/fixtures/<name>.json golden Kafka messages { key, value, headers }

export const SCHEMA_FILE = 'schema.json';
export const FIXTURES_DIR = 'fixtures';

/** What a snapshot records of one released version. */
export interface VersionSnapshot {
  name: string;
  version: number;
  type: string;
  aggregate: string;
  /** JSON Schema draft-07 of what consumers of this version accept. */
  reader: Schema;
  /** JSON Schema draft-07 of what producers of this version write. */
  writer: Schema;
}

/** A golden fixture as read from disk: its message, or why it could not be read. */
export type StoredFixture = { file: string } & (
  { ok: true; message: KafkaIncomingMessage } | { ok: false; reason: string }
);

/** One released version found in the snapshots folder. */
export interface StoredVersion {
  snapshot: VersionSnapshot;
  schemaFile: string;
  fixtures: StoredFixture[];
}

const schemaNode = z.union([z.boolean(), z.record(z.string(), z.unknown())]);
const snapshotFile = z.object({
  name: z.string().min(1),
  version: z.int().min(1),
  type: z.string().min(1),
  aggregate: z.string().min(1),
  reader: schemaNode,
  writer: schemaNode,
});

const NOTICE =
  'A released version: never edit. strangler-schemas check compares the catalog with it; add golden fixtures under fixtures/.';

/** A path for messages: relative to the working directory when below it. */
export function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}

/** Every released version in `dir`, sorted by type; an absent folder holds none. */
export async function readSnapshots(dir: string): Promise<StoredVersion[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw usageError(`cannot read the snapshots folder ${shown(dir)}: ${messageOf(error)}`, error);
  }
  const versions: StoredVersion[] = [];
  for (const name of entries) versions.push(await readVersion(join(dir, name), name));
  return versions;
}

async function readVersion(folder: string, name: string): Promise<StoredVersion> {
  const schemaFile = join(folder, SCHEMA_FILE);
  if (!(await exists(schemaFile))) {
    throw usageError(
      `${shown(folder)} has no ${SCHEMA_FILE}: every folder in the snapshots folder is a released version; restore the file from version control, or delete the folder if that version was never published`,
    );
  }
  const parsed = snapshotFile.safeParse(await readJsonFile(schemaFile, 'snapshot'));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw usageError(
      `snapshot ${shown(schemaFile)} is damaged (${first?.path.join('.')}: ${first?.message}); restore it from version control`,
    );
  }
  if (parsed.data.type !== name) {
    throw usageError(
      `snapshot ${shown(schemaFile)} records ${parsed.data.type} but its folder is named ${name}; the folder must be named after the type`,
    );
  }
  return { snapshot: parsed.data, schemaFile, fixtures: await readFixtures(folder) };
}

async function readFixtures(folder: string): Promise<StoredFixture[]> {
  const dir = join(folder, FIXTURES_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw usageError(`cannot read the fixtures folder ${shown(dir)}: ${messageOf(error)}`, error);
  }
  const fixtures: StoredFixture[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let content: unknown;
    try {
      content = JSON.parse(await readFile(file, 'utf8')) as unknown;
    } catch (error) {
      fixtures.push({ file, ok: false, reason: `not valid JSON (${messageOf(error)})` });
      continue;
    }
    fixtures.push({ file, ...fixtureMessage(content) });
  }
  return fixtures;
}

/**
 * Writes one released version (schema.json and its fixtures) into a hidden folder first and
 * renames it into place, so an interrupted run never leaves a half-written version behind.
 */
export async function writeVersion(
  dir: string,
  snapshot: VersionSnapshot,
  fixtures: Record<string, unknown>,
): Promise<string> {
  const target = join(dir, snapshot.type);
  const staging = join(dir, `.${snapshot.type}.tmp-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, FIXTURES_DIR), { recursive: true });
  await writeFile(join(staging, SCHEMA_FILE), stableJson({ $comment: NOTICE, ...snapshot }));
  for (const [name, content] of Object.entries(fixtures)) {
    await writeFile(join(staging, FIXTURES_DIR, name), stableJson(content));
  }
  if (await exists(target)) {
    await rm(staging, { recursive: true, force: true });
    throw usageError(`${shown(target)} exists already: a released version is never overwritten`);
  }
  await rename(staging, target);
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
