/** Resolves the tables a query reads in the Glue catalog and registers each as a per-query engine view over its (pruned) files; Athena views are inlined, information_schema is built from the catalog. */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Column, Partition, Table } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import type { ObjectService } from '../../storage/object-service.js';
import { SnappyFormatError } from '../../storage/codecs/snappy-streams.js';
import { QueryFailure, QueryFailures } from '../athena/athena-errors.js';
import type { AstNode } from '../dialect/parser-port.js';
import { EngineInterrupted, type EngineSession } from '../engine/query-engine.js';
import type { ObjectFile, ObjectFiles } from '../engine/object-files.js';
import { ENGINE_INFORMATION_SCHEMA } from '../dialect/tables.js';
import { applyEngineTypes } from '../dialect/typed-rewrites.js';
import { unnestArrayColumns, type ColumnTypes } from '../dialect/unnest-arrays.js';
import { isCloudTrail } from './json-relation.js';
import { JsonKeyCensus, type CensusEntry, type CensusRunner, type JsonCensusPort } from './json-key-census.js';
import { columnUsage, mayRead } from './column-usage.js';
import { informationSchemaRelation, isInformationSchemaTable, schemaRestriction } from './information-schema.js';
import { partitionExpression, tableReferences, type TableReference } from './partition-pruning.js';
import { partitionsTable } from './partitions-table.js';
import { projectedPartitions, projectionEnabled } from './partition-projection.js';
import { decodePrestoView } from './presto-view.js';
import { ParquetSchemas } from './parquet-schemas.js';
import { buildRelation, readerCall, RelationError, tableFormat, type DataFile } from './relation-builder.js';

/** What the loader needs from the SQL layer: parsing translated SQL, translating view text, rendering trees. */
export interface SqlTools {
  parse(sql: string): Promise<readonly AstNode[]>;
  render(statements: readonly AstNode[]): Promise<string>;
  /** Athena SQL → engine SQL and its syntax tree (the caller's to rewrite), unqualified names relative to `defaultSchema`. */
  translate(sql: string, defaultSchema: string): Promise<{ readonly sql: string; readonly statements: readonly AstNode[] }>;
}

export interface LoadContext {
  readonly catalogName: string;
  readonly defaultSchema: string | undefined;
  readonly session: EngineSession;
  /** Whether the query text mentions the hidden `"$path"` column. */
  readonly withPath: boolean;
  /** Whether it mentions `"$file_size"` or `"$file_modified_time"`. */
  readonly withFileInfo?: boolean | undefined;
  /** Called before files are opened with the bytes the query will scan (throws to stop, e.g. the scan cutoff). */
  readonly checkScan?: ((bytes: number) => void) | undefined;
}

export interface LoadedTables {
  readonly scannedBytes: number;
  readonly schemas: readonly string[];
  /** Hive types of the columns of the tables and views read, by lower-cased name. */
  readonly columnTypes: ColumnTypes;
  /** The `s3://` URI of each local file the engine reads, by local path (engine messages name the local file). */
  readonly uris: ReadonlyMap<string, string>;
  release(): void;
}

const MAX_VIEW_DEPTH = 16;

/** A per-query engine view: an inlined Athena view (with its translated syntax tree) or a metadata table. */
interface View {
  readonly schema: string;
  readonly name: string;
  sql: string;
  readonly statements?: AstNode[] | undefined;
  /** The view's columns as Glue holds them. */
  readonly columns?: readonly Column[] | undefined;
}

function s3Location(location: string | undefined): { bucket: string; prefix: string } | undefined {
  const m = /^s3a?n?:\/\/([^/]+)\/?(.*)$/.exec(location ?? '');
  if (!m) return undefined;
  const prefix = m[2] ?? '';
  return { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/** Hidden files Athena skips: names starting with `_` or `.` (e.g. `_SUCCESS`), and folder markers. */
const hidden = (key: string): boolean => key.endsWith('/') || /(^|\/)[_.][^/]*$/.test(key);

export class QueryTables {
  /** Lower-cased column names of a set of Parquet files, by a digest of their paths, ETags and sizes. */
  readonly #fileColumns = new LRUCache<string, ReadonlySet<string>>({ max: 1024 });
  readonly #parquetSchemas = new ParquetSchemas();
  constructor(
    private readonly catalog: CatalogService,
    private readonly objects: ObjectService,
    private readonly files: ObjectFiles,
    private readonly sql: SqlTools,
    /** Key census of JSON-lines files, cached across queries (lets unambiguous files be read by DuckDB's JSON reader). */
    private readonly jsonCensus: JsonCensusPort = new JsonKeyCensus({ isAbort: (err) => err instanceof EngineInterrupted }),
  ) {}

  /** Registers every table `statements` read; throws QueryFailure (TABLE_NOT_FOUND…) for unresolvable ones. */
  async load(statements: readonly AstNode[], ctx: LoadContext): Promise<LoadedTables> {
    const opened: ObjectFile[] = [];
    const release = (): void => opened.forEach((f) => f.release());
    try {
      const refs = tableReferences(statements);
      const usage = columnUsage(statements);
      const plan = new Map<string, { schema: string; table: Table; refs: TableReference[] }>();
      const views = new Map<string, View>();
      const metadata = new Map<string, TableReference[]>();
      await this.#resolve(refs, ctx, plan, views, metadata, 0);
      const schemas = [...new Set([...plan.values()].map((p) => p.schema).concat([...views.values()].map((v) => v.schema)))];
      if (metadata.size > 0) schemas.push(ENGINE_INFORMATION_SCHEMA);
      // DuckDB reserves `information_schema`: a query run in it uses the engine schema that stands for it.
      const defaultSchema = ctx.defaultSchema?.toLowerCase() === 'information_schema' ? ENGINE_INFORMATION_SCHEMA : ctx.defaultSchema;
      await ctx.session.prepare(schemas, defaultSchema);
      const uris = new Map<string, string>();
      const perTable: { schema: string; table: Table; files: ListedFile[] }[] = [];
      let scanned = 0;
      for (const p of plan.values()) {
        const listed = await this.#files(p.table, p.refs);
        scanned += listed.reduce((n, f) => n + f.meta.size, 0);
        perTable.push({ schema: p.schema, table: p.table, files: listed });
      }
      ctx.checkScan?.(scanned);
      for (const t of perTable) {
        const data: DataFile[] = [];
        const text = !['parquet', 'orc', 'avro'].includes(tableFormat(t.table));
        for (const f of t.files) {
          const file = await this.#open(f.meta, text);
          opened.push(file);
          data.push({ path: file.path, uri: `s3://${f.meta.bucket}/${f.meta.key}`, partitionValues: f.values, size: f.meta.size, modified: f.meta.lastModified });
          uris.set(file.path, `s3://${f.meta.bucket}/${f.meta.key}`);
        }
        let present: ReadonlySet<string> | undefined;
        let uniform = false;
        if (data.length > 0 && tableFormat(t.table) === 'parquet') {
          // Which columns the files hold, from their footers (cached per file version: a path and its ETag name the
          // bytes); when every file has the same columns the reader needs no union_by_name, which reads every footer
          // when the query is bound. A footer that cannot be read leaves the question to the engine.
          const schema = await this.#parquetSchemas.of(t.files.map((f, i) => ({ path: data[i]!.path, etag: f.meta.etag, size: f.meta.size })));
          present = schema?.present ?? (await this.#engineColumns(t.table, t.files, data, ctx.session));
          uniform = schema?.uniform ?? false;
        }
        let census: ReadonlyMap<string, CensusEntry> | undefined;
        if (data.length > 0 && tableFormat(t.table) === 'json' && !isCloudTrail(t.table) && (t.table.StorageDescriptor?.Columns ?? []).length > 0) {
          census = await this.jsonCensus.census(data, sessionRunner(ctx.session));
        }
        // Views read the tables' partition columns by their own names, which the query does not see.
        const partitionColumns = views.size > 0 || mayRead(usage, (t.table.PartitionKeys ?? []).map((k) => k.Name!));
        const relation = buildRelation(t.table, data, { withPath: ctx.withPath, withFileInfo: ctx.withFileInfo ?? false, presentColumns: present, uniformParquet: uniform, jsonCensus: census, partitionColumns });
        await ctx.session.createView(t.schema, t.table.Name!, relation);
      }
      for (const [name, r] of metadata) {
        const sql = informationSchemaRelation(name, this.catalog, { catalogName: ctx.catalogName, schemas: schemaRestriction(name, r.map((x) => x.conjuncts)) });
        await ctx.session.createView(ENGINE_INFORMATION_SCHEMA, name, sql);
      }
      const columnTypes = columnTypesOf([...[...plan.values()].flatMap((p) => [...(p.table.StorageDescriptor?.Columns ?? []), ...(p.table.PartitionKeys ?? [])]), ...[...views.values()].flatMap((v) => v.columns ?? [])]);
      // Views in dependency order: each after the views it reads (see #resolve). An UNNEST of an array-of-rows column
      // is fixed before the view is created (the engine binds it then).
      for (const v of views.values()) {
        if (v.statements && unnestArrayColumns(v.statements, columnTypes)) v.sql = await this.sql.render(v.statements);
        await ctx.session.createView(v.schema, v.name, v.sql);
      }
      // Athena views get the rewrites that need the engine's types too (decimal avg() and division, …), in the same
      // order, so an outer view sees its inner views' typed columns.
      for (const v of views.values()) {
        if (!v.statements) continue;
        const typed = await applyEngineTypes(v.statements, ctx.session, this.sql);
        if (typed !== undefined) await ctx.session.createView(v.schema, v.name, typed);
      }
      return { scannedBytes: scanned, schemas, columnTypes, uris, release };
    } catch (err) {
      release();
      if (err instanceof RelationError) throw QueryFailures.notSupported(err.message);
      throw err;
    }
  }

  async #resolve(
    refs: readonly TableReference[],
    ctx: LoadContext,
    plan: Map<string, { schema: string; table: Table; refs: TableReference[] }>,
    views: Map<string, View>,
    metadata: Map<string, TableReference[]>,
    depth: number,
  ): Promise<void> {
    for (const ref of refs) {
      const schema = ref.schema ?? ctx.defaultSchema ?? 'default';
      if (ref.catalog !== undefined && ref.catalog !== ctx.catalogName.toLowerCase()) {
        throw new QueryFailure('CATALOG_NOT_FOUND', `line 1:15: Catalog '${ref.catalog}' does not exist`);
      }
      if (schema === ENGINE_INFORMATION_SCHEMA) {
        if (!isInformationSchemaTable(ref.table)) throw QueryFailures.tableNotFound(ctx.catalogName, 'information_schema', ref.table);
        metadata.set(ref.table, [...(metadata.get(ref.table) ?? []), ref]);
        continue;
      }
      const key = `${schema}.${ref.table}`;
      const known = plan.get(key);
      if (known) {
        known.refs.push(ref);
        continue;
      }
      if (views.has(key)) continue;
      let table: Table;
      try {
        table = this.catalog.getTable(schema, ref.table);
      } catch (err) {
        const meta = /^(.+)\$partitions$/.exec(ref.table);
        if (meta && err instanceof ServiceError && err.code === 'EntityNotFoundException') {
          views.set(key, { schema, name: ref.table, sql: partitionsTable(this.catalog, schema, meta[1]!, ctx.catalogName) });
          continue;
        }
        if (err instanceof ServiceError && err.code === 'EntityNotFoundException') {
          if (/^Database /.test(err.message)) throw QueryFailures.schemaNotFound(schema);
          throw QueryFailures.tableNotFound(ctx.catalogName, schema, ref.table);
        }
        throw err;
      }
      if (table.TableType === 'VIRTUAL_VIEW') {
        if (depth >= MAX_VIEW_DEPTH) throw new QueryFailure('NOT_SUPPORTED', `View ${key} is nested too deeply`);
        const view = decodePrestoView(table.ViewOriginalText);
        if (!view) throw new QueryFailure('NOT_SUPPORTED', `line 1:15: View '${ctx.catalogName.toLowerCase()}.${key}' is not an Athena (Presto) view`);
        const viewSchema = view.schema ?? schema;
        const { statements } = await this.sql.translate(view.originalSql, viewSchema);
        qualify(statements, viewSchema);
        const entry: View = { schema, name: ref.table, sql: await this.sql.render(statements), statements: [...statements], columns: table.StorageDescriptor?.Columns };
        views.set(key, entry);
        // Views read every partition of their tables: no pruning through views.
        const inner = tableReferences(statements).map((r) => ({ ...r, conjuncts: [] }));
        await this.#resolve(inner, { ...ctx, defaultSchema: viewSchema }, plan, views, metadata, depth + 1);
        // Moved behind the views it reads: the engine binds a view when it is created, so those must exist first.
        views.delete(key);
        views.set(key, entry);
        continue;
      }
      plan.set(key, { schema, table, refs: [ref] });
    }
  }

  /** Column names of Parquet files as the engine reads them (all footers, union_by_name), cached per file set. */
  /**
   * A local file of the object; text objects named `.snappy` are decoded from Hadoop's framing, as Athena reads them.
   * A ZIP archive (Firehose's ZIP) is refused: Athena has no codec for it.
   */
  async #open(meta: ListedObject, text: boolean): Promise<ObjectFile> {
    const uri = `s3://${meta.bucket}/${meta.key}`;
    if (!text || !/\.(snappy|zip)$/i.test(meta.key)) return this.files.open(meta);
    if (/\.zip$/i.test(meta.key)) {
      const file = await this.files.open(meta);
      if (await isZipArchive(file.path)) {
        file.release();
        throw new QueryFailure('HIVE_CURSOR_ERROR', `Failed to read ${uri}: ZIP archives are not a compression Athena reads (use GZIP)`);
      }
      return file;
    }
    try {
      return await this.files.open(meta, { decode: 'hadoop-snappy' });
    } catch (err) {
      if (err instanceof SnappyFormatError) throw new QueryFailure('HIVE_CURSOR_ERROR', `Failed to read ${uri}: ${err.message}`);
      throw err;
    }
  }

  async #engineColumns(table: Table, files: readonly { meta: { etag: string; size: number } }[], data: readonly DataFile[], session: EngineSession): Promise<ReadonlySet<string>> {
    const key = createHash('sha256').update(files.map((f, i) => `${data[i]!.path}\0${f.meta.etag}\0${f.meta.size}`).join('\n')).digest('hex');
    let present = this.#fileColumns.get(key);
    if (present === undefined) {
      present = new Set((await session.columnNames(`SELECT * FROM ${readerCall(table, data)}`)).map((n) => n.toLowerCase()));
      this.#fileColumns.set(key, present);
    }
    return present;
  }

  /** The table's files: under its Location, or under each partition's Location that survives pruning. */
  async #files(table: Table, refs: readonly TableReference[]): Promise<ListedFile[]> {
    const keys = table.PartitionKeys ?? [];
    if (keys.length === 0) return (await this.#list(table.StorageDescriptor?.Location)).map((meta) => ({ meta, values: [] }));
    if (projectionEnabled(table)) {
      const located = new Map<string, { values: string[]; location: string }>();
      for (const r of refs.length > 0 ? refs : [{ conjuncts: [] }]) for (const p of projectedPartitions(table, r.conjuncts)) located.set(p.location, p);
      const out: ListedFile[] = [];
      for (const p of located.values()) for (const meta of await this.#list(p.location)) out.push({ meta, values: p.values });
      return out;
    }
    const keySpecs = keys.map((k) => ({ name: k.Name!.toLowerCase(), type: k.Type ?? 'string' }));
    const expressions = refs.map((r) => partitionExpression(r.conjuncts, keySpecs));
    const partitions = new Map<string, Partition>();
    for (const expression of expressions.some((e) => e === undefined) ? [undefined] : [...new Set(expressions)]) {
      let token: string | undefined;
      do {
        const page = this.catalog.partitions.getPartitions({ DatabaseName: table.DatabaseName, TableName: table.Name, Expression: expression, NextToken: token });
        for (const p of page.Partitions ?? []) partitions.set(JSON.stringify(p.Values), p);
        token = page.NextToken;
      } while (token);
    }
    const out: ListedFile[] = [];
    for (const p of partitions.values()) {
      const values = (p.Values ?? []).map((v) => (v === '__HIVE_DEFAULT_PARTITION__' ? null : v));
      for (const meta of await this.#list(p.StorageDescriptor?.Location)) out.push({ meta, values });
    }
    return out;
  }

  async #list(location: string | undefined): Promise<ListedObject[]> {
    const loc = s3Location(location);
    if (!loc) return [];
    const out: ListedObject[] = [];
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.objects.listObjects({ bucket: loc.bucket, prefix: loc.prefix, marker, maxKeys: 1000 });
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'NoSuchBucket') return out;
        throw err;
      }
      for (const m of page.contents) if (m.size > 0 && !hidden(m.key.slice(loc.prefix.length))) out.push({ bucket: m.bucket, key: m.key, etag: m.etag, size: m.size, lastModified: m.lastModified });
      if (!page.isTruncated || page.lastReturned === undefined) return out;
      marker = page.lastReturned;
    }
  }
}

/** An object a table's location holds, as listed. */
interface ListedObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

/** A data file of a table and its partition values. */
interface ListedFile {
  readonly meta: ListedObject;
  readonly values: (string | null)[];
}

/** Column types by lower-cased name (a name several tables share keeps each of its types). */
function columnTypesOf(columns: readonly Column[]): ColumnTypes {
  const out = new Map<string, string[]>();
  for (const c of columns) {
    const name = (c.Name ?? '').toLowerCase();
    out.set(name, [...(out.get(name) ?? []), c.Type ?? 'string']);
  }
  return out;
}

/** Runs census SQL on the query's session (so an interrupt of the query stops it too). */
/** Whether the file starts with a ZIP local file header. */
async function isZipArchive(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

function sessionRunner(session: EngineSession): CensusRunner {
  return {
    async rows(sql) {
      const rows: (string | null)[][] = [];
      for await (const batch of (await session.query(sql)).batches()) rows.push(...batch);
      return rows;
    },
  };
}

/** Qualifies unqualified base tables (not CTE names) with `schema`, in place. */
function qualify(statements: readonly AstNode[], schema: string): void {
  const ctes = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    const n = v as Record<string, unknown>;
    const map = (n['cte_map'] as { map?: { key?: string }[] } | undefined)?.map;
    if (Array.isArray(map)) for (const e of map) if (typeof e.key === 'string') ctes.add(e.key.toLowerCase());
    if (n['type'] === 'BASE_TABLE' && n['schema_name'] === '' && !ctes.has(String(n['table_name']).toLowerCase())) n['schema_name'] = schema;
    Object.values(n).forEach(visit);
  };
  visit(statements);
}
