'use strict';
// What TypeScript (module: commonjs) makes of `export default mapper`: `exports.default`.
Object.defineProperty(exports, '__esModule', { value: true });

exports.default = {
  tables: ['public.notes'],
  mapChange(change) {
    if (change.kind === 'delete') return [];
    const data = { noteId: change.row.id, body: change.row.body };
    return [{ type: 'com.example.notes.note_written.v1', data }];
  },
};
