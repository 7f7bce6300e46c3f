// The allocation example's mapper: `strangler-legacy-adapter --mapper <this file, built>`.
export {
  ALLOCATIONS,
  BATCHES,
  ORDER_LINES,
  PRODUCTS,
  allocationMapper,
} from './allocation-mapper.js';
export { allocationMapper as default } from './allocation-mapper.js';
