import type {
  CatalogDraft,
  CatalogEvent,
  CatalogEventData,
  CatalogEventOfType,
} from '@strangler/event-schemas';
import type { allocationCatalog } from './events.js';

export * from './events.js';
export { allocationCatalog as default } from './events.js';

type Catalog = typeof allocationCatalog;
/** The type of the catalog value, for code generic over it (a command runner, a write-back). */
export type AllocationCatalog = Catalog;
type Types = Catalog['types'];

/** Every allocation event in its current version, discriminated by `type`. */
export type AllocationEvent = CatalogEvent<Catalog>;
/** What the mapper returns: `{ type, data }` of one allocation event. */
export type AllocationDraft = CatalogDraft<Catalog>;
export type ProductCreated = CatalogEventOfType<Catalog, Types['ProductCreated']>;
export type BatchCreated = CatalogEventOfType<Catalog, Types['BatchCreated']>;
export type BatchQuantityChanged = CatalogEventOfType<Catalog, Types['BatchQuantityChanged']>;
export type BatchEtaChanged = CatalogEventOfType<Catalog, Types['BatchEtaChanged']>;
export type Allocated = CatalogEventOfType<Catalog, Types['Allocated']>;
export type Deallocated = CatalogEventOfType<Catalog, Types['Deallocated']>;
export type BatchCreatedData = CatalogEventData<Catalog, Types['BatchCreated']>;
export type AllocatedData = CatalogEventData<Catalog, Types['Allocated']>;
