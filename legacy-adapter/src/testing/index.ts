// The test kit of @strangler/legacy-adapter: MapperSpec (given rows, when a change, then drafts)
// and the builders of changes and rows in Postgres text form. Uses node:assert, no test runner.
export { change } from './changes.js';
export { MapperSpec, type GivenRow, type TransactionContext } from './mapper-spec.js';
export { MapperSpecResult } from './mapper-spec-result.js';
export { pgRow, pgText, type TestRow, type TestValue } from './pg-text.js';
