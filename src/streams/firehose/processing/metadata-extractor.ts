/** Dynamic partitioning's MetadataExtraction processor: evaluates the jq query over each JSON record and yields its partition keys. */
import type { JqEvaluator } from './jq-evaluator.js';

export type Extraction = { readonly ok: true; readonly keys: Readonly<Record<string, string>> } | { readonly ok: false; readonly message: string };

const NON_JSON: Extraction = { ok: false, message: 'Non JSON record provided' };

/** Partition key values are strings; jq numbers and booleans are written as jq prints them. */
function keyValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export class MetadataExtractor {
  readonly #filter: string;

  constructor(
    private readonly jq: JqEvaluator,
    query: string,
  ) {
    // One output line per input: the query's single object result, or why there is none.
    this.#filter =
      `try ([${query}] | if length == 1 and (.[0] | type) == "object" then {ok: .[0]} ` +
      `else {bad: ("the query must produce one JSON object per record, it produced " + (length | tostring) + " value(s)")} end) ` +
      'catch {err: (. | tostring)}';
  }

  /** One result per record, in order. */
  async extract(records: readonly Buffer[]): Promise<Extraction[]> {
    const results: (Extraction | undefined)[] = new Array<Extraction | undefined>(records.length);
    const texts: string[] = [];
    const positions: number[] = [];
    records.forEach((r, i) => {
      const text = r.toString('utf8');
      try {
        JSON.parse(text);
        texts.push(text);
        positions.push(i);
      } catch {
        results[i] = NON_JSON;
      }
    });
    if (texts.length > 0) {
      const out = await this.jq.run(this.#filter, texts.join('\n'));
      const lines = out.split('\n').filter((l) => l !== '');
      if (lines.length !== texts.length) throw new Error(`jq produced ${lines.length} results for ${texts.length} records`);
      lines.forEach((line, k) => {
        results[positions[k]!] = this.#interpret(JSON.parse(line) as { ok?: Record<string, unknown>; bad?: string; err?: string });
      });
    }
    return results.map((r) => r ?? NON_JSON);
  }

  #interpret(r: { ok?: Record<string, unknown>; bad?: string; err?: string }): Extraction {
    if (r.ok === undefined) return { ok: false, message: r.bad ?? `jq error: ${r.err ?? 'unknown'}` };
    const keys: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.ok)) {
      const value = keyValue(v);
      if (value === undefined) return { ok: false, message: 'partitionKeys values must not be null or empty' };
      keys[k] = value;
    }
    return { ok: true, keys };
  }
}
