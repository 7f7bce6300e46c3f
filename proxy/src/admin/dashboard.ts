import { readFileSync } from 'node:fs';
import type { Express } from 'express';

// The files live in the package's dashboard/ folder, two levels above both src/admin and
// dist/admin, so the same path works from the sources and from the build.
const DIR = new URL('../../dashboard/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * Serves the dashboard: plain HTML, CSS and one script, no build step and nothing from a CDN, so
 * it works offline. Read once at start.
 */
export function mountDashboard(app: Express): void {
  const bodies = new Map<string, Buffer>();
  for (const [path, { file }] of Object.entries(FILES))
    bodies.set(path, readFileSync(new URL(file, DIR)));
  for (const [path, { type }] of Object.entries(FILES)) {
    app.get(path, (_req, res) => {
      res
        .type(type)
        .set('cache-control', 'no-cache')
        .set('x-content-type-options', 'nosniff')
        .set(
          'content-security-policy',
          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        )
        .send(bodies.get(path));
    });
  }
}
