/** Recursive-descent parser for Hive/Glue column type strings (`map<string,array<struct<a:int>>>`), with positioned errors. */
import type { HivePrimitiveKind, HiveStructField, HiveType } from './model.js';

export class HiveTypeError extends Error {
  override readonly name = 'HiveTypeError';
}

const PRIMITIVES: Readonly<Record<string, HivePrimitiveKind>> = {
  boolean: 'boolean',
  tinyint: 'tinyint',
  smallint: 'smallint',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  float: 'float',
  double: 'double',
  string: 'string',
  date: 'date',
  timestamp: 'timestamp',
  binary: 'binary',
};

const MAX_DECIMAL_PRECISION = 38;
const MAX_CHAR_LENGTH = 255;
const MAX_VARCHAR_LENGTH = 65535;
const MAX_DEPTH = 100;

class Parser {
  #pos = 0;
  #depth = 0;

  constructor(private readonly text: string) {}

  parse(): HiveType {
    const t = this.#type();
    this.#skipSpace();
    if (this.#pos < this.text.length) this.#fail(`unexpected '${this.text.charAt(this.#pos)}'`);
    return t;
  }

  #fail(what: string): never {
    throw new HiveTypeError(`Invalid Hive type '${this.text}': ${what} at position ${this.#pos}`);
  }

  #skipSpace(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text.charAt(this.#pos))) this.#pos++;
  }

  #expect(ch: string): void {
    this.#skipSpace();
    if (this.text.charAt(this.#pos) !== ch) this.#fail(`expected '${ch}'`);
    this.#pos++;
  }

  #peek(): string {
    this.#skipSpace();
    return this.text.charAt(this.#pos);
  }

  #word(): string {
    this.#skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.#pos));
    if (!m) this.#fail('expected a type name');
    this.#pos += m[0].length;
    return m[0].toLowerCase();
  }

  #integer(): number {
    this.#skipSpace();
    const m = /^\d+/.exec(this.text.slice(this.#pos));
    if (!m) this.#fail('expected an integer');
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  /** A struct field name: backtick-quoted (`` doubles a backtick) or a run of non-delimiter characters. */
  #fieldName(): string {
    this.#skipSpace();
    if (this.text.charAt(this.#pos) === '`') {
      let name = '';
      this.#pos++;
      for (;;) {
        const end = this.text.indexOf('`', this.#pos);
        if (end < 0) this.#fail('unterminated backtick-quoted name');
        name += this.text.slice(this.#pos, end);
        this.#pos = end + 1;
        if (this.text.charAt(this.#pos) !== '`') break;
        name += '`';
        this.#pos++;
      }
      if (name === '') this.#fail('empty field name');
      return name.toLowerCase();
    }
    const m = /^[^\s:<>,()`]+/.exec(this.text.slice(this.#pos));
    if (!m) this.#fail('expected a field name');
    this.#pos += m[0].length;
    return m[0].toLowerCase();
  }

  #type(): HiveType {
    if (++this.#depth > MAX_DEPTH) this.#fail('type nested too deeply');
    const start = this.#pos;
    const name = this.#word();
    const t = this.#typeNamed(name, start);
    this.#depth--;
    return t;
  }

  #typeNamed(name: string, start: number): HiveType {
    const primitive = PRIMITIVES[name];
    if (primitive !== undefined) return { kind: primitive };
    switch (name) {
      case 'decimal':
      case 'dec':
      case 'numeric': {
        if (this.#peek() !== '(') return { kind: 'decimal', precision: 10, scale: 0 };
        this.#expect('(');
        const precision = this.#integer();
        let scale = 0;
        if (this.#peek() === ',') {
          this.#expect(',');
          scale = this.#integer();
        }
        this.#expect(')');
        if (precision < 1 || precision > MAX_DECIMAL_PRECISION) this.#fail(`decimal precision must be 1..${MAX_DECIMAL_PRECISION}`);
        if (scale > precision) this.#fail('decimal scale must not exceed its precision');
        return { kind: 'decimal', precision, scale };
      }
      case 'char':
      case 'varchar': {
        this.#expect('(');
        const length = this.#integer();
        this.#expect(')');
        const max = name === 'char' ? MAX_CHAR_LENGTH : MAX_VARCHAR_LENGTH;
        if (length < 1 || length > max) this.#fail(`${name} length must be 1..${max}`);
        return { kind: name, length };
      }
      case 'array': {
        this.#expect('<');
        const element = this.#type();
        this.#expect('>');
        return { kind: 'array', element };
      }
      case 'map': {
        this.#expect('<');
        const key = this.#type();
        if (key.kind === 'array' || key.kind === 'map' || key.kind === 'struct') this.#fail('map keys must be a primitive type');
        this.#expect(',');
        const value = this.#type();
        this.#expect('>');
        return { kind: 'map', key, value };
      }
      case 'struct': {
        this.#expect('<');
        const fields: HiveStructField[] = [];
        const seen = new Set<string>();
        if (this.#peek() === '>') this.#fail('a struct needs at least one field');
        for (;;) {
          const fieldName = this.#fieldName();
          if (seen.has(fieldName)) this.#fail(`duplicate struct field '${fieldName}'`);
          seen.add(fieldName);
          this.#expect(':');
          fields.push({ name: fieldName, type: this.#type() });
          if (this.#peek() !== ',') break;
          this.#expect(',');
        }
        this.#expect('>');
        return { kind: 'struct', fields };
      }
      case 'uniontype':
        this.#pos = start;
        return this.#fail('uniontype is not supported by record format conversion');
      default:
        this.#pos = start;
        return this.#fail(`unknown type '${name}'`);
    }
  }
}

/** Parses a Hive type string; throws HiveTypeError (with the position) when it is malformed or unsupported. */
export function parseHiveType(type: string): HiveType {
  return new Parser(type).parse();
}

function quoteFieldName(name: string): string {
  return /^[A-Za-z0-9_]+$/.test(name) ? name : '`' + name.replaceAll('`', '``') + '`';
}

/** Canonical Hive spelling of a parsed type (`decimal(10,0)`, `struct<a:int>`). */
export function formatHiveType(t: HiveType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'char':
    case 'varchar':
      return `${t.kind}(${t.length})`;
    case 'array':
      return `array<${formatHiveType(t.element)}>`;
    case 'map':
      return `map<${formatHiveType(t.key)},${formatHiveType(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${quoteFieldName(f.name)}:${formatHiveType(f.type)}`).join(',')}>`;
    default:
      return t.kind;
  }
}

/** True when the type (or anything nested in it) satisfies the predicate. */
export function someHiveType(t: HiveType, predicate: (t: HiveType) => boolean): boolean {
  if (predicate(t)) return true;
  switch (t.kind) {
    case 'array':
      return someHiveType(t.element, predicate);
    case 'map':
      return someHiveType(t.key, predicate) || someHiveType(t.value, predicate);
    case 'struct':
      return t.fields.some((f) => someHiveType(f.type, predicate));
    default:
      return false;
  }
}
