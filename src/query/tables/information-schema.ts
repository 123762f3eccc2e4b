/** Athena's `information_schema` (schemata, tables, columns, views) as engine SQL over rows read from the Glue catalog at query time. */
import type { Column, Database, Table } from '../../catalog/model.js';
import { dmlTypeName } from './dml-type-names.js';
import type { Conjunct } from './partition-pruning.js';
import { decodePrestoView } from './presto-view.js';

/** The catalog reads the tables need (CatalogService provides them). */
export interface CatalogListing {
  getDatabases(i: { NextToken?: string | undefined }): { DatabaseList?: Database[] | undefined; NextToken?: string | undefined };
  getTables(i: { DatabaseName: string; NextToken?: string | undefined }): { TableList?: Table[] | undefined; NextToken?: string | undefined };
}

type ColumnSpec = readonly [name: string, engineType: 'VARCHAR' | 'BIGINT'];
type Value = string | number | null;

const v = (name: string): ColumnSpec => [name, 'VARCHAR'];

/** Trino's information_schema tables as Athena exposes them (`columns` with Athena's `comment` and `extra_info`). */
const TABLES: Readonly<Record<string, readonly ColumnSpec[]>> = {
  columns: [
    v('table_catalog'), v('table_schema'), v('table_name'), v('column_name'), ['ordinal_position', 'BIGINT'],
    v('column_default'), v('is_nullable'), v('data_type'), v('comment'), v('extra_info'),
  ],
  schemata: [v('catalog_name'), v('schema_name')],
  tables: [v('table_catalog'), v('table_schema'), v('table_name'), v('table_type')],
  views: [v('table_catalog'), v('table_schema'), v('table_name'), v('view_definition')],
};

export const INFORMATION_SCHEMA = 'information_schema';

export function isInformationSchemaTable(name: string): boolean {
  return Object.hasOwn(TABLES, name);
}

export interface InformationSchemaOptions {
  /** Athena's catalog name (shown lower-cased, `awsdatacatalog`). */
  readonly catalogName: string;
  /** Only these schemas are listed (from the query's own `table_schema = …` predicates); every schema when undefined. */
  readonly schemas?: ReadonlySet<string> | undefined;
}

/**
 * The schemas a query restricts an information_schema table to: per reference, the `=`/`IN` string predicates on its
 * schema column (intersected); across references, the union. Undefined when any reference is unrestricted.
 */
export function schemaRestriction(table: string, references: readonly (readonly Conjunct[])[]): Set<string> | undefined {
  const column = table === 'schemata' ? 'schema_name' : 'table_schema';
  const union = new Set<string>();
  for (const conjuncts of references) {
    let allowed: Set<string> | undefined;
    for (const c of conjuncts) {
      if (c.column !== column) continue;
      let values: Set<string> | undefined;
      if (c.op === '=' && typeof c.value === 'string') values = new Set([c.value]);
      else if (c.op === 'IN' && c.values.every((x) => typeof x === 'string')) values = new Set(c.values as string[]);
      if (values) allowed = allowed ? new Set([...allowed].filter((s) => values.has(s))) : values;
    }
    if (!allowed) return undefined;
    for (const s of allowed) union.add(s);
  }
  return references.length === 0 ? undefined : union;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * The SELECT the engine view `information_schema.<name>` is defined as (name must satisfy isInformationSchemaTable).
 * The rows travel as one JSON literal (DuckDB parses that far faster than a large VALUES list).
 */
export function informationSchemaRelation(name: string, catalog: CatalogListing, options: InformationSchemaOptions): string {
  const spec = TABLES[name]!;
  const json = JSON.stringify(new Rows(catalog, options).of(name)).replaceAll("'", "''");
  const select = spec.map(([col, type], i) => `CAST(r[${i + 1}] AS ${type}) AS ${q(col)}`).join(', ');
  return `SELECT ${select} FROM (SELECT unnest(from_json('${json}', '[["VARCHAR"]]')) AS r)`;
}

/** Row builders over one catalog snapshot. */
class Rows {
  readonly #catalog: string;

  constructor(
    private readonly listing: CatalogListing,
    private readonly options: InformationSchemaOptions,
  ) {
    this.#catalog = options.catalogName.toLowerCase();
  }

  of(name: string): Value[][] {
    switch (name) {
      case 'schemata':
        return this.#schemas().map((s) => [this.#catalog, s]);
      case 'tables':
        return this.#tables().map(({ schema, table, type }) => [this.#catalog, schema, table, type]);
      case 'views':
        return this.#glueTables()
          .filter((t) => t.TableType === 'VIRTUAL_VIEW')
          .map((t) => [this.#catalog, t.DatabaseName!, t.Name!, decodePrestoView(t.ViewOriginalText)?.originalSql ?? t.ViewOriginalText ?? null]);
      default:
        return this.#columns();
    }
  }

  #wanted(schema: string): boolean {
    return this.options.schemas === undefined || this.options.schemas.has(schema);
  }

  /** Glue database names, then `information_schema`, sorted. */
  #schemas(): string[] {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = this.listing.getDatabases({ NextToken: token });
      for (const d of page.DatabaseList ?? []) if (d.Name !== undefined) names.push(d.Name);
      token = page.NextToken;
    } while (token);
    names.push(INFORMATION_SCHEMA);
    return [...new Set(names)].filter((s) => this.#wanted(s)).sort();
  }

  /** Every Glue table and view of the wanted schemas, sorted by schema and name. */
  #glueTables(): Table[] {
    const out: Table[] = [];
    for (const db of this.#schemas()) {
      if (db === INFORMATION_SCHEMA) continue;
      let token: string | undefined;
      do {
        const page = this.listing.getTables({ DatabaseName: db, NextToken: token });
        out.push(...(page.TableList ?? []).filter((t) => t.Name !== undefined));
        token = page.NextToken;
      } while (token);
    }
    return out.sort((a, b) => compare(a.DatabaseName ?? '', b.DatabaseName ?? '') || compare(a.Name!, b.Name!));
  }

  #tables(): { schema: string; table: string; type: string; columns: { name: string; type: string; comment: string | null; partition: boolean }[] }[] {
    const out = this.#glueTables().map((t) => ({
      schema: t.DatabaseName!,
      table: t.Name!,
      type: t.TableType === 'VIRTUAL_VIEW' ? 'VIEW' : 'BASE TABLE',
      columns: [...(t.StorageDescriptor?.Columns ?? []).map((c) => column(c, false)), ...(t.PartitionKeys ?? []).map((c) => column(c, true))],
    }));
    if (this.#wanted(INFORMATION_SCHEMA)) {
      for (const [table, spec] of Object.entries(TABLES).sort(([a], [b]) => compare(a, b))) {
        out.push({ schema: INFORMATION_SCHEMA, table, type: 'BASE TABLE', columns: spec.map(([name, type]) => ({ name, type: type.toLowerCase(), comment: null, partition: false })) });
      }
    }
    return out.sort((a, b) => compare(a.schema, b.schema) || compare(a.table, b.table));
  }

  #columns(): Value[][] {
    const rows: Value[][] = [];
    for (const t of this.#tables()) {
      t.columns.forEach((c, i) => rows.push([this.#catalog, t.schema, t.table, c.name, i + 1, null, 'YES', c.type, c.comment, c.partition ? 'partition key' : null]));
    }
    return rows;
  }
}

function column(c: Column, partition: boolean): { name: string; type: string; comment: string | null; partition: boolean } {
  return { name: c.Name ?? '', type: dmlTypeName(c.Type), comment: c.Comment ?? null, partition };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
