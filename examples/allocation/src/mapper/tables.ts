// The legacy monolith's tables (examples/legacy-monolith/src/schema.ts), schema-qualified.
export const PRODUCTS = 'public.products';
export const BATCHES = 'public.batches';
export const ORDER_LINES = 'public.order_lines';
export const ALLOCATIONS = 'public.allocations';
