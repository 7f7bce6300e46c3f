import type { AnyCatalog, AnyEventDefinition } from '../types.js';
import { labelOf } from './compat/describe.js';
import { loose } from './loose-catalog.js';
import { shown, type StoredFixture } from './snapshot-store.js';
import type { CheckProblem } from './types.js';

/**
 * Replays one golden fixture as a consumer reads it (`parseKafkaMessage`: decode, validate,
 * upcast): it must parse, come from the version it is filed under, and end as a valid event of
 * the current version.
 */
export function replayFixture(
  catalog: AnyCatalog,
  definition: AnyEventDefinition,
  fixture: StoredFixture,
): CheckProblem[] {
  const where = `${labelOf(definition)}: ${shown(fixture.file)}`;
  const problem = (message: string, path?: string): CheckProblem => ({
    kind: 'fixture',
    eventType: definition.type,
    ...(path === undefined ? {} : { path }),
    message,
  });
  if (!fixture.ok) return [problem(`${where}: ${fixture.reason}`)];
  const current = catalog.currentOf(definition.type) as AnyEventDefinition;
  const fix = fixHint(definition, current);

  const result = loose(catalog).parseKafkaMessage(fixture.message);
  if (!result.ok) {
    return result.error.details.issues.map((issue) =>
      problem(`${where}: ${issue.path || '(event)'}: REPLAY: ${issue.message}. ${fix}`, issue.path),
    );
  }
  const arrived = result.upcastFrom ?? result.event.type;
  if (arrived !== definition.type) {
    return [
      problem(
        `${where}: REPLAY: the fixture is a ${arrived} event; move it to the fixtures of ${arrived}`,
      ),
    ];
  }
  if (result.event.type !== current.type) {
    return [
      problem(`${where}: REPLAY: read as ${result.event.type}, not the current ${current.type}`),
    ];
  }
  const valid = current.strictSchema.safeParse(result.event.data);
  if (valid.success) return [];
  return valid.error.issues.map((issue) => {
    const path = ['data', ...issue.path.map(String)].join('.');
    return problem(
      `${where}: ${path}: REPLAY: ${issue.message} in the event read, against ${current.type}. ${fix}`,
      path,
    );
  });
}

function fixHint(definition: AnyEventDefinition, current: AnyEventDefinition): string {
  if (definition === current) {
    return `A released ${definition.name} v${definition.version} event must stay readable: undo the schema change, or publish v${definition.version + 1} with previous + upcast (or fix the fixture, if it is the fixture that is wrong).`;
  }
  return `Events of v${definition.version} must upcast to v${current.version}: fix the upcast chain up to ${current.type} (or fix the fixture, if it is the fixture that is wrong).`;
}
