/** Collects the catalog tables a query reads (CTE names excluded), qualifies them with the default schema and maps `information_schema` to its engine schema. */
import { isNode, type AstNode, type AstValue, text } from './ast.js';

export interface TableReference {
  catalog?: string;
  schema?: string;
  name: string;
}

/** Athena's catalog name: references through it are plain `schema.table` for the caller. */
const DEFAULT_CATALOG = 'awsdatacatalog';

/**
 * The engine schema that stands for Athena's `information_schema`: DuckDB reserves that name in every catalog, so the
 * table loader registers the synthetic tables under this one. Athena database names (letters, digits, `_`) have no `$`.
 */
export const ENGINE_INFORMATION_SCHEMA = '$information_schema';

function cteNames(node: AstNode): string[] {
  const cteMap = node['cte_map'];
  const entries = isNode(cteMap) ? cteMap['map'] : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isNode).map((e) => text(e['key']).toLowerCase());
}

export function collectTables(statement: AstNode, defaultSchema: string | undefined): TableReference[] {
  const found = new Map<string, TableReference>();
  const visit = (value: AstValue, scope: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, scope);
      return;
    }
    if (!isNode(value)) return;
    let inner = scope;
    const ctes = cteNames(value);
    if (ctes.length) inner = new Set([...scope, ...ctes]);
    if (value['type'] === 'BASE_TABLE' && 'table_name' in value) {
      const name = text(value['table_name']).toLowerCase();
      let schema = text(value['schema_name']).toLowerCase();
      let catalog = text(value['catalog_name']).toLowerCase();
      if (!schema && !catalog && inner.has(name)) return;
      if (catalog === DEFAULT_CATALOG) catalog = '';
      if (!schema && defaultSchema) schema = defaultSchema.toLowerCase();
      if (schema === 'information_schema' && !catalog) schema = ENGINE_INFORMATION_SCHEMA;
      value['table_name'] = name;
      value['schema_name'] = schema;
      value['catalog_name'] = catalog;
      const ref: TableReference = { ...(catalog ? { catalog } : {}), ...(schema ? { schema } : {}), name };
      found.set(`${catalog}\u0000${schema}\u0000${name}`, ref);
      return;
    }
    for (const child of Object.values(value)) visit(child, inner);
  };
  visit(statement, new Set());
  return [...found.values()];
}
