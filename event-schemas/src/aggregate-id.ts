import { preview } from './issues.js';

type AggregateIdSpec = { type: string; schema: { shape: object }; aggregateId: unknown };

/**
 * The aggregate id function of a definition, tried on its example. A typed catalog cannot name a
 * field that does not exist, but one written in plain JavaScript can, and every event would then
 * be keyed by "undefined": every aggregate on one partition, with nothing failing.
 */
export function aggregateIdOf(
  spec: AggregateIdSpec,
  example: Record<string, unknown>,
): (data: never) => string {
  const key = spec.aggregateId;
  const fields = Object.keys(spec.schema.shape);
  let aggregateId: (data: Record<string, unknown>) => unknown;
  if (typeof key === 'function') aggregateId = key as typeof aggregateId;
  else if (typeof key === 'string' && fields.includes(key)) {
    const value = example[key];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(
        `${spec.type}: aggregateId field "${key}" must be a string or number field (the example has ${preview(value)})`,
      );
    }
    aggregateId = (data) => String(data[key]);
  } else {
    throw new Error(
      `${spec.type}: aggregateId must name a string or number field of the data (${fields.join(', ')}) or be a function of the data, got ${preview(key)}`,
    );
  }
  let id: unknown;
  try {
    id = aggregateId(example);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.type}: aggregateId threw on the example: ${why}`, { cause: error });
  }
  if (typeof id !== 'string' || id === '') {
    throw new Error(
      `${spec.type}: aggregateId must return a non-empty string; on the example it returned ${preview(id)}`,
    );
  }
  return aggregateId as (data: never) => string;
}
