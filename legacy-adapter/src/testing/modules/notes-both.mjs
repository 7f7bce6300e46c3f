// One file for both flags: `--catalog notes-both.mjs --mapper notes-both.mjs`.
export { catalog } from './notes-catalog.mjs';
export { default as mapper } from './notes-mapper.mjs';
