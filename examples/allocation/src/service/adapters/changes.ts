/**
 * The channel the repository notifies with a product's sku in the transaction that changes it;
 * the availability read cache of every instance listens on it (the kit's ReadCache).
 */
export const CHANGED_CHANNEL = 'strangler_availability';
