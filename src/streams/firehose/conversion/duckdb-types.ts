/** Hive types in DuckDB: column types for read_json, select expressions (binary travels as base64) and NDJSON serializers for normalized rows. */
import type { HiveStructField, HiveType } from './model.js';

const quoteIdent = (name: string): string => '"' + name.replaceAll('"', '""') + '"';
export const quoteLiteral = (text: string): string => "'" + text.replaceAll("'", "''") + "'";

/** DuckDB type for a Hive type; with `forJson`, binary is VARCHAR (base64 in the NDJSON). */
export function duckDbType(t: HiveType, forJson = false): string {
  switch (t.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'tinyint':
      return 'TINYINT';
    case 'smallint':
      return 'SMALLINT';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'string':
    case 'char':
    case 'varchar':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'binary':
      return forJson ? 'VARCHAR' : 'BLOB';
    case 'array':
      return `${duckDbType(t.element, forJson)}[]`;
    case 'map':
      return `MAP(${duckDbType(t.key, forJson)}, ${duckDbType(t.value, forJson)})`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${duckDbType(f.type, forJson)}`).join(', ')})`;
  }
}

/** SQL turning the read_json value `x` into the final type (base64 → BLOB); undefined when it is already final. */
function convertExpr(t: HiveType, x: string, depth: number): string | undefined {
  switch (t.kind) {
    case 'binary':
      return `from_base64(${x})`;
    case 'array': {
      const e = `e${depth}`;
      const inner = convertExpr(t.element, e, depth + 1);
      return inner === undefined ? undefined : `list_transform(${x}, lambda ${e}: ${inner})`;
    }
    case 'map': {
      const e = `e${depth}`;
      const k = convertExpr(t.key, `${e}.key`, depth + 1);
      const v = convertExpr(t.value, `${e}.value`, depth + 1);
      if (k === undefined && v === undefined) return undefined;
      const entry = `struct_pack(key := ${k ?? `${e}.key`}, value := ${v ?? `${e}.value`})`;
      return `CASE WHEN ${x} IS NULL THEN NULL ELSE map_from_entries(list_transform(map_entries(${x}), lambda ${e}: ${entry})) END`;
    }
    case 'struct': {
      const parts = t.fields.map((f) => convertExpr(f.type, `${x}.${quoteIdent(f.name)}`, depth + 1));
      if (parts.every((p) => p === undefined)) return undefined;
      const packed = t.fields.map((f, i) => `${quoteIdent(f.name)} := ${parts[i] ?? `${x}.${quoteIdent(f.name)}`}`).join(', ');
      return `CASE WHEN ${x} IS NULL THEN NULL ELSE struct_pack(${packed}) END`;
    }
    default:
      return undefined;
  }
}

/** `SELECT` list and read_json `columns={…}` for a schema. */
export function duckDbProjection(fields: readonly HiveStructField[]): { select: string; jsonColumns: string } {
  const select = fields.map((f) => `${convertExpr(f.type, quoteIdent(f.name), 0) ?? quoteIdent(f.name)} AS ${quoteIdent(f.name)}`).join(', ');
  const jsonColumns = '{' + fields.map((f) => `${quoteLiteral(f.name)}: ${quoteLiteral(duckDbType(f.type, true))}`).join(', ') + '}';
  return { select, jsonColumns };
}

export type Serializer = (v: unknown) => string;

function floatText(v: unknown): string {
  const n = v as number;
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

const quoted = (v: unknown): string => '"' + (v as string) + '"';
const base64 = (v: unknown): string => Buffer.from(v as Uint8Array).toString('base64');

/** The JSON object key for a normalized map key. */
function keyText(t: HiveType): (k: unknown) => string {
  if (t.kind === 'binary') return base64;
  return (k) => String(k);
}

/** Compiles the NDJSON serializer of one normalized value (see ConvertedRow); null is handled by the caller. */
export function compileSerializer(t: HiveType): Serializer {
  switch (t.kind) {
    case 'boolean':
      return (v) => (v === true ? 'true' : 'false');
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (v) => String(v);
    case 'float':
    case 'double':
      return floatText;
    case 'decimal':
    case 'date':
    case 'timestamp':
      return quoted;
    case 'string':
    case 'char':
    case 'varchar':
      return (v) => JSON.stringify(v);
    case 'binary':
      return (v) => '"' + base64(v) + '"';
    case 'array': {
      const element = compileSerializer(t.element);
      return (v) => {
        const a = v as unknown[];
        let s = '[';
        for (let i = 0; i < a.length; i++) {
          const e = a[i];
          s += (i === 0 ? '' : ',') + (e === null || e === undefined ? 'null' : element(e));
        }
        return s + ']';
      };
    }
    case 'map': {
      const key = keyText(t.key);
      const value = compileSerializer(t.value);
      return (v) => {
        const entries = v as [unknown, unknown][];
        let s = '{';
        for (let i = 0; i < entries.length; i++) {
          const [k, e] = entries[i] as [unknown, unknown];
          s += (i === 0 ? '' : ',') + JSON.stringify(key(k)) + ':' + (e === null || e === undefined ? 'null' : value(e));
        }
        return s + '}';
      };
    }
    case 'struct':
      return compileRowSerializer(t.fields);
  }
}

/** Serializer of a positional struct value (also a whole row) into a JSON object keyed by field name. */
export function compileRowSerializer(fields: readonly HiveStructField[]): Serializer {
  const prefixes = fields.map((f, i) => (i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':');
  const serializers = fields.map((f) => compileSerializer(f.type));
  const n = fields.length;
  return (v) => {
    const row = v as unknown[];
    let s = '';
    for (let i = 0; i < n; i++) {
      const e = row[i];
      s += (prefixes[i] as string) + (e === null || e === undefined ? 'null' : (serializers[i] as Serializer)(e));
    }
    return s + '}';
  };
}
