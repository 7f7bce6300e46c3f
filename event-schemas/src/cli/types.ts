// Public options and results of the strangler-schemas tools (`@strangler/event-schemas/tools`).

/** How a changed schema must relate to its released snapshot (Confluent Schema Registry's names). */
export type CompatibilityMode = 'BACKWARD' | 'FORWARD' | 'FULL';

/** The direction one comparison ran in: FULL runs both. */
export type CompatibilityDirection = 'BACKWARD' | 'FORWARD';

/**
 * The rule a change broke:
 * - `required`: the reader requires a field the writer may leave out;
 * - `type`: the writer may write a type the reader refuses;
 * - `nullable`: the writer may write null, the reader refuses it;
 * - `enum`: the writer may write a value outside the reader's `enum`/`const`;
 * - `bound`: a tighter minimum, maximum, length, item or property count, or multipleOf;
 * - `pattern`, `format`: a pattern or format the writer does not guarantee;
 * - `closed`: the reader refuses fields the writer may write (`additionalProperties: false`);
 * - `unproven`: a change these rules cannot prove compatible (counted as a break, never passed).
 */
export type CompatibilityRule =
  | 'required'
  | 'type'
  | 'nullable'
  | 'enum'
  | 'bound'
  | 'pattern'
  | 'format'
  | 'closed'
  | 'unproven';

/** One way the writer schema may produce a value the reader schema refuses. */
export interface SchemaBreak {
  /** Where, from the event's root: `data`, `data.currency`, `data.lines[]`. */
  path: string;
  /** The rule broken. */
  rule: CompatibilityRule;
  /** The keyword involved, e.g. `minLength`, `lower bound`, `additionalProperties`. */
  keyword: string;
  /** The reader's side, in words (`>= 1`, `string or null`, `"a", "b"`), when it has one. */
  reader?: string;
  /** The writer's side, in words; for `required`: `optional` or `absent`. */
  writer?: string;
}

/** What kind of problem `check` found. */
export type CheckProblemKind =
  'compatibility' | 'removed' | 'identity' | 'fixture' | 'unreleased' | 'snapshot';

/** One problem found by {@link checkCatalog}; `message` is the line printed. */
export interface CheckProblem {
  /** What kind of problem. */
  kind: CheckProblemKind;
  /** The event version's CloudEvents `type`. */
  eventType: string;
  /** The field path, when the problem is about one field. */
  path?: string;
  /** The direction that broke, for `compatibility`. */
  direction?: CompatibilityDirection;
  /** One line naming the event, version, type, field, rule and the fix. */
  message: string;
}

/** Options of {@link checkCatalog}. */
export interface CheckOptions {
  /** The folder of released snapshots (`<type>/schema.json` and `<type>/fixtures/*.json`). */
  snapshotsDir: string;
  /** `BACKWARD` (default), `FORWARD` or `FULL`. */
  mode?: CompatibilityMode;
  /** Report catalog versions without a snapshot as a note instead of a problem. Default false. */
  allowUnreleased?: boolean;
}

/** What {@link checkCatalog} found. */
export interface CheckReport {
  /** The mode checked. */
  mode: CompatibilityMode;
  /** Every problem; empty when the catalog passes. */
  problems: CheckProblem[];
  /** Remarks that do not fail the check (unreleased versions with `allowUnreleased`). */
  notes: string[];
  /** Events (names) in the catalog. */
  events: number;
  /** Released versions compared with their snapshots. */
  versions: number;
  /** Golden fixtures replayed. */
  fixtures: number;
}

/** Options of {@link snapshotCatalog}. */
export interface SnapshotOptions {
  /** The folder of released snapshots; created when missing. */
  snapshotsDir: string;
}

/** What {@link snapshotCatalog} did. */
export interface SnapshotReport {
  /** The versions recorded now (CloudEvents types). */
  written: string[];
  /** The versions that already had a snapshot, left as they were. */
  kept: string[];
}

/** Options of {@link exportCatalog}. */
export interface ExportOptions {
  /** The Kafka topics the events are published on, one AsyncAPI channel each. Default `<catalog name>.events`. */
  topics?: string[];
  /** `info.version` of the AsyncAPI document. Default `0.0.0`. */
  version?: string;
}

/** Generated files: path relative to the output folder -> content. */
export type ExportFiles = ReadonlyMap<string, string>;
