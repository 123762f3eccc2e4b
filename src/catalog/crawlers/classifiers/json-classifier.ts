/** The built-in JSON classifier: JSON lines, concatenated or pretty-printed JSON objects, or one JSON array document; types inferred straight from the text. */
import { estimateRecords, type ClassifyResult, type TextSample } from './classification.js';
import { mergeFields, mergeTypes, primitive, UNKNOWN, type Field, type HiveType } from '../schema-merge.js';

class JsonSyntaxError extends Error {}

const INT = primitive('int');
const BIGINT = primitive('bigint');
const DOUBLE = primitive('double');
const STRING = primitive('string');
const BOOLEAN = primitive('boolean');
const INT32_MAX = 2147483647;
const INT64_MAX = 9223372036854775807n;

/** A recursive-descent JSON scanner that yields the Hive type of each value without building it. */
class TypeScanner {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    let i = this.pos;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.pos = i;
  }

  fail(): never {
    throw new JsonSyntaxError(`invalid JSON at ${this.pos}`);
  }

  value(depth = 0): HiveType {
    if (depth > 200) this.fail();
    this.ws();
    const c = this.s.charCodeAt(this.pos);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) {
      this.string();
      return STRING;
    }
    if (c === 116) return this.literal('true', BOOLEAN);
    if (c === 102) return this.literal('false', BOOLEAN);
    if (c === 110) return this.literal('null', UNKNOWN);
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    return this.fail();
  }

  literal(word: string, t: HiveType): HiveType {
    if (!this.s.startsWith(word, this.pos)) this.fail();
    this.pos += word.length;
    return t;
  }

  number(): HiveType {
    const s = this.s;
    const start = this.pos;
    let i = start;
    let fractional = false;
    if (s.charCodeAt(i) === 45) i++;
    const digitsStart = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) i++;
      else if (c === 46 || c === 101 || c === 69 || c === 43 || (c === 45 && i > start)) {
        fractional = true;
        i++;
      } else break;
    }
    if (i === digitsStart) this.fail();
    this.pos = i;
    if (fractional) return DOUBLE;
    const digits = i - digitsStart;
    if (digits <= 9) return INT;
    const n = BigInt(s.slice(start, i));
    if (n <= BigInt(INT32_MAX) && n >= -BigInt(INT32_MAX) - 1n) return INT;
    return n <= INT64_MAX && n >= -INT64_MAX - 1n ? BIGINT : DOUBLE;
  }

  /** Skips a string; returns its value only when asked (object keys). */
  string(keep = false): string {
    const s = this.s;
    let i = this.pos + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (Number.isNaN(c)) this.fail();
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
      } else i++;
    }
    const raw = keep ? s.slice(this.pos, i + 1) : '';
    this.pos = i + 1;
    if (!keep) return '';
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  object(depth: number): HiveType {
    this.pos++;
    const fields: Field[] = [];
    const seen = new Map<string, number>();
    this.ws();
    if (this.s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return { kind: 'struct', fields };
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 34) this.fail();
      const name = this.string(true);
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 58) this.fail();
      this.pos++;
      const type = this.value(depth + 1);
      const key = name.toLowerCase();
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, fields.length);
        fields.push({ name, type });
      } else fields[at] = { name: fields[at]!.name, type: mergeTypes(fields[at]!.type, type) };
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 125) return { kind: 'struct', fields };
      if (c !== 44) this.fail();
    }
  }

  array(depth: number): HiveType {
    this.pos++;
    let element: HiveType = UNKNOWN;
    this.ws();
    if (this.s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return { kind: 'array', element };
    }
    for (;;) {
      element = mergeTypes(element, this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 93) return { kind: 'array', element };
      if (c !== 44) this.fail();
    }
  }
}

/** The type of one JSON text (exported for tests). */
export function inferJsonType(text: string): HiveType {
  const scanner = new TypeScanner(text);
  const t = scanner.value();
  scanner.ws();
  if (scanner.pos !== text.length) scanner.fail();
  return t;
}

/**
 * Classifies a sample as JSON: a sequence of objects (one per line or pretty-printed) gives their merged fields;
 * one top-level array gives Glue's single `array` column. A truncated last record of a partial sample is ignored.
 */
export function classifyJson(sample: TextSample): ClassifyResult | undefined {
  const text = sample.text.charCodeAt(0) === 0xfeff ? sample.text.slice(1) : sample.text;
  const scanner = new TypeScanner(text);
  scanner.ws();
  const first = text.charCodeAt(scanner.pos);
  if (first !== 123 && first !== 91) return undefined;
  let columns: Field[] = [];
  let records = 0;
  let arrayDoc = false;
  try {
    for (;;) {
      scanner.ws();
      if (scanner.pos >= text.length) break;
      const start = scanner.pos;
      let t: HiveType;
      try {
        t = scanner.value();
      } catch (err) {
        // A partial sample ends inside a record: keep what was read before it.
        if (!sample.complete && records > 0 && err instanceof JsonSyntaxError && scanner.pos >= text.length - 1) break;
        if (!sample.complete && records > 0 && err instanceof JsonSyntaxError && text.indexOf('\n', start) < 0) break;
        throw err;
      }
      if (t.kind === 'struct' && !arrayDoc) {
        columns = mergeFields(columns, t.fields);
        records++;
      } else if (t.kind === 'array' && records === 0 && !arrayDoc) {
        arrayDoc = true;
        columns = [{ name: 'array', type: t }];
        records = 1;
      } else return undefined;
    }
  } catch (err) {
    if (err instanceof JsonSyntaxError || err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (records === 0) return undefined;
  return { schema: { classification: 'json', compression: sample.compression, columns }, records: estimateRecords(records, sample) };
}
