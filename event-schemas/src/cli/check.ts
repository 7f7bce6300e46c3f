import type { AnyCatalog, AnyEventDefinition } from '../types.js';
import { findBreaks } from './compat/compare.js';
import { describeBreak, labelOf } from './compat/describe.js';
import { readerSchemaOf, writerSchemaOf } from './json-schemas.js';
import { replayFixture } from './replay.js';
import {
  readSnapshots,
  shown,
  type StoredVersion,
  type VersionSnapshot,
} from './snapshot-store.js';
import type {
  CheckOptions,
  CheckProblem,
  CheckReport,
  CompatibilityDirection,
  CompatibilityMode,
} from './types.js';

/**
 * Holds the catalog to its released snapshots: every snapshotted version must still be in the
 * catalog, its current schemas must be compatible with the snapshot under `mode`, and every golden
 * fixture must still decode and upcast to a valid current event. Versions without a snapshot are
 * problems too (a forgotten `snapshot`), unless `allowUnreleased`.
 */
export async function checkCatalog(
  catalog: AnyCatalog,
  options: CheckOptions,
): Promise<CheckReport> {
  const mode = options.mode ?? 'BACKWARD';
  const stored = await readSnapshots(options.snapshotsDir);
  const problems: CheckProblem[] = [];
  const notes: string[] = [];
  let versions = 0;
  let fixtures = 0;
  for (const version of stored) {
    const definition = catalog.find(version.snapshot.type) as AnyEventDefinition | undefined;
    if (definition === undefined) {
      problems.push(removed(version));
      continue;
    }
    versions += 1;
    problems.push(...identity(version.snapshot, definition));
    problems.push(...compatibility(version.snapshot, definition, mode));
    for (const fixture of version.fixtures) {
      fixtures += 1;
      problems.push(...replayFixture(catalog, definition, fixture));
    }
  }
  const released = new Set(stored.map((version) => version.snapshot.type));
  for (const definition of catalog.definitions as readonly AnyEventDefinition[]) {
    if (released.has(definition.type)) continue;
    const message = `${labelOf(definition)}: not released yet: run strangler-schemas snapshot to record it`;
    if (options.allowUnreleased) notes.push(message);
    else problems.push({ kind: 'unreleased', eventType: definition.type, message });
  }
  const events = new Set(catalog.definitions.map((definition) => definition.name)).size;
  return { mode, problems, notes, events, versions, fixtures };
}

function removed(version: StoredVersion): CheckProblem {
  const { snapshot } = version;
  return {
    kind: 'removed',
    eventType: snapshot.type,
    message: `${labelOf(snapshot)}: removed from the catalog, but it was released (${shown(version.schemaFile)}); versions are never removed, since its events may still be on the topic: put the definition back (with any later version naming it as previous)`,
  };
}

function identity(snapshot: VersionSnapshot, definition: AnyEventDefinition): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const label = labelOf(definition);
  if (snapshot.name !== definition.name) {
    problems.push({
      kind: 'identity',
      eventType: definition.type,
      message: `${label}: name changed from ${snapshot.name} to ${definition.name}; a released version keeps its name. Undo the rename.`,
    });
  }
  if (snapshot.aggregate !== definition.aggregate) {
    problems.push({
      kind: 'identity',
      eventType: definition.type,
      message: `${label}: aggregate changed from ${snapshot.aggregate} to ${definition.aggregate}; its events are keyed and ordered by the released aggregate's id. Undo the change, or define a new event.`,
    });
  }
  return problems;
}

function compatibility(
  snapshot: VersionSnapshot,
  definition: AnyEventDefinition,
  mode: CompatibilityMode,
): CheckProblem[] {
  const directions: CompatibilityDirection[] = mode === 'FULL' ? ['BACKWARD', 'FORWARD'] : [mode];
  return directions.flatMap((direction) => {
    // BACKWARD: today's consumers read what was written then; FORWARD: the other way round.
    const breaks =
      direction === 'BACKWARD'
        ? findBreaks(readerSchemaOf(definition), snapshot.writer)
        : findBreaks(snapshot.reader, writerSchemaOf(definition));
    return breaks.map((found) => ({
      kind: 'compatibility' as const,
      eventType: definition.type,
      path: found.path,
      direction,
      message: describeBreak(definition, found, direction),
    }));
  });
}
