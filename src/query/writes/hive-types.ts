/** DuckDB column types (as DESCRIBE prints them) → the Hive type strings Athena stores in Glue for written tables, and Hive text encodings of nested values. */

/** Splits `a, b(c, d), e` (DuckDB type lists included) on top-level commas. */
export function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && '([<'.includes(ch)) depth++;
    if (!quoted && ')]>'.includes(ch)) depth--;
    if (!quoted && ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Hive field names inside struct<>: lower-case, quotes removed. */
function fieldName(raw: string): { name: string; rest: string } {
  const m = /^"((?:[^"]|"")*)"\s+([\s\S]*)$/.exec(raw) ?? /^(\S+)\s+([\s\S]*)$/.exec(raw);
  if (!m) return { name: raw.toLowerCase(), rest: 'VARCHAR' };
  return { name: m[1]!.replaceAll('""', '"').toLowerCase(), rest: m[2]! };
}

/** The Hive type for a DuckDB type; types Hive lacks become the nearest wider type (HUGEINT → decimal(38,0)) or `string`. */
export function hiveType(duckType: string): string {
  const t = duckType.trim();
  const list = /^(.*)\[(\d*)\]$/.exec(t);
  if (list) return `array<${hiveType(list[1]!)}>`;
  const upper = t.toUpperCase();
  const map = /^MAP\(([\s\S]*)\)$/i.exec(t);
  if (map) {
    const [k = 'VARCHAR', v = 'VARCHAR'] = splitTop(map[1]!);
    return `map<${hiveType(k)},${hiveType(v)}>`;
  }
  const struct = /^STRUCT\(([\s\S]*)\)$/i.exec(t);
  if (struct) {
    return `struct<${splitTop(struct[1]!)
      .map((f) => {
        const { name, rest } = fieldName(f);
        return `${name}:${hiveType(rest)}`;
      })
      .join(',')}>`;
  }
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  switch (upper) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
      return 'tinyint';
    case 'SMALLINT':
    case 'UTINYINT':
      return 'smallint';
    case 'INTEGER':
    case 'USMALLINT':
      return 'int';
    case 'BIGINT':
    case 'UINTEGER':
      return 'bigint';
    case 'UBIGINT':
      return 'decimal(20,0)';
    case 'HUGEINT':
    case 'UHUGEINT':
      return 'decimal(38,0)';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'DATE':
      return 'date';
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
    case 'TIMESTAMP WITH TIME ZONE':
      return 'timestamp';
    case 'BLOB':
      return 'binary';
    default:
      // VARCHAR, UUID, JSON, TIME, INTERVAL, ENUM, the NULL type…
      return 'string';
  }
}

const chr = (level: number): string => `chr(${level})`;

/**
 * A DuckDB VARCHAR expression rendering `expr` (of Hive type `type`) as LazySimpleSerDe text: nested collections
 * joined with Hive's separators (\u0002 items, \u0003 map keys, one level deeper per nesting).
 */
export function hiveTextExpr(type: string, expr: string, level = 2, depth = 0): string {
  const t = type.trim();
  const v = `v${depth}`;
  if (t.startsWith('array<')) {
    const inner = t.slice(6, -1);
    return `array_to_string(list_transform(${expr}, ${v} -> coalesce(${hiveTextExpr(inner, v, level + 1, depth + 1)}, '\\N')), ${chr(level)})`;
  }
  if (t.startsWith('map<')) {
    const [k = 'string', val = 'string'] = splitTop(t.slice(4, -1));
    const key = hiveTextExpr(k, `${v}.key`, level + 2, depth + 1);
    const value = `coalesce(${hiveTextExpr(val, `${v}.value`, level + 2, depth + 1)}, '\\N')`;
    return `array_to_string(list_transform(map_entries(${expr}), ${v} -> ${key} || ${chr(level + 1)} || ${value}), ${chr(level)})`;
  }
  if (t.startsWith('struct<')) {
    const fields = splitTop(t.slice(7, -1)).map((f) => {
      const i = f.indexOf(':');
      return { name: f.slice(0, i), type: f.slice(i + 1) };
    });
    const parts = fields.map((f) => `coalesce(${hiveTextExpr(f.type, `(${expr})."${f.name.replaceAll('"', '""')}"`, level + 1, depth + 1)}, '\\N')`);
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE concat_ws(${chr(level)}, ${parts.join(', ')}) END`;
  }
  if (t === 'binary') return `to_base64(${expr})`;
  return `CAST(${expr} AS VARCHAR)`;
}

/** Whether a Hive type is nested (array, map, struct). */
export const isNested = (type: string): boolean => /^(array|map|struct)</.test(type.trim());
