/** DuckDB type strings (from DESCRIBE) → Trino type names (view definitions) and Hive type names (Glue columns of views). */

interface TypeNode {
  readonly base: string;
  readonly args: readonly string[];
  readonly fields: readonly { name: string; type: TypeNode }[];
  readonly list?: TypeNode;
}

class TypeParser {
  #i = 0;
  constructor(private readonly s: string) {}

  #space(): void {
    while (this.s[this.#i] === ' ') this.#i++;
  }

  #word(): string {
    this.#space();
    if (this.s[this.#i] === '"') {
      const end = this.s.indexOf('"', this.#i + 1);
      const w = this.s.slice(this.#i + 1, end);
      this.#i = end + 1;
      return w;
    }
    const m = /^[A-Za-z0-9_]+(?: WITH TIME ZONE)?/.exec(this.s.slice(this.#i));
    const w = m?.[0] ?? '';
    this.#i += w.length;
    return w;
  }

  parse(): TypeNode {
    const base = this.#word().toUpperCase();
    let node: TypeNode = { base, args: [], fields: [] };
    this.#space();
    if (this.s[this.#i] === '(') {
      this.#i++;
      if (base === 'STRUCT') {
        const fields: { name: string; type: TypeNode }[] = [];
        for (;;) {
          const name = this.#word();
          fields.push({ name, type: this.parse() });
          this.#space();
          if (this.s[this.#i++] !== ',') break;
        }
        node = { base, args: [], fields };
      } else if (base === 'MAP') {
        const k = this.parse();
        this.#i++;
        const v = this.parse();
        this.#i++;
        node = { base, args: [], fields: [{ name: 'key', type: k }, { name: 'value', type: v }] };
      } else {
        const end = this.s.indexOf(')', this.#i);
        node = { base, args: this.s.slice(this.#i, end).split(',').map((a) => a.trim()), fields: [] };
        this.#i = end + 1;
      }
    }
    for (;;) {
      this.#space();
      if (this.s[this.#i] !== '[') return node;
      this.#i = this.s.indexOf(']', this.#i) + 1;
      node = { base: 'LIST', args: [], fields: [], list: node };
    }
  }
}

const TRINO: Readonly<Record<string, string>> = {
  VARCHAR: 'varchar', BIGINT: 'bigint', INTEGER: 'integer', DOUBLE: 'double', FLOAT: 'real', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp(3)',
  'TIMESTAMP WITH TIME ZONE': 'timestamp(3) with time zone', BLOB: 'varbinary', SMALLINT: 'smallint', TINYINT: 'tinyint', HUGEINT: 'decimal(38,0)', JSON: 'json', UUID: 'uuid',
  TIME: 'time(3)', INTERVAL: 'interval day to second', UTINYINT: 'smallint', USMALLINT: 'integer', UINTEGER: 'bigint', UBIGINT: 'decimal(20,0)', '"NULL"': 'unknown', NULL: 'unknown',
};
const HIVE: Readonly<Record<string, string>> = {
  VARCHAR: 'string', BIGINT: 'bigint', INTEGER: 'int', DOUBLE: 'double', FLOAT: 'float', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp', BLOB: 'binary', SMALLINT: 'smallint', TINYINT: 'tinyint', HUGEINT: 'decimal(38,0)', JSON: 'string', UUID: 'string',
  TIME: 'string', INTERVAL: 'string', UTINYINT: 'smallint', USMALLINT: 'int', UINTEGER: 'bigint', UBIGINT: 'decimal(20,0)', NULL: 'string',
};

function trino(t: TypeNode): string {
  if (t.list) return `array(${trino(t.list)})`;
  if (t.base === 'MAP') return `map(${trino(t.fields[0]!.type)}, ${trino(t.fields[1]!.type)})`;
  if (t.base === 'STRUCT') return `row(${t.fields.map((f) => `${/^[a-z_][a-z0-9_]*$/.test(f.name) ? f.name : `"${f.name}"`} ${trino(f.type)})`).join(', ')})`;
  if (t.base === 'DECIMAL') return `decimal(${t.args.join(',')})`;
  return TRINO[t.base] ?? t.base.toLowerCase();
}

function hive(t: TypeNode): string {
  if (t.list) return `array<${hive(t.list)}>`;
  if (t.base === 'MAP') return `map<${hive(t.fields[0]!.type)},${hive(t.fields[1]!.type)}>`;
  if (t.base === 'STRUCT') return `struct<${t.fields.map((f) => `${f.name}:${hive(f.type)}`).join(',')}>`;
  if (t.base === 'DECIMAL') return `decimal(${t.args.join(',')})`;
  return HIVE[t.base] ?? 'string';
}

export function trinoTypeName(duckType: string): string {
  return trino(new TypeParser(duckType).parse());
}

export function hiveTypeName(duckType: string): string {
  return hive(new TypeParser(duckType).parse());
}
