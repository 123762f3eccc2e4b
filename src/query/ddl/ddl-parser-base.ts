/** Token cursor and the shared grammar pieces of the Hive DDL parser: names, Hive types, column lists, properties, partition specs; errors are ANTLR-style positions. */
import type { ColumnDef, PartitionSpec, Properties, QualifiedName } from './ddl-ast.js';
import { DdlSyntaxError, type Token } from './ddl-tokenizer.js';

const PRIMITIVE_TYPES = new Set(['boolean', 'tinyint', 'smallint', 'int', 'integer', 'bigint', 'float', 'double', 'string', 'date', 'timestamp', 'binary']);

export class ParserBase {
  protected i = 0;
  constructor(
    protected readonly sql: string,
    protected readonly tokens: Token[],
  ) {}

  protected get tok(): Token {
    return this.tokens[this.i]!;
  }

  fail(context: string, at = this.i): never {
    const t = this.tokens[at]!;
    const near = [0, 1, 2].map((k) => `'${this.tokens[Math.min(at + k, this.tokens.length - 1)]!.text}'`).join(' ');
    throw new DdlSyntaxError(`line ${t.line}:${t.col} cannot recognize input near ${near} in ${context}`);
  }

  is(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.tokens[this.i + k];
      return t !== undefined && (t.type === 'word' || t.type === 'punct') && t.value.toUpperCase() === w;
    });
  }

  accept(...words: string[]): boolean {
    if (!this.is(...words)) return false;
    this.i += words.length;
    return true;
  }

  expect(context: string, ...words: string[]): void {
    if (!this.accept(...words)) this.fail(context);
  }

  ident(context: string): string {
    const t = this.tok;
    if (t.type === 'word' || t.type === 'quoted' || t.type === 'number' || t.type === 'dstring') {
      this.i++;
      return t.value.toLowerCase();
    }
    return this.fail(context);
  }

  qname(context: string): QualifiedName {
    const start = this.tok.offset;
    // Hive reads `db.table` in one pair of backticks as a qualified name (Athena's S3 access log DDL writes it so).
    const quoted = this.tok.type === 'quoted' ? /^([^.]+)\.([^.]+)$/.exec(this.tok.value) : null;
    if (quoted) {
      const t = this.tok;
      this.i++;
      return { db: quoted[1]!.toLowerCase(), name: quoted[2]!.toLowerCase(), text: this.sql.slice(start, t.offset + t.text.length) };
    }
    const first = this.ident(context);
    if (this.accept('.')) {
      const name = this.ident(context);
      return { db: first, name, text: this.sql.slice(start, this.tokens[this.i - 1]!.offset + this.tokens[this.i - 1]!.text.length) };
    }
    return { db: undefined, name: first, text: this.sql.slice(start, this.tokens[this.i - 1]!.offset + this.tokens[this.i - 1]!.text.length) };
  }

  string(context: string): string {
    const t = this.tok;
    if (t.type !== 'string' && t.type !== 'dstring') return this.fail(context);
    this.i++;
    return t.value;
  }

  number(context: string): number {
    const t = this.tok;
    if (t.type !== 'number') return this.fail(context);
    this.i++;
    return Number(t.value);
  }

  end(context: string): void {
    this.accept(';');
    if (this.tok.type !== 'eof') this.fail(context);
  }

  get atEnd(): boolean {
    return this.tok.type === 'eof' || (this.is(';') && this.tokens[this.i + 1]?.type === 'eof');
  }

  /** The raw text from the current token to the end (trailing `;` and blanks removed). */
  rest(): string {
    return this.sql.slice(this.tok.offset).replace(/[\s;]+$/, '');
  }

  // ---- shared pieces ----

  type(context: string): string {
    const t = this.tok;
    if (t.type !== 'word') return this.fail(context);
    const w = t.value.toLowerCase();
    this.i++;
    if (w === 'array') {
      this.expect(context, '<');
      const inner = this.type(context);
      this.expect(context, '>');
      return `array<${inner}>`;
    }
    if (w === 'map') {
      this.expect(context, '<');
      const k = this.type(context);
      this.expect(context, ',');
      const v = this.type(context);
      this.expect(context, '>');
      return `map<${k},${v}>`;
    }
    if (w === 'struct') {
      this.expect(context, '<');
      const fields: string[] = [];
      do {
        const name = this.ident(context);
        this.expect(context, ':');
        fields.push(`${name}:${this.type(context)}`);
        if (this.is('COMMENT')) {
          this.i++;
          this.string(context);
        }
      } while (this.accept(','));
      this.expect(context, '>');
      return `struct<${fields.join(',')}>`;
    }
    if (w === 'decimal') {
      if (!this.accept('(')) return 'decimal';
      const p = this.number(context);
      const s = this.accept(',') ? this.number(context) : 0;
      this.expect(context, ')');
      if (p < 1 || p > 38 || s > p) this.fail(context, this.i - 1);
      return `decimal(${p},${s})`;
    }
    if (w === 'char' || w === 'varchar') {
      this.expect(context, '(');
      const n = this.number(context);
      this.expect(context, ')');
      return `${w}(${n})`;
    }
    if (!PRIMITIVE_TYPES.has(w)) return this.fail(context, this.i - 1);
    return w === 'integer' ? 'int' : w;
  }

  columns(context: string): ColumnDef[] {
    this.expect(context, '(');
    const out: ColumnDef[] = [];
    do {
      const name = this.ident(context);
      const type = this.type(context);
      const comment = this.accept('COMMENT') ? this.string(context) : undefined;
      out.push({ name, type, comment });
    } while (this.accept(','));
    this.expect(context, ')');
    return out;
  }

  properties(context: string): Properties {
    this.expect(context, '(');
    const out: [string, string][] = [];
    if (this.accept(')')) return out;
    do {
      const k = this.string(context);
      this.expect(context, '=');
      out.push([k, this.string(context)]);
    } while (this.accept(','));
    this.expect(context, ')');
    return out;
  }

  partitionSpec(context: string): PartitionSpec {
    this.expect(context, '(');
    const values: [string, string][] = [];
    do {
      const key = this.ident(context);
      this.expect(context, '=');
      values.push([key, this.literal(context)]);
    } while (this.accept(','));
    this.expect(context, ')');
    return { values };
  }

  literal(context: string): string {
    const t = this.tok;
    if (t.type === 'string' || t.type === 'dstring') return this.string(context);
    let sign = '';
    if (this.accept('-')) sign = '-';
    const n = this.tok;
    if (n.type !== 'number') return this.fail(context);
    this.i++;
    let text = sign + n.value;
    if (this.is('.') && this.tokens[this.i + 1]?.type === 'number') {
      text += `.${this.tokens[this.i + 1]!.value}`;
      this.i += 2;
    }
    return text;
  }

}
