/** Splits SQL text into `;`-terminated statements and `\`-meta-command lines, aware of quotes, identifiers and comments. */

/** One unit of a script: an SQL statement (without its `;`) or a backslash meta-command line. */
export type ScriptItem =
  | { readonly kind: 'sql'; readonly text: string }
  | { readonly kind: 'meta'; readonly command: string; readonly args: readonly string[]; readonly text: string };

type State = 'normal' | 'single' | 'double' | 'backtick' | 'line-comment' | 'block-comment';

/** Parses `\cmd arg1 arg2;` (a trailing `;` is ignored) into a meta item. */
export function parseMeta(line: string): ScriptItem {
  const text = line.trim().replace(/[\s;]+$/, '');
  const m = /^\\(\S*)(?:\s+(.*))?$/s.exec(text);
  const command = m?.[1] ?? '';
  const rest = m?.[2]?.trim() ?? '';
  return { kind: 'meta', command, args: rest === '' ? [] : rest.split(/\s+/), text };
}

/**
 * Incremental splitter: feed text with `push` (any chunking, e.g. one line at a time with its `\n`),
 * call `end` at end of input. Single quotes (`''` escapes), double-quoted and backtick identifiers,
 * `--` line comments and `/* *\/` block comments hide `;`. A line whose first non-blank character is
 * `\` (outside quotes and comments) is a meta-command, ended by the newline, as in psql. Statements
 * holding only whitespace and comments are dropped.
 */
export class StatementSplitter {
  #buf = '';
  #state: State = 'normal';
  #hasContent = false;
  #atLineStart = true;
  #lineStart = 0;
  #meta: string | undefined;
  #carry = '';

  /** True when the input so far holds an unfinished statement (continuation prompt). */
  get pending(): boolean {
    return this.#hasContent || this.#carry !== '' || this.#state === 'single' || this.#state === 'double' || this.#state === 'backtick' || this.#state === 'block-comment';
  }

  /** Forgets any unfinished statement. */
  reset(): void {
    this.#buf = '';
    this.#state = 'normal';
    this.#hasContent = false;
    this.#atLineStart = true;
    this.#lineStart = 0;
    this.#meta = undefined;
    this.#carry = '';
  }

  push(chunk: string): ScriptItem[] {
    return this.#scan(this.#carry + chunk, false);
  }

  /** Flushes what is left at end of input: an unterminated statement is still returned. */
  end(): ScriptItem[] {
    const out = this.#scan(this.#carry, true);
    if (this.#meta !== undefined) out.push(parseMeta(`\\${this.#meta}`));
    if (this.#hasContent) out.push({ kind: 'sql', text: this.#buf.trim() });
    this.reset();
    return out;
  }

  #emitStatement(out: ScriptItem[]): void {
    if (this.#hasContent) out.push({ kind: 'sql', text: this.#buf.trim() });
    this.#buf = '';
    this.#hasContent = false;
    this.#lineStart = 0;
  }

  #scan(text: string, final: boolean): ScriptItem[] {
    this.#carry = '';
    const out: ScriptItem[] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.#meta !== undefined) {
        if (ch === '\n') {
          out.push(parseMeta(`\\${this.#meta}`));
          this.#meta = undefined;
          this.#atLineStart = true;
          this.#lineStart = this.#buf.length;
        } else {
          this.#meta += ch;
        }
        continue;
      }
      const next = text[i + 1];
      // A two-character token (`--`, `/*`, `*/`) may straddle chunks: keep its first half for the next push.
      if (next === undefined && !final && ((this.#state === 'normal' && (ch === '-' || ch === '/')) || (this.#state === 'block-comment' && ch === '*'))) {
        this.#carry = ch;
        break;
      }
      switch (this.#state) {
        case 'normal':
          if (this.#atLineStart && (ch === ' ' || ch === '\t' || ch === '\r')) {
            this.#buf += ch;
            continue;
          }
          if (this.#atLineStart && ch === '\\') {
            this.#buf = this.#buf.slice(0, this.#lineStart);
            this.#meta = '';
            continue;
          }
          this.#atLineStart = false;
          if (ch === ';') {
            this.#emitStatement(out);
            continue;
          }
          this.#buf += ch;
          if (ch === '\n') {
            this.#atLineStart = true;
            this.#lineStart = this.#buf.length;
          } else if (ch === '-' && next === '-') {
            this.#state = 'line-comment';
            this.#buf += next;
            i++;
          } else if (ch === '/' && next === '*') {
            this.#state = 'block-comment';
            this.#buf += next;
            i++;
          } else if (ch === "'") {
            this.#state = 'single';
            this.#hasContent = true;
          } else if (ch === '"') {
            this.#state = 'double';
            this.#hasContent = true;
          } else if (ch === '`') {
            this.#state = 'backtick';
            this.#hasContent = true;
          } else if (ch !== ' ' && ch !== '\t' && ch !== '\r') {
            this.#hasContent = true;
          }
          break;
        case 'single':
        case 'double':
        case 'backtick':
          this.#buf += ch;
          if (ch === (this.#state === 'single' ? "'" : this.#state === 'double' ? '"' : '`')) this.#state = 'normal';
          break;
        case 'line-comment':
          this.#buf += ch;
          if (ch === '\n') {
            this.#state = 'normal';
            this.#atLineStart = true;
            this.#lineStart = this.#buf.length;
          }
          break;
        case 'block-comment':
          this.#buf += ch;
          if (ch === '*' && next === '/') {
            this.#buf += next;
            i++;
            this.#state = 'normal';
          }
          break;
      }
    }
    return out;
  }
}

/** Splits a whole script at once. */
export function splitStatements(text: string): ScriptItem[] {
  const s = new StatementSplitter();
  return [...s.push(text), ...s.end()];
}
