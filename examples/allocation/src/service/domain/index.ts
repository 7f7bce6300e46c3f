// The pure model: no I/O, no libraries, nothing from outside domain/.
export { compareAllocationOrder, compareCodePoints } from './allocation-order.js';
export { Batch } from './batch.js';
export type * from './commands.js';
export { DomainRuleViolation, type DomainRuleCode } from './errors.js';
export type * from './events.js';
export type { IsoDate, OrderLine } from './order-line.js';
export { Product } from './product.js';
