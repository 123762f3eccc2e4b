/** Parses the write statements Athena runs on its engine — CTAS, INSERT INTO and UNLOAD — into target, properties and the SELECT they write. */
import { stripStatement } from '../athena/statement-router.js';

/** A `WITH (…)` property value: string, number, boolean or `ARRAY[…]` of those. */
export type PropertyValue = string | number | boolean | readonly PropertyValue[];

export interface TableName {
  readonly catalog?: string | undefined;
  readonly schema?: string | undefined;
  readonly name: string;
}

export type WriteStatement =
  | { readonly kind: 'ctas'; readonly table: TableName; readonly ifNotExists: boolean; readonly properties: ReadonlyMap<string, PropertyValue>; readonly query: string; readonly withData: boolean }
  | { readonly kind: 'insert'; readonly table: TableName; readonly columns: readonly string[] | undefined; readonly query: string }
  | { readonly kind: 'unload'; readonly query: string; readonly location: string; readonly properties: ReadonlyMap<string, PropertyValue> };

/** A statement the parser cannot read: reported as a syntax error (MALFORMED_QUERY). */
export class WriteSyntaxError extends Error {
  override readonly name = 'WriteSyntaxError';
}

/** A tiny cursor over the statement text that understands quotes and parentheses. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)/.exec(rest);
      if (!m) return;
      this.pos += m[0].length;
    }
  }

  /** Consumes the keyword sequence (case-insensitive, whole words) if it is next. */
  keyword(...words: string[]): boolean {
    const save = this.pos;
    for (const w of words) {
      this.skipSpace();
      const m = new RegExp(`^${w}\\b`, 'i').exec(this.text.slice(this.pos));
      if (!m) {
        this.pos = save;
        return false;
      }
      this.pos += m[0].length;
    }
    return true;
  }

  expectKeyword(...words: string[]): void {
    if (!this.keyword(...words)) throw new WriteSyntaxError(`line 1:${this.pos + 1}: mismatched input '${this.peekWord()}'. Expecting: ${words.join(' ')}`);
  }

  punct(ch: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  expect(ch: string): void {
    if (!this.punct(ch)) throw new WriteSyntaxError(`line 1:${this.pos + 1}: mismatched input '${this.peekWord()}'. Expecting: '${ch}'`);
  }

  peekWord(): string {
    this.skipSpace();
    return /^\S*/.exec(this.text.slice(this.pos))?.[0].slice(0, 20) || '<EOF>';
  }

  /** An identifier: bare, `"quoted"` or `` `quoted` ``; quoted names keep case, bare names are lower-cased. */
  identifier(): string {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    const quoted = /^"((?:[^"]|"")*)"|^`((?:[^`]|``)*)`/.exec(rest);
    if (quoted) {
      this.pos += quoted[0].length;
      return quoted[1] !== undefined ? quoted[1].replaceAll('""', '"') : quoted[2]!.replaceAll('``', '`');
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_@$]*/.exec(rest);
    if (!bare) throw new WriteSyntaxError(`line 1:${this.pos + 1}: mismatched input '${this.peekWord()}'. Expecting: <identifier>`);
    this.pos += bare[0].length;
    return bare[0];
  }

  /** A single-quoted string literal. */
  string(): string | undefined {
    this.skipSpace();
    const m = /^'((?:[^']|'')*)'/.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[1]!.replaceAll("''", "'");
  }

  /** The text up to the `)` matching an already consumed `(`, which is consumed too. */
  balanced(): string {
    const start = this.pos;
    let depth = 1;
    for (let i = this.pos; i < this.text.length; i++) {
      const ch = this.text[i]!;
      if (ch === "'" || ch === '"') {
        const end = this.text.indexOf(ch, i + 1);
        i = end < 0 ? this.text.length : end;
        continue;
      }
      if (ch === '(') depth++;
      if (ch === ')' && --depth === 0) {
        this.pos = i + 1;
        return this.text.slice(start, i);
      }
    }
    throw new WriteSyntaxError(`line 1:${this.text.length}: mismatched input '<EOF>'. Expecting: ')'`);
  }

  rest(): string {
    return this.text.slice(this.pos).trim();
  }
}

function tableName(c: Cursor): TableName {
  const parts = [c.identifier()];
  while (c.punct('.')) parts.push(c.identifier());
  if (parts.length > 3) throw new WriteSyntaxError(`Too many dots in table name: ${parts.join('.')}`);
  const lower = parts.map((p) => p.toLowerCase());
  if (lower.length === 3) return { catalog: lower[0], schema: lower[1], name: lower[2]! };
  if (lower.length === 2) return { schema: lower[0], name: lower[1]! };
  return { name: lower[0]! };
}

function propertyValue(c: Cursor): PropertyValue {
  const s = c.string();
  if (s !== undefined) return s;
  if (c.keyword('ARRAY')) {
    c.expect('[');
    const items: PropertyValue[] = [];
    if (!c.punct(']')) {
      do items.push(propertyValue(c));
      while (c.punct(','));
      c.expect(']');
    }
    return items;
  }
  if (c.keyword('TRUE')) return true;
  if (c.keyword('FALSE')) return false;
  c.skipSpace();
  const num = /^-?\d+(\.\d+)?/.exec(c.text.slice(c.pos));
  if (num) {
    c.pos += num[0].length;
    return Number(num[0]);
  }
  throw new WriteSyntaxError(`line 1:${c.pos + 1}: mismatched input '${c.peekWord()}'. Expecting: <literal>`);
}

/** `(name = value, …)` after `WITH`; names are case-sensitive in Athena (lower-case required). */
function properties(c: Cursor): Map<string, PropertyValue> {
  const out = new Map<string, PropertyValue>();
  c.expect('(');
  if (c.punct(')')) return out;
  do {
    const name = c.identifier();
    c.expect('=');
    if (out.has(name)) throw new WriteSyntaxError(`Duplicate property: ${name}`);
    out.set(name, propertyValue(c));
  } while (c.punct(','));
  c.expect(')');
  return out;
}

/** Parses a CTAS, INSERT INTO or UNLOAD statement (the caller has classified it). */
export function parseWriteStatement(sql: string): WriteStatement {
  const c = new Cursor(stripStatement(sql));
  if (c.keyword('CREATE', 'TABLE')) {
    const ifNotExists = c.keyword('IF', 'NOT', 'EXISTS');
    const table = tableName(c);
    const props = c.keyword('WITH') ? properties(c) : new Map<string, PropertyValue>();
    c.expectKeyword('AS');
    let body = c.rest();
    let withData = true;
    const m = /\s+WITH\s+(NO\s+)?DATA\s*$/i.exec(body);
    if (m) {
      withData = m[1] === undefined;
      body = body.slice(0, m.index).trim();
    }
    return { kind: 'ctas', table, ifNotExists, properties: props, query: unwrap(body), withData };
  }
  if (c.keyword('INSERT', 'INTO')) {
    const table = tableName(c);
    let columns: string[] | undefined;
    const save = c.pos;
    if (c.punct('(')) {
      // A column list, unless the parenthesis opens the query itself: `INSERT INTO t (SELECT …)`.
      if (/^\s*((SELECT|WITH|VALUES|TABLE)\b|\()/i.test(c.text.slice(c.pos))) c.pos = save;
      else {
        columns = [];
        do columns.push(c.identifier().toLowerCase());
        while (c.punct(','));
        c.expect(')');
      }
    }
    const body = c.rest();
    if (body === '') throw new WriteSyntaxError("line 1:1: mismatched input '<EOF>'. Expecting: SELECT, VALUES, WITH");
    return { kind: 'insert', table, columns, query: body };
  }
  if (c.keyword('UNLOAD')) {
    c.expect('(');
    const query = c.balanced().trim();
    c.expectKeyword('TO');
    const location = c.string();
    if (location === undefined) throw new WriteSyntaxError(`line 1:${c.pos + 1}: mismatched input '${c.peekWord()}'. Expecting: <string>`);
    c.expectKeyword('WITH');
    const props = properties(c);
    if (c.rest() !== '') throw new WriteSyntaxError(`line 1:${c.pos + 1}: extraneous input '${c.peekWord()}'`);
    return { kind: 'unload', query, location, properties: props };
  }
  throw new WriteSyntaxError(`line 1:1: mismatched input '${c.peekWord()}'. Expecting: CREATE TABLE, INSERT INTO, UNLOAD`);
}

/** `(SELECT …)` → `SELECT …` when the parentheses enclose the whole query. */
function unwrap(body: string): string {
  const t = body.trim();
  if (!t.startsWith('(')) return t;
  const c = new Cursor(t);
  c.pos = 1;
  const inner = c.balanced();
  return c.rest() === '' ? inner.trim() : t;
}

export function qualifiedName(t: TableName, defaultSchema: string): { schema: string; name: string } {
  return { schema: t.schema ?? defaultSchema, name: t.name };
}
