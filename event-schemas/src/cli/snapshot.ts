import { mkdir } from 'node:fs/promises';
import type { AnyCatalog } from '../types.js';
import { exampleMessage } from './fixtures.js';
import { readerSchemaOf, writerSchemaOf } from './json-schemas.js';
import { readSnapshots, writeVersion, type VersionSnapshot } from './snapshot-store.js';
import type { SnapshotOptions, SnapshotReport } from './types.js';

/** The fixture every snapshot starts with: the definition's `example` as a Kafka message. */
export const EXAMPLE_FIXTURE = 'example.json';

/**
 * Records every version of the catalog that has no snapshot yet as released: its reader and
 * writer JSON Schemas and its `example` as a golden Kafka message. Versions with a snapshot are
 * never touched: a released version is immutable, and `check` holds the catalog to it.
 */
export async function snapshotCatalog(
  catalog: AnyCatalog,
  options: SnapshotOptions,
): Promise<SnapshotReport> {
  const stored = new Set(
    (await readSnapshots(options.snapshotsDir)).map((version) => version.snapshot.type),
  );
  // Everything is computed before the first write: a catalog that cannot be exported writes nothing.
  const pending = catalog.definitions
    .filter((definition) => !stored.has(definition.type))
    .map((definition) => {
      const snapshot: VersionSnapshot = {
        name: definition.name,
        version: definition.version,
        type: definition.type,
        aggregate: definition.aggregate,
        reader: readerSchemaOf(definition),
        writer: writerSchemaOf(definition),
      };
      const fixtures = {
        [EXAMPLE_FIXTURE]: {
          description: `The example of ${definition.name} v${definition.version}, as its producers wrote it.`,
          ...exampleMessage(catalog, definition),
        },
      };
      return { snapshot, fixtures };
    });
  if (pending.length > 0) await mkdir(options.snapshotsDir, { recursive: true });
  for (const { snapshot, fixtures } of pending) {
    await writeVersion(options.snapshotsDir, snapshot, fixtures);
  }
  return {
    written: pending.map(({ snapshot }) => snapshot.type),
    kept: catalog.definitions
      .filter((definition) => stored.has(definition.type))
      .map((definition) => definition.type),
  };
}
