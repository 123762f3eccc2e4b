/** Athena (Presto) views in Glue: CREATE [OR REPLACE] VIEW stores TableType VIRTUAL_VIEW with `/* Presto View: base64(JSON) *\/` text; DROP VIEW; SHOW CREATE VIEW. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Table, TableInput } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { DdlError, type DdlContext, type DdlResult } from '../athena/ddl-port.js';
import { decodePrestoView } from '../tables/presto-view.js';
import type { Statement } from './ddl-ast.js';
import { hiveTypeName, trinoTypeName } from './type-names.js';
import type { ViewSchemaProbe } from './view-probe.js';

type ViewStatement = Extract<Statement, { kind: 'createView' | 'dropView' | 'showCreateView' }>;

/** The `ViewOriginalText` Athena writes: Trino's ConnectorViewDefinition as base64 JSON. */
export function encodePrestoView(def: { originalSql: string; catalog: string; schema: string; columns: { name: string; type: string }[]; owner?: string | undefined }): string {
  const json = JSON.stringify({ originalSql: def.originalSql, catalog: def.catalog, schema: def.schema, columns: def.columns, ...(def.owner !== undefined ? { owner: def.owner } : {}), runAsInvoker: false });
  return `/* Presto View: ${Buffer.from(json, 'utf8').toString('base64')} */`;
}

export class ViewDdl {
  constructor(
    private readonly catalog: CatalogService,
    private readonly probe: ViewSchemaProbe | undefined,
  ) {}

  #find(db: string, name: string): Table | undefined {
    try {
      return this.catalog.getTable(db, name);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'EntityNotFoundException') {
        if (/^Database /.test(err.message)) throw new DdlError(`line 1:1: Schema '${db}' does not exist`, 'engine', 'SCHEMA_NOT_FOUND');
        return undefined;
      }
      throw err;
    }
  }

  async execute(st: ViewStatement, ctx: DdlContext): Promise<DdlResult> {
    const db = st.table.db ?? ctx.database;
    const catalog = ctx.catalog.toLowerCase();
    const full = `${catalog}.${db}.${st.table.name}`;
    const existing = this.#find(db, st.table.name);
    if (st.kind === 'dropView') {
      if (!existing || existing.TableType !== 'VIRTUAL_VIEW') {
        if (st.ifExists && !existing) return { rows: [] };
        throw new DdlError(`line 1:1: View '${full}' does not exist`, 'engine', 'TABLE_NOT_FOUND');
      }
      await this.catalog.deleteTable({ DatabaseName: db, Name: st.table.name });
      return { rows: [] };
    }
    if (st.kind === 'showCreateView') {
      const view = existing?.TableType === 'VIRTUAL_VIEW' ? decodePrestoView(existing.ViewOriginalText) : undefined;
      if (!view) throw new DdlError(`line 1:1: View '${full}' does not exist`, 'engine', 'TABLE_NOT_FOUND');
      const lines = `CREATE VIEW ${full} AS\n${view.originalSql}`.split('\n');
      return { columns: [{ name: 'Create View', type: 'varchar' }], rows: lines.map((l) => [l]) };
    }
    if (existing && !st.replace) throw new DdlError(`line 1:1: View already exists: '${full}'`, 'engine', 'TABLE_ALREADY_EXISTS');
    if (existing && existing.TableType !== 'VIRTUAL_VIEW') throw new DdlError(`line 1:1: Table already exists: '${full}'`, 'engine', 'TABLE_ALREADY_EXISTS');
    if (!this.probe) throw new DdlError('Views cannot be created: no query engine', 'engine', 'NOT_SUPPORTED');
    let columns;
    try {
      columns = await this.probe.columns(st.sql, db, ctx.catalog);
    } catch (err) {
      if (err instanceof DdlError) throw err;
      const e = err as { errorName?: string; detail?: string; message?: string };
      if (typeof e.errorName === 'string') throw new DdlError(e.detail ?? String(e.message), 'engine', e.errorName);
      throw new DdlError(`line 1:1: ${String(e.message ?? err)}`, 'engine', 'SYNTAX_ERROR');
    }
    const owner = `arn:aws:iam::${this.catalog.catalogId(undefined)}:root`;
    const input: TableInput = {
      Name: st.table.name,
      TableType: 'VIRTUAL_VIEW',
      Owner: owner,
      Parameters: { presto_view: 'true', comment: 'Presto View' },
      PartitionKeys: [],
      ViewOriginalText: encodePrestoView({ originalSql: st.sql, catalog, schema: db, columns: columns.map((c) => ({ name: c.name, type: trinoTypeName(c.duckType) })), owner }),
      ViewExpandedText: '/* Presto View */',
      StorageDescriptor: {
        Columns: columns.map((c) => ({ Name: c.name, Type: hiveTypeName(c.duckType) })),
        SerdeInfo: {},
        Compressed: false,
        NumberOfBuckets: 0,
        BucketColumns: [],
        SortColumns: [],
        Parameters: {},
        StoredAsSubDirectories: false,
      },
    };
    if (existing) await this.catalog.updateTable({ DatabaseName: db, TableInput: input });
    else await this.catalog.createTable({ DatabaseName: db, TableInput: input });
    return { rows: [] };
  }
}
