// A one-event catalog in plain ESM, for the specs that start the adapter's CLI with --catalog.
import { defineCatalog, defineEvent, fields } from '@strangler/event-schemas';
import { z } from 'zod';

export const noteWrittenV1 = defineEvent({
  type: 'com.example.notes.note_written.v1',
  name: 'NoteWritten',
  aggregate: 'Note',
  description: 'A note was written or rewritten.',
  schema: z.object({ noteId: fields.nonEmptyString(), body: fields.nonEmptyString() }),
  aggregateId: 'noteId',
  example: { noteId: '1', body: 'hello' },
});

export const catalog = defineCatalog([noteWrittenV1], { name: 'notes' });
export default catalog;
