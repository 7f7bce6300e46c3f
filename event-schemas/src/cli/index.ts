// `@strangler/event-schemas/tools`: the strangler-schemas compatibility check, snapshots and
// exports as functions, for tests and scripts. The library entry point does not load any of this.
export { checkCatalog } from './check.js';
export { findBreaks } from './compat/compare.js';
export { describeBreak } from './compat/describe.js';
export { ASYNCAPI_FILE, exportCatalog, MARKDOWN_FILE } from './export/export-catalog.js';
export { staleFiles, writeExportFiles, type StaleFile } from './export/files.js';
export { readerSchemaOf, writerSchemaOf } from './json-schemas.js';
export { loadCatalog } from './load-catalog.js';
export { runCli } from './main.js';
export { EXAMPLE_FIXTURE, snapshotCatalog } from './snapshot.js';
export type * from './types.js';
