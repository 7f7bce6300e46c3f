import type { SchemaBreak } from '../types.js';
import { unproven, type CompareContext } from './context.js';
import { lowerCount, upperCount } from './compare-scalar.js';
import type { Schema, SchemaObject } from './schema.js';

/** Arrays: item schemas compared element by element, counts and uniqueness as bounds. */
export function compareArray(
  context: CompareContext,
  reader: SchemaObject,
  writer: SchemaObject,
  path: string,
): SchemaBreak[] {
  const breaks = [
    ...lowerCount(reader, writer, 'minItems', path),
    ...upperCount(reader, writer, 'maxItems', path),
  ];
  if (reader.uniqueItems === true && writer.uniqueItems !== true) {
    breaks.push({ path, rule: 'bound', keyword: 'uniqueItems', reader: 'true' });
  }
  const readerItems = reader.items as Schema | Schema[] | undefined;
  const writerItems = writer.items as Schema | Schema[] | undefined;
  const writerRest = (writer.additionalItems as Schema | undefined) ?? true;
  if (readerItems === undefined) return breaks;

  if (Array.isArray(readerItems)) {
    // A tuple reads a tuple of the same length; anything else is beyond these rules.
    if (!Array.isArray(writerItems) || writerItems.length !== readerItems.length) {
      return [...breaks, unproven(path, 'items')];
    }
    writerItems.forEach((item, i) => {
      breaks.push(...context.compare(readerItems[i] as Schema, item, `${path}[${i}]`));
    });
    if (writerRest !== false) {
      const readerRest = (reader.additionalItems as Schema | undefined) ?? true;
      breaks.push(...context.compare(readerRest, writerRest, `${path}[${readerItems.length}+]`));
    }
    return breaks;
  }
  if (Array.isArray(writerItems)) {
    writerItems.forEach((item, i) => {
      breaks.push(...context.compare(readerItems, item, `${path}[${i}]`));
    });
    if (writerRest !== false) breaks.push(...context.compare(readerItems, writerRest, `${path}[]`));
    return breaks;
  }
  breaks.push(...context.compare(readerItems, writerItems ?? true, `${path}[]`));
  return breaks;
}
