// The allocation example: catalog, mapper and new service, each also runnable on its own.
export * from './catalog/index.js';
