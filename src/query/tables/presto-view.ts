/** Decodes the `/* Presto View: <base64 JSON> *\/` text Athena stores as a Glue view's ViewOriginalText. */

/** The view's original SQL and the schema it was created in, or undefined when the text is not an Athena view. */
export function decodePrestoView(text: string | undefined): { originalSql: string; schema?: string } | undefined {
  const m = /\/\*\s*Presto View:\s*([A-Za-z0-9+/=_-]+)\s*\*\//.exec(text ?? '');
  if (!m) return undefined;
  try {
    const json = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { originalSql?: unknown; schema?: unknown };
    if (typeof json.originalSql !== 'string') return undefined;
    return { originalSql: json.originalSql, schema: typeof json.schema === 'string' ? json.schema : undefined };
  } catch {
    return undefined;
  }
}
