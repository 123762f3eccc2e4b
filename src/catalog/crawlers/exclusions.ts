/** Glue exclude patterns: globs relative to the include path (`*` within a path component, `**` across `/`, `?`, `[a-z]`/`[!a]`, `{a,b}`, `\` escapes). */

/** Compiles one glob to an anchored RegExp; throws on an unbalanced bracket or brace. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      re += escape(glob[++i]!);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) throw new Error(`unbalanced [ in ${glob}`);
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += escape(c);
  }
  if (braces !== 0) throw new Error(`unbalanced { in ${glob}`);
  return new RegExp(`^${re}$`, 's');
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/**
 * Tests keys relative to the include path. A key is excluded when a pattern matches it, or matches one of its
 * folders (excluding a folder excludes everything below it, as Glue prunes the folder while walking).
 */
export class ExclusionMatcher {
  readonly #patterns: RegExp[];

  constructor(globs: readonly string[]) {
    this.#patterns = globs.map(globToRegExp);
  }

  get empty(): boolean {
    return this.#patterns.length === 0;
  }

  excludes(relativeKey: string): boolean {
    if (this.#patterns.length === 0) return false;
    const key = relativeKey.replace(/^\/+/, '');
    for (const re of this.#patterns) {
      if (re.test(key)) return true;
      for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
        if (re.test(key.slice(0, i))) return true;
      }
    }
    return false;
  }
}
