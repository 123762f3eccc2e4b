/** JSON text of Firehose records: one or more concatenated/JSONL values, with numbers kept exact when they would lose precision. */

/** A JSON number whose text has more significant digits than a double keeps exactly (kept as written). */
export class LosslessNumber {
  constructor(readonly text: string) {}
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** Digits a double always round-trips (below this a number's text is parsed with Number()). */
const SAFE_DIGITS = 15;

/**
 * Parses every JSON value in `text` (concatenated `{..}{..}`, or one per line). With `precise`,
 * numbers with more than 15 significant-looking digits become LosslessNumber; objects are
 * null-prototype records, so a `__proto__` key is plain data.
 */
export function parseJsonValues(text: string, precise: boolean): unknown[] {
  return new JsonParser(text, precise).values();
}

class JsonParser {
  #pos = 0;

  constructor(
    private readonly text: string,
    private readonly precise: boolean,
  ) {}

  values(): unknown[] {
    const out: unknown[] = [];
    if (this.text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#space();
    while (this.#pos < this.text.length) {
      out.push(this.#value(0));
      this.#space();
    }
    return out;
  }

  #fail(what: string): never {
    const at = this.#pos < this.text.length ? `'${this.text.charAt(this.#pos)}'` : 'end of input';
    throw new JsonSyntaxError(`${what}, found ${at} at character ${this.#pos}`);
  }

  #space(): void {
    const t = this.text;
    let p = this.#pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.#pos = p;
  }

  #value(depth: number): unknown {
    if (depth > 1000) this.#fail('JSON nested too deeply');
    this.#space();
    const c = this.text.charAt(this.#pos);
    switch (c) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.#number();
        return this.#fail('Expected a JSON value');
    }
  }

  #literal(word: string, value: unknown): unknown {
    if (!this.text.startsWith(word, this.#pos)) this.#fail(`Expected '${word}'`);
    this.#pos += word.length;
    return value;
  }

  #number(): number | LosslessNumber {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = this.#pos;
    const m = re.exec(this.text);
    if (!m) return this.#fail('Invalid number');
    const s = m[0];
    this.#pos += s.length;
    if (this.precise) {
      const mantissa = s.replace(/[eE].*$/, '');
      let digits = 0;
      for (let i = 0; i < mantissa.length; i++) {
        const d = mantissa.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) digits++;
      }
      if (digits > SAFE_DIGITS) return new LosslessNumber(s);
    }
    return Number(s);
  }

  #string(): string {
    const t = this.text;
    const start = this.#pos + 1;
    let p = start;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.#pos = p;
        this.#fail('Unterminated string');
      }
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) {
        this.#pos = p;
        this.#fail('Control character in string');
      }
      p++;
    }
    this.#pos = p + 1;
    if (!escaped) return t.slice(start, p);
    try {
      return JSON.parse(t.slice(start - 1, p + 1)) as string;
    } catch {
      this.#pos = start;
      return this.#fail('Invalid escape in string');
    }
  }

  #array(depth: number): unknown[] {
    this.#pos++;
    const out: unknown[] = [];
    this.#space();
    if (this.text.charAt(this.#pos) === ']') {
      this.#pos++;
      return out;
    }
    for (;;) {
      out.push(this.#value(depth + 1));
      this.#space();
      const c = this.text.charAt(this.#pos);
      this.#pos++;
      if (c === ']') return out;
      if (c !== ',') {
        this.#pos--;
        this.#fail("Expected ',' or ']'");
      }
    }
  }

  #object(depth: number): Record<string, unknown> {
    this.#pos++;
    const out = Object.create(null) as Record<string, unknown>;
    this.#space();
    if (this.text.charAt(this.#pos) === '}') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#space();
      if (this.text.charAt(this.#pos) !== '"') this.#fail('Expected a string key');
      const key = this.#string();
      this.#space();
      if (this.text.charAt(this.#pos) !== ':') this.#fail("Expected ':'");
      this.#pos++;
      out[key] = this.#value(depth + 1);
      this.#space();
      const c = this.text.charAt(this.#pos);
      this.#pos++;
      if (c === '}') return out;
      if (c !== ',') {
        this.#pos--;
        this.#fail("Expected ',' or '}'");
      }
    }
  }
}

/** JSON text of a parsed value, writing LosslessNumber digits as they were. */
export function stringifyJson(value: unknown): string {
  if (value instanceof LosslessNumber) return value.text;
  if (Array.isArray(value)) return '[' + value.map((v) => stringifyJson(v)).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) parts.push(JSON.stringify(k) + ':' + stringifyJson(v));
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(value) ?? 'null';
}
