/** Splits a request target into the raw (still encoded) path and decoded query pairs, keeping `+` literal as SigV4 requires. */

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface RequestTarget {
  readonly rawPath: string;
  readonly query: Array<readonly [string, string]>;
}

export function parseTarget(url: string): RequestTarget {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query: Array<readonly [string, string]> = [];
  if (q >= 0) {
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      query.push(eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
    }
  }
  return { rawPath: rawPath === '' ? '/' : rawPath, query };
}
