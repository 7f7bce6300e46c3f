import { usageError } from '../json-file.js';

/**
 * Validates an AsyncAPI document with the reference parser (`@asyncapi/parser`). Errors throw,
 * listing each with its path, so nothing is written; warnings and hints are returned to print.
 */
export async function validateAsyncApi(document: Record<string, unknown>): Promise<string[]> {
  // Loaded on demand and an optional peer dependency: the parser is large (about 150 packages),
  // and only `export` needs it, so producers and consumers of events never install it.
  const { Parser, DiagnosticSeverity } = await import('@asyncapi/parser').catch((err: unknown) => {
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    if (!missing) throw err;
    throw usageError(
      'export validates the AsyncAPI document with @asyncapi/parser, which is not installed: run npm install --save-dev @asyncapi/parser',
    );
  });
  const diagnostics = await new Parser().validate(JSON.stringify(document));
  const describe = (diagnostic: (typeof diagnostics)[number]) =>
    `${diagnostic.path.join('.') || '(document)'}: ${diagnostic.message}`;
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length > 0) {
    throw usageError(
      `the generated AsyncAPI document is invalid, so nothing was written: ${errors.map(describe).join('; ')}`,
    );
  }
  return diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(describe);
}
