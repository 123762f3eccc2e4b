/** The DdlExecutor for Athena's Hive DDL: parses the statement, runs it against the Glue catalog with Athena's catalog shapes, result rows and error texts. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Table, TableInput } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import type { ObjectService } from '../../storage/object-service.js';
import { DdlError, type DdlContext, type DdlExecutor, type DdlResult } from '../athena/ddl-port.js';
import type { QualifiedName, Statement } from './ddl-ast.js';
import { DdlSyntaxError, parseDdl } from './ddl-parser.js';
import { HiveErrors, shown } from './hive-errors.js';
import { PartitionDdl } from './partition-ddl.js';
import { describeFormatted, describeTable, showColumns, showCreateTable } from './show-format.js';
import { DefinitionError, glueColumn, tableInput } from './table-definition.js';
import { ViewDdl } from './view-ddl.js';
import type { ViewSchemaProbe } from './view-probe.js';

/** Hive's SHOW pattern: `*` any characters, `|` alternatives, case-insensitive. */
function showPattern(p: string | undefined): (name: string) => boolean {
  if (p === undefined) return () => true;
  const alts = p.split('|').map((a) => new RegExp(`^${a.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i'));
  return (name) => alts.some((r) => r.test(name));
}

/**
 * Hive output whose lines join several columns with tabs: Athena still answers each line as one value, while ColumnInfo
 * (and the `.txt.metadata`) lists every column, which clients such as awswrangler use to split the `.txt` file.
 */
const tabbed = (names: readonly string[], rows: string[]): DdlResult => ({ columns: names.map((name) => ({ name, type: 'string' })), rows: rows.map((r) => [r]) });
const one = (name: string, rows: string[]): DdlResult => tabbed([name], rows);
const TBLPROPERTIES_COLUMNS = ['prpt_name', 'prpt_value'];

/** A table input for UpdateTable from a stored table (read-only fields dropped). */
export function asInput(t: Table): TableInput {
  return {
    Name: t.Name,
    Description: t.Description,
    Owner: t.Owner,
    Retention: t.Retention,
    StorageDescriptor: t.StorageDescriptor,
    PartitionKeys: t.PartitionKeys ?? [],
    ViewOriginalText: t.ViewOriginalText,
    ViewExpandedText: t.ViewExpandedText,
    TableType: t.TableType,
    Parameters: t.Parameters,
  };
}

/**
 * The query context's database as Hive reads it, as an identifier: a name in backticks names the database inside them
 * (two backticks stand for one). awswrangler sends MSCK REPAIR, DESCRIBE and SHOW CREATE TABLE with the name so quoted.
 */
export function contextDatabase(name: string): string {
  return name.length >= 2 && name.startsWith('`') && name.endsWith('`') ? name.slice(1, -1).replaceAll('``', '`') : name;
}

export class HiveDdlExecutor implements DdlExecutor {
  readonly #partitions: PartitionDdl;
  readonly #views: ViewDdl;

  constructor(
    private readonly catalog: CatalogService,
    objects: ObjectService,
    probe?: ViewSchemaProbe,
  ) {
    this.#partitions = new PartitionDdl(catalog, objects);
    this.#views = new ViewDdl(catalog, probe);
  }

  async executeDdl(sql: string, ctx: DdlContext): Promise<DdlResult> {
    let st: Statement;
    try {
      st = parseDdl(sql);
    } catch (err) {
      if (err instanceof DdlSyntaxError) throw HiveErrors.parse(err.message);
      throw err;
    }
    try {
      return await this.#run(st, { ...ctx, database: contextDatabase(ctx.database) });
    } catch (err) {
      if (err instanceof DefinitionError) throw new DdlError(err.message);
      if (err instanceof ServiceError && err.code === 'InvalidInputException') throw new DdlError(`FAILED: SemanticException ${err.message}`);
      throw err;
    }
  }

  #database(name: string): void {
    try {
      this.catalog.getDatabase({ Name: name });
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'EntityNotFoundException') throw HiveErrors.databaseNotFound(name);
      throw err;
    }
  }

  #find(t: QualifiedName, ctx: DdlContext): Table | undefined {
    const db = t.db ?? ctx.database;
    this.#database(db);
    try {
      return this.catalog.getTable(db, t.name);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'EntityNotFoundException') return undefined;
      throw err;
    }
  }

  #table(t: QualifiedName, ctx: DdlContext): Table {
    const table = this.#find(t, ctx);
    if (!table) throw HiveErrors.tableNotFound(t);
    return table;
  }

  #names(db: string, keep: (t: Table) => boolean): string[] {
    this.#database(db);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = this.catalog.getTables({ DatabaseName: db, NextToken: token });
      for (const t of page.TableList ?? []) if (keep(t)) names.push(t.Name!);
      token = page.NextToken;
    } while (token);
    return names;
  }

  async #update(table: Table, change: (input: TableInput) => TableInput): Promise<DdlResult> {
    const input = change(asInput(table));
    input.Parameters = { ...(input.Parameters ?? {}), transient_lastDdlTime: String(Math.floor(Date.now() / 1000)) };
    await this.catalog.updateTable({ DatabaseName: table.DatabaseName, TableInput: input });
    return { rows: [] };
  }

  async #run(st: Statement, ctx: DdlContext): Promise<DdlResult> {
    switch (st.kind) {
      case 'createDatabase': {
        const params = Object.fromEntries(st.properties);
        try {
          await this.catalog.createDatabase({
            DatabaseInput: { Name: st.name, ...(st.comment !== undefined ? { Description: st.comment } : {}), ...(st.location !== undefined ? { LocationUri: st.location } : {}), Parameters: params },
          });
        } catch (err) {
          if (err instanceof ServiceError && err.code === 'AlreadyExistsException') {
            if (st.ifNotExists) return { rows: [] };
            throw HiveErrors.databaseExists(st.name);
          }
          throw err;
        }
        return { rows: [] };
      }
      case 'dropDatabase': {
        try {
          this.#database(st.name);
        } catch (err) {
          if (st.ifExists) return { rows: [] };
          throw err;
        }
        if (!st.cascade && (this.catalog.getTables({ DatabaseName: st.name, MaxResults: 1 }).TableList ?? []).length > 0) throw HiveErrors.databaseNotEmpty(st.name);
        await this.catalog.deleteDatabase({ Name: st.name });
        return { rows: [] };
      }
      case 'createTable': {
        const db = st.table.db ?? ctx.database;
        const iceberg = st.tblProperties.some(([k, v]) => k.toLowerCase() === 'table_type' && v.toLowerCase() === 'iceberg');
        if (iceberg) throw HiveErrors.unsupported('Iceberg tables yet');
        if (!st.external) throw st.location === undefined ? HiveErrors.noLocation() : HiveErrors.notExternal();
        if (this.#find(st.table, ctx)) {
          if (st.ifNotExists) return { rows: [] };
          throw HiveErrors.tableExists(st.table.name);
        }
        await this.catalog.createTable({ DatabaseName: db, TableInput: tableInput(st, Math.floor(Date.now() / 1000)) });
        return { rows: [] };
      }
      case 'dropTable': {
        const table = this.#find(st.table, ctx);
        if (!table) {
          if (st.ifExists) return { rows: [] };
          throw HiveErrors.tableNotFound(st.table);
        }
        if (table.TableType === 'VIRTUAL_VIEW') throw HiveErrors.isView(shown(st.table));
        await this.catalog.deleteTable({ DatabaseName: table.DatabaseName, Name: table.Name });
        return { rows: [] };
      }
      case 'addColumns':
      case 'replaceColumns': {
        const table = this.#table(st.table, ctx);
        const current = table.StorageDescriptor?.Columns ?? [];
        const added = st.columns.map(glueColumn);
        const next = st.kind === 'addColumns' ? [...current, ...added] : added;
        const names = new Set<string>();
        for (const c of [...next, ...(table.PartitionKeys ?? [])]) {
          if (names.has(c.Name!)) throw new DdlError(`FAILED: SemanticException [Error 10036]: Duplicate column name: ${c.Name}`);
          names.add(c.Name!);
        }
        return this.#update(table, (i) => ({ ...i, StorageDescriptor: { ...i.StorageDescriptor, Columns: next } }));
      }
      case 'changeColumn': {
        // Hive's ALTER TABLE … CHANGE [COLUMN] old new type [COMMENT …] [FIRST | AFTER col]: only the definition changes.
        const table = this.#table(st.table, ctx);
        const current = [...(table.StorageDescriptor?.Columns ?? [])];
        const at = current.findIndex((c) => c.Name === st.from);
        if (at < 0) throw new DdlError(`FAILED: SemanticException [Error 10002]: Invalid column reference ${st.from}`);
        const changed = glueColumn(st.column);
        if (changed.Name !== st.from && [...current, ...(table.PartitionKeys ?? [])].some((c) => c.Name === changed.Name)) {
          throw new DdlError(`FAILED: SemanticException [Error 10036]: Duplicate column name: ${changed.Name}`);
        }
        current.splice(at, 1);
        let to = at;
        const position = st.position;
        if (position && 'first' in position) to = 0;
        else if (position) {
          const after = current.findIndex((c) => c.Name === position.after);
          if (after < 0) throw new DdlError(`FAILED: SemanticException [Error 10002]: Invalid column reference ${position.after}`);
          to = after + 1;
        }
        current.splice(to, 0, changed);
        return this.#update(table, (i) => ({ ...i, StorageDescriptor: { ...i.StorageDescriptor, Columns: current } }));
      }
      case 'setTblProperties': {
        const table = this.#table(st.table, ctx);
        return this.#update(table, (i) => ({ ...i, Parameters: { ...(i.Parameters ?? {}), ...Object.fromEntries(st.properties) } }));
      }
      case 'setLocation': {
        const table = this.#table(st.table, ctx);
        return this.#update(table, (i) => ({ ...i, StorageDescriptor: { ...i.StorageDescriptor, Location: st.location } }));
      }
      case 'setSerdeProperties': {
        const table = this.#table(st.table, ctx);
        return this.#update(table, (i) => {
          const serde = i.StorageDescriptor?.SerdeInfo ?? {};
          const params = { ...(serde.Parameters ?? {}), ...Object.fromEntries(st.properties) };
          return { ...i, StorageDescriptor: { ...i.StorageDescriptor, SerdeInfo: { ...serde, ...(st.serde !== undefined ? { SerializationLibrary: st.serde } : {}), Parameters: params } } };
        });
      }
      case 'msck':
      case 'addPartitions':
      case 'dropPartitions':
      case 'renamePartition':
      case 'partitionSetLocation':
      case 'showPartitions':
        return this.#partitions.execute(st, this.#table(st.table, ctx));
      case 'showDatabases': {
        const match = showPattern(st.pattern);
        const names: string[] = [];
        let token: string | undefined;
        do {
          const page = this.catalog.getDatabases({ NextToken: token });
          for (const d of page.DatabaseList ?? []) if (match(d.Name!)) names.push(d.Name!);
          token = page.NextToken;
        } while (token);
        return one('database_name', names.sort());
      }
      case 'showTables':
      case 'showViews': {
        const match = showPattern(st.pattern);
        const views = st.kind === 'showViews';
        const names = this.#names(st.db ?? ctx.database, (t) => match(t.Name!) && (!views || t.TableType === 'VIRTUAL_VIEW'));
        return one(views ? 'views' : 'tab_name', names.sort());
      }
      case 'showColumns':
        return one('field', showColumns(this.#table(st.table, ctx)));
      case 'showCreateTable': {
        const table = this.#table(st.table, ctx);
        if (table.TableType === 'VIRTUAL_VIEW') return this.#views.execute({ kind: 'showCreateView', table: st.table }, ctx);
        return one('createtab_stmt', showCreateTable(table));
      }
      case 'showTblProperties': {
        const table = this.#table(st.table, ctx);
        const params = table.Parameters ?? {};
        if (st.key !== undefined) {
          const v = params[st.key];
          return tabbed(TBLPROPERTIES_COLUMNS, [v ?? `Table ${table.DatabaseName}.${table.Name} does not have property: ${st.key}`]);
        }
        return tabbed(TBLPROPERTIES_COLUMNS, Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}\t${v}`));
      }
      case 'describe': {
        const table = this.#table(st.table, ctx);
        if (st.column !== undefined && !describeTable(table, st.column).length) {
          throw new DdlError(`FAILED: SemanticException [Error 10002]: Invalid column reference ${st.column}`);
        }
        const lines = st.mode === 'plain' || st.column !== undefined ? describeTable(table, st.column) : describeFormatted(table);
        return tabbed(['col_name', 'data_type', 'comment'], lines);
      }
      case 'createView':
      case 'dropView':
      case 'showCreateView':
        return this.#views.execute(st, ctx);
    }
  }
}
