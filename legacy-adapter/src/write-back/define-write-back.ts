import { isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import { LegacyAdapterError } from '../errors.js';
import type { WriteBackMapping } from '../types.js';

/**
 * Declares a write-back mapping for a catalog: `apply(event, tx)` gets the catalog's events,
 * typed, so `switch (event.type)` narrows `event.data`. Checked at once.
 *
 * ```ts
 * export default defineWriteBack(catalog, {
 *   async apply(event, tx) {
 *     switch (event.type) { case catalog.types.CustomerRenamed: await tx.query('UPDATE ...', [...]); break; ... }
 *   },
 * });
 * ```
 */
export function defineWriteBack<C extends AnyCatalog>(
  catalog: C,
  mapping: WriteBackMapping<C>,
): WriteBackMapping<C> {
  if (!isCatalog(catalog)) {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'defineWriteBack(catalog, mapping): catalog must be made with defineCatalog',
    );
  }
  return checkWriteBack(mapping, 'defineWriteBack: mapping') as WriteBackMapping<C>;
}

export function checkWriteBack(value: unknown, name = 'mapping'): WriteBackMapping {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { apply?: unknown }).apply !== 'function'
  ) {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      `${name} must be a write-back mapping { apply(event, tx) } (made with defineWriteBack)`,
    );
  }
  return value as WriteBackMapping;
}
