/** Plans a write at submission (statement parsed, its SELECT translated so syntax errors are synchronous) and names its result objects: `<id>.metadata` + `<id>-manifest.csv`, under `tables/` for CTAS. */
import type { StringComparison } from '../dialect/string-comparisons.js';
import { parseWriteStatement, type WriteStatement } from './write-statement.js';

export interface WritePlan {
  readonly statement: WriteStatement;
  /** The statement's query, translated to engine SQL. */
  readonly sql: string;
  /** Athena's names of the query's output columns (e.g. `_col0`), when known. */
  readonly columnNames: readonly string[] | undefined;
  /** String comparisons the translation guarded (to word a refused one as Trino does). */
  readonly stringComparisons?: readonly StringComparison[] | undefined;
}

export interface WriteTranslator {
  translate(sql: string, defaultSchema: string | undefined): Promise<{ sql: string; columnNames: readonly string[] | undefined; stringComparisons?: readonly StringComparison[] }>;
}

/** Throws WriteSyntaxError or the translator's SqlTranslationError for statements that cannot run. */
export async function planWrite(sql: string, database: string | undefined, translator: WriteTranslator): Promise<WritePlan> {
  const statement = parseWriteStatement(sql);
  const t = await translator.translate(statement.query, database ?? 'default');
  return { statement, sql: t.sql, columnNames: t.columnNames, stringComparisons: t.stringComparisons };
}

export const WRITE_SUBSTATEMENTS: ReadonlySet<string> = new Set(['CREATE_TABLE_AS_SELECT', 'INSERT', 'UNLOAD']);

export interface WriteResultKeys {
  /** What GetQueryExecution reports as ResultConfiguration.OutputLocation. */
  readonly outputLocation: string;
  /** `s3://…-manifest.csv` (Statistics.DataManifestLocation). */
  readonly manifest: string;
  readonly metadata: string;
}

/** Result object locations of a write statement (undefined for other statements); `outputPrefix` is `s3://bucket/prefix/`. */
export function writeResultKeys(substatementType: string, outputPrefix: string, id: string): WriteResultKeys | undefined {
  if (!WRITE_SUBSTATEMENTS.has(substatementType)) return undefined;
  const base = substatementType === 'CREATE_TABLE_AS_SELECT' ? `${outputPrefix}tables/${id}` : `${outputPrefix}${id}`;
  return { outputLocation: base, manifest: `${base}-manifest.csv`, metadata: `${base}.metadata` };
}

/** `s3://bucket/key` → bucket and key. */
export function splitS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3 URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}
