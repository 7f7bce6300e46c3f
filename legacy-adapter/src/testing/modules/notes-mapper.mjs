// The notes mapper as the README writes one: ESM, `export default defineMapper(...)`.
import { columns, defineMapper } from '@strangler/legacy-adapter';
import { catalog } from './notes-catalog.mjs';

export default defineMapper(catalog, {
  tables: ['public.notes'],
  mapChange(change) {
    if (change.kind === 'delete') {
      throw new Error(
        `note ${columns.text(change.old, 'id')} was deleted: notes have no such event`,
      );
    }
    const { row } = change;
    const data = { noteId: columns.text(row, 'id'), body: columns.text(row, 'body') };
    return [{ type: catalog.types.NoteWritten, data }];
  },
});
