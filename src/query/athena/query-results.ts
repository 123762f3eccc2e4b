/** GetQueryResults: pages of a finished execution's rows, read back from its result file (CSV), its kept text rows (DDL/SHOW), or a write's data manifest. */
import type { ObjectService } from '../../storage/object-service.js';
import { splitS3Uri, writeResultKeys } from '../writes/write-plan.js';
import { AthenaErrors } from './athena-errors.js';
import { CsvRowReader } from './csv-format.js';
import { ATHENA_LIMITS, type QueryExecutionRecord } from './model.js';
import { decodeToken, encodeToken, maxResults } from './paging.js';
import { parseOutputLocation } from './result-writer.js';

type Json = Record<string, unknown>;


const NO_UPDATE_COUNT = new Set(['DESCRIBE_TABLE', 'SHOW_CREATE_TABLE', 'EXPLAIN']);
export async function readQueryResults(objects: ObjectService, r: QueryExecutionRecord, i: Json): Promise<Json> {
  const limit = maxResults(i.MaxResults, 1, ATHENA_LIMITS.getResultsPage);
  const writeKeys = writeResultKeys(r.substatementType, r.outputPrefix, r.id);
  if (i.QueryResultType === 'DATA_MANIFEST' && !writeKeys) throw AthenaErrors.invalidInput('DATA_MANIFEST results exist only for CTAS, INSERT INTO and UNLOAD queries');
  if (r.state === 'QUEUED' || r.state === 'RUNNING') throw AthenaErrors.notFinished(r.state);
  if (i.QueryResultType === 'DATA_MANIFEST' && writeKeys && r.state === 'SUCCEEDED') return manifestRows(objects, writeKeys.manifest, limit, i.NextToken);
  if (r.state === 'CANCELLED') throw AthenaErrors.resultNotFound();
  if (r.state === 'FAILED') {
    if (r.statementType !== 'DML' && r.stateChangeReason?.startsWith('FAILED')) return { ResultSet: { Rows: [] } };
    throw AthenaErrors.didNotSucceed(r.state);
  }
  const columns = r.columns ?? [];
  const metadata = { ColumnInfo: columns };
  // Athena sends UpdateCount 0 for SELECT and SHOW, none for DDL and for the Hive-run DESCRIBE, SHOW CREATE TABLE, EXPLAIN.
  const noCount = r.statementType === 'DDL' || NO_UPDATE_COUNT.has(r.substatementType);
  const updateCount = r.updateCount !== undefined ? { UpdateCount: r.updateCount } : noCount ? {} : { UpdateCount: 0 };
  const datum = (v: string | null): Json => (v === null ? {} : { VarCharValue: v });
  if (r.resultKind !== 'csv') {
    const start = decodeToken<number>('rows', i.NextToken) ?? 0;
    const all = r.textRows ?? [];
    const rows = all.slice(start, start + limit);
    const next = start + rows.length < all.length ? { NextToken: encodeToken('rows', start + rows.length) } : {};
    return { ...updateCount, ResultSet: { Rows: rows.map((row) => ({ Data: row.map(datum) })), ResultSetMetadata: r.statementType === 'DML' ? metadata : { ColumnInfo: columns.length > 0 ? columns : [] } }, ...next };
  }
  const offset = decodeToken<number>('csv', i.NextToken) ?? 0;
  const out = parseOutputLocation(r.outputPrefix)!;
  let body;
  try {
    body = (await objects.getObject({ bucket: out.bucket, key: `${out.prefix}${r.id}.csv`, range: `bytes=${offset}-`, conditions: {} })).body!;
  } catch {
    throw AthenaErrors.resultNotFound();
  }
  const reader = new CsvRowReader(offset);
  const rows: (string | null)[][] = [];
  let ended = true;
  try {
    for await (const chunk of body) {
      reader.push((chunk as Buffer).toString('utf8'));
      for (let row = reader.next(); row; row = rows.length < limit ? reader.next() : undefined) rows.push(row);
      if (rows.length >= limit) {
        ended = false;
        break;
      }
    }
    if (ended) for (let row = reader.next(true); row && rows.length < limit; row = reader.next(true)) rows.push(row);
  } finally {
    body.destroy();
  }
  const more = !ended || reader.next(true) !== undefined;
  return {
    UpdateCount: 0,
    ResultSet: { Rows: rows.map((row) => ({ Data: row.map(datum) })), ResultSetMetadata: metadata },
    ...(more && rows.length > 0 ? { NextToken: encodeToken('csv', reader.offset) } : {}),
  };
}

/** Reads a write's data manifest (one s3 URI per line) as result rows. */
async function readManifest(objects: ObjectService, uri: string): Promise<string[]> {
  const { bucket, key } = splitS3Uri(uri);
  try {
    const body = (await objects.getObject({ bucket, key, conditions: {} })).body!;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

async function manifestRows(objects: ObjectService, uri: string, limit: number, token: unknown): Promise<Json> {
  const start = decodeToken<number>('rows', token) ?? 0;
  const lines = await readManifest(objects, uri);
  const page = lines.slice(start, start + limit);
  const next = start + page.length < lines.length ? { NextToken: encodeToken('rows', start + page.length) } : {};
  return { ResultSet: { Rows: page.map((l) => ({ Data: [{ VarCharValue: l }] })), ResultSetMetadata: { ColumnInfo: [] } }, ...next };
}
