/** Translates a Trino type (as tokens, e.g. from `CAST(x AS array(row(a integer)))`) into DuckDB type syntax. */
import { syntaxError, unsupported } from './errors.js';
import type { Token } from './tokenizer.js';

/** Type name given to a top-level `CAST(x AS json)` (Trino serialises x as JSON; DuckDB's cast would parse it). */
export const TO_JSON_TYPE = 'lakebox_to_json';

const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'REAL',
  double: 'DOUBLE',
  decimal: 'DECIMAL',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  varbinary: 'BLOB',
  date: 'DATE',
  json: 'JSON',
  uuid: 'UUID',
};
const REFUSED_TYPES = new Set(['ipaddress', 'ipprefix', 'hyperloglog', 'p4hyperloglog', 'qdigest', 'tdigest', 'setdigest', 'geometry', 'sphericalgeography']);

/** Recursive-descent parser over the significant tokens of one type. */
class TypeParser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): string {
    const type = this.type();
    if (this.pos < this.tokens.length) throw syntaxError(`Unknown type near '${this.tokens[this.pos]!.text}'`);
    return type;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private word(offset = 0): string | undefined {
    const t = this.peek(offset);
    return t?.kind === 'ident' ? t.text.toLowerCase() : undefined;
  }
  private expect(text: string): void {
    const t = this.peek();
    if (!t || t.text.toLowerCase() !== text) throw syntaxError(`Expected '${text}' in type, got '${t?.text ?? 'end of input'}'`);
    this.pos++;
  }
  private numbers(): string[] {
    const out: string[] = [];
    this.expect('(');
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'number') throw syntaxError('Expected a number as type parameter');
      out.push(t.text);
      this.pos++;
      if (this.peek()?.text === ',') this.pos++;
      else break;
    }
    this.expect(')');
    return out;
  }
  private timeZoneSuffix(): boolean {
    if ((this.word() === 'with' || this.word() === 'without') && this.word(1) === 'time' && this.word(2) === 'zone') {
      const withZone = this.word() === 'with';
      this.pos += 3;
      return withZone;
    }
    return false;
  }

  type(): string {
    const name = this.word();
    if (!name) throw syntaxError(`Expected a type name, got '${this.peek()?.text ?? 'end of input'}'`);
    this.pos++;
    switch (name) {
      case 'array': {
        this.expect('(');
        const element = this.type();
        this.expect(')');
        return `${element}[]`;
      }
      case 'map': {
        this.expect('(');
        const key = this.type();
        this.expect(',');
        const value = this.type();
        this.expect(')');
        return `MAP(${key}, ${value})`;
      }
      case 'row':
        return this.row();
      case 'timestamp':
      case 'time': {
        if (this.peek()?.text === '(') this.numbers();
        const zoned = this.timeZoneSuffix();
        if (name === 'time') return zoned ? 'TIMETZ' : 'TIME';
        return zoned ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      }
      case 'interval': {
        const from = this.word();
        if ((from === 'day' || from === 'year') && this.word(1) === 'to') {
          this.pos += 3;
          return 'INTERVAL';
        }
        throw syntaxError('Expected INTERVAL DAY TO SECOND or INTERVAL YEAR TO MONTH');
      }
      case 'double':
        if (this.word() === 'precision') this.pos++;
        return 'DOUBLE';
      case 'decimal': {
        if (this.peek()?.text !== '(') return 'DECIMAL(38, 0)';
        const args = this.numbers();
        return `DECIMAL(${args.join(', ')})`;
      }
      default: {
        if (REFUSED_TYPES.has(name)) throw unsupported(`Type ${name} is not supported by Lakebox`);
        const mapped = SIMPLE_TYPES[name];
        if (!mapped) throw syntaxError(`Unknown type: ${name}`);
        if (this.peek()?.text === '(') this.numbers(); // varchar(n), char(n): length is not enforced
        return mapped;
      }
    }
  }

  private row(): string {
    this.expect('(');
    const fields: string[] = [];
    for (;;) {
      const first = this.peek();
      const second = this.peek(1);
      const anonymous = !second || second.text === ',' || second.text === ')' || second.text === '(' || (first?.kind === 'ident' && ['with', 'without', 'precision', 'day', 'year'].includes(second.text.toLowerCase()));
      if (anonymous || (first?.kind !== 'ident' && first?.kind !== 'qident')) {
        throw unsupported('ROW types with unnamed fields are not supported by Lakebox; name every field, e.g. ROW(a integer)');
      }
      this.pos++;
      const fieldName = first.kind === 'qident' ? first.text : `"${first.text.toLowerCase()}"`;
      fields.push(`${fieldName} ${this.type()}`);
      if (this.peek()?.text === ',') this.pos++;
      else break;
    }
    this.expect(')');
    return `STRUCT(${fields.join(', ')})`;
  }
}

export function translateTypeTokens(tokens: readonly Token[]): string {
  return new TypeParser(tokens).parseAll();
}
