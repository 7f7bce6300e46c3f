/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module as users write one */
// The notes mapper in CommonJS, a plain object as a named export: `exports.mapper = ...`.
const { columns } = require('@strangler/legacy-adapter');

exports.mapper = {
  tables: ['public.notes'],
  mapChange(change) {
    if (change.kind === 'delete') return [];
    const data = { noteId: columns.text(change.row, 'id'), body: columns.text(change.row, 'body') };
    return [{ type: 'com.example.notes.note_written.v1', data }];
  },
};
