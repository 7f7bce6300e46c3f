// A README-style mapper (`export default`) in a .js file of a package without "type": "module".
// Node 20.19+ detects the module syntax and loads it as ESM.
import { defineMapper } from '@strangler/legacy-adapter';
import { catalog } from '../notes-catalog.mjs';

export default defineMapper(catalog, {
  tables: ['public.notes'],
  mapChange: (change) =>
    change.kind === 'delete'
      ? []
      : [
          {
            type: 'com.example.notes.note_written.v1',
            data: { noteId: change.row.id, body: change.row.body },
          },
        ],
});
