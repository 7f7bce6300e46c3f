/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module as users write one */
// The notes catalog in CommonJS: `module.exports = catalog`.
const { z } = require('zod');
const { defineCatalog, defineEvent, fields } = require('@strangler/event-schemas');

const noteWrittenV1 = defineEvent({
  type: 'com.example.notes.note_written.v1',
  name: 'NoteWritten',
  aggregate: 'Note',
  description: 'A note was written or rewritten.',
  schema: z.object({ noteId: fields.nonEmptyString(), body: fields.nonEmptyString() }),
  aggregateId: 'noteId',
  example: { noteId: '1', body: 'hello' },
});

module.exports = defineCatalog([noteWrittenV1], { name: 'notes' });
