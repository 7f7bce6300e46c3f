// The write-back of the notes catalog in plain ESM, for the spec that starts strangler-write-back.
import { defineWriteBack } from '@strangler/legacy-adapter';
import catalog from './notes-catalog.mjs';

export default defineWriteBack(catalog, {
  async apply(event, tx) {
    await tx.query(
      'INSERT INTO notes (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = $2',
      [Number(event.data.noteId), event.data.body],
    );
  },
});
