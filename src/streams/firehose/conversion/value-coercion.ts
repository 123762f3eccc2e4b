/** Coerces parsed JSON values to Hive column types, following the OpenX / Hive JSON SerDe rules; failures carry the column path. */
import { LosslessNumber, stringifyJson } from './json-text.js';
import type { HiveStructField, HiveType } from './model.js';
import { parseDate } from './timestamp-formats.js';

/** A value that does not fit its column type (reported as DataFormatConversion.MalformedData). */
export class MalformedValue extends Error {
  override readonly name = 'MalformedValue';
  readonly path: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }
  get column(): string {
    return this.path.join('.').replaceAll('.[', '[');
  }
}

/** A bigint arrived as a JSON number beyond ±2^53: the record must be re-parsed keeping every digit. */
export class PrecisionLost extends Error {
  override readonly name = 'PrecisionLost';
}

export interface CoercionOptions {
  /** Lower-case every JSON object key (OpenX CaseInsensitive; Hive matches field names case-insensitively). */
  readonly lowerCaseKeys: boolean;
  /** Also lower-case map keys (OpenX lowercases all JSON keys; the Hive SerDe leaves map keys alone). */
  readonly lowerCaseMapKeys: boolean;
  /** OpenX ConvertDotsInJsonKeysToUnderscores. */
  readonly dotsToUnderscores: boolean;
  /** Struct field name → JSON key (OpenX ColumnToJsonKeyMappings; applies at every struct level, as in OpenX). */
  readonly mappings: ReadonlyMap<string, string>;
  /** Numbers and booleans given as JSON strings are accepted (OpenX), or rejected (Hive). */
  readonly lenientStrings: boolean;
  /** Objects/arrays landing in string columns become JSON text (OpenX), or are rejected (Hive). */
  readonly nestedToString: boolean;
  /** OpenX: a JSON array given for a struct fills its fields by position. */
  readonly arrayAsStruct: boolean;
  readonly parseTimestamp: (text: string) => string | undefined;
}

export type Coercer = (v: unknown) => unknown;

const MAX_SHOWN = 80;

/** Short rendering of a JSON value for error messages. */
export function describeValue(v: unknown): string {
  let s: string;
  if (v instanceof LosslessNumber) s = v.text;
  else if (typeof v === 'string') s = JSON.stringify(v);
  else if (Array.isArray(v)) s = 'array ' + stringifyJson(v);
  else if (v !== null && typeof v === 'object') s = 'object ' + stringifyJson(v);
  else s = String(v);
  return s.length > MAX_SHOWN ? s.slice(0, MAX_SHOWN) + '…' : s;
}

function fail(v: unknown, type: string, why = ''): never {
  throw new MalformedValue(`cannot convert ${describeValue(v)} to ${type}${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof LosslessNumber);

const INT_RANGES = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
} as const;

function integerCoercer(kind: keyof typeof INT_RANGES, o: CoercionOptions): Coercer {
  const [minB, maxB] = INT_RANGES[kind];
  const min = Number(minB), max = Number(maxB);
  const fromText = (v: unknown, text: string, hexAllowed: boolean): number | bigint => {
    let b: bigint;
    if (/^[+-]?\d+$/.test(text)) b = BigInt(text);
    else if (hexAllowed && /^0[xX][0-9a-fA-F]+$/.test(text)) b = BigInt('0x' + text.slice(2));
    else {
      const n = Number(text);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isSafeInteger(n)) return fail(v, kind, hexAllowed ? '' : ' (not an integer)');
      b = BigInt(n);
    }
    if (b < minB || b > maxB) return fail(v, kind, ' (out of range)');
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  };
  return (v) => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= min && v <= max && (kind !== 'bigint' || Number.isSafeInteger(v))) return v;
      if (kind === 'bigint' && Number.isInteger(v) && Math.abs(v) < 1e20) throw new PrecisionLost();
      return fail(v, kind, Number.isInteger(v) ? ' (out of range)' : ' (not an integer)');
    }
    if (v instanceof LosslessNumber) return fromText(v, v.text, false);
    if (typeof v === 'string' && o.lenientStrings) return fromText(v, v, true);
    return fail(v, kind);
  };
}

const FLOAT_TEXT = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;

function floatCoercer(kind: 'float' | 'double', o: CoercionOptions): Coercer {
  const round = kind === 'float' ? Math.fround : (n: number) => n;
  return (v) => {
    if (typeof v === 'number') return round(v);
    if (v instanceof LosslessNumber) return round(Number(v.text));
    if (typeof v === 'string' && o.lenientStrings) {
      const t = v.trim();
      if (FLOAT_TEXT.test(t) && !/(NaN|Infinity)[fFdD]$/.test(t)) return round(Number(t.replace(/[fFdD]$/, '').replace(/^([+-]?)NaN$/, 'NaN')));
    }
    return fail(v, kind);
  };
}

const SIMPLE_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Canonical decimal text rounded HALF_UP to `scale`, or undefined when it is not a number or does not fit `precision`. */
export function normalizeDecimal(text: string, precision: number, scale: number): string | undefined {
  const simple = SIMPLE_DECIMAL.exec(text);
  if (simple) {
    // Fast path: plain digits whose fraction fits the scale need no rounding.
    const int = (simple[2] ?? '').replace(/^0+(?=\d)/, '');
    const frac = simple[3] ?? '';
    if (frac.length <= scale && int.length <= precision - scale) {
      const zero = /^0*$/.test(int + frac);
      return (simple[1] === '-' && !zero ? '-' : '') + (scale > 0 ? int + '.' + frac.padEnd(scale, '0') : int);
    }
  }
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const intDigits = m[2] ?? '', fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isFinite(exp) || exp > 1000) return /^0*$/.test(intDigits + fracDigits) ? normalizeDecimal('0', precision, scale) : undefined;
  let digits = (intDigits + fracDigits).replace(/^0+/, '');
  let point = intDigits.length + exp - (intDigits.length + fracDigits.length - digits.length); // position of the point within `digits`
  if (digits === '') {
    digits = '0';
    point = 1;
  }
  if (point < -scale - 1) return normalizeDecimal('0', precision, scale);
  // Scale to an integer count of 10^-scale units, rounding half up on the first dropped digit.
  const keep = point + scale;
  let units: bigint;
  if (keep >= digits.length) units = BigInt(digits + '0'.repeat(keep - digits.length));
  else {
    units = keep > 0 ? BigInt(digits.slice(0, keep)) : 0n;
    const next = keep >= 0 ? digits.charCodeAt(keep) - 48 : 0;
    if (next >= 5) units += 1n;
  }
  let s = units.toString();
  if (s.length > precision) return undefined;
  s = s.padStart(scale + 1, '0');
  const negative = m[1] === '-' && units !== 0n;
  return (negative ? '-' : '') + (scale > 0 ? s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale) : s);
}

function decimalCoercer(precision: number, scale: number, o: CoercionOptions): Coercer {
  const type = `decimal(${precision},${scale})`;
  return (v) => {
    let text: string;
    if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
    else if (v instanceof LosslessNumber) text = v.text;
    else if (typeof v === 'string' && o.lenientStrings) text = v.trim();
    else return fail(v, type);
    return normalizeDecimal(text, precision, scale) ?? fail(v, type, DECIMAL_TEXT.test(text) ? ' (too many digits)' : '');
  };
}

type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** Lone surrogates (not encodable as UTF-8) become U+FFFD. */
const wellFormed = (s: string): string => ((s as WellFormedString).isWellFormed() ? s : (s as WellFormedString).toWellFormed());

function truncateCodePoints(s: string, n: number): string {
  if (s.length <= n) return s;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    if (count === n) return s.slice(0, i);
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    count++;
  }
  return s;
}

function stringCoercer(length: number | undefined, type: string, o: CoercionOptions): Coercer {
  return (v) => {
    let s: string;
    if (typeof v === 'string') s = wellFormed(v);
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else if (v instanceof LosslessNumber) s = v.text;
    else if (o.nestedToString) s = stringifyJson(v);
    else return fail(v, type, ' (nested JSON is not converted to a string by the Hive JSON SerDe)');
    return length === undefined ? s : truncateCodePoints(s, length);
  };
}

function withPath<T>(segment: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MalformedValue) e.path.unshift(segment);
    throw e;
  }
}

/** Reads a JSON object into a positional struct value (missing fields null, unknown keys dropped). */
export function compileStructReader(fields: readonly HiveStructField[], o: CoercionOptions): (obj: Record<string, unknown>) => unknown[] {
  const coercers = fields.map((f) => compileCoercer(f.type, o));
  const names = fields.map((f) => f.name);
  const index = new Map<string, number[]>();
  fields.forEach((f, i) => {
    const mapped = o.mappings.get(f.name);
    const key = mapped === undefined ? f.name : o.lowerCaseKeys ? mapped.toLowerCase() : mapped;
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  });
  const n = fields.length;
  const { lowerCaseKeys, dotsToUnderscores } = o;
  return (obj) => {
    const row: unknown[] = new Array<unknown>(n).fill(null);
    const direct = dotsToUnderscores ? new Uint8Array(n) : undefined;
    for (const key in obj) {
      const k = lowerCaseKeys ? key.toLowerCase() : key;
      let idxs = index.get(k);
      let isDirect = true;
      if (idxs === undefined) {
        if (!direct || !k.includes('.')) continue;
        idxs = index.get(k.replaceAll('.', '_'));
        if (idxs === undefined) continue;
        isDirect = false;
      }
      for (const i of idxs) {
        if (direct) {
          if (!isDirect && direct[i] === 1) continue;
          if (isDirect) direct[i] = 1;
        }
        const v = obj[key];
        if (v === null) {
          row[i] = null;
          continue;
        }
        try {
          row[i] = (coercers[i] as Coercer)(v);
        } catch (e) {
          if (e instanceof MalformedValue) e.path.unshift(names[i] ?? '');
          throw e;
        }
      }
    }
    return row;
  };
}

function nullable(c: Coercer): Coercer {
  return (v) => (v === null || v === undefined ? null : c(v));
}

/** Compiles the coercer for one Hive type (null stays null at every level). */
export function compileCoercer(t: HiveType, o: CoercionOptions): Coercer {
  switch (t.kind) {
    case 'boolean':
      return nullable((v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string' && o.lenientStrings) {
          const l = v.toLowerCase();
          if (l === 'true' || l === 'false') return l === 'true';
        }
        return fail(v, 'boolean');
      });
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return nullable(integerCoercer(t.kind, o));
    case 'float':
    case 'double':
      return nullable(floatCoercer(t.kind, o));
    case 'decimal':
      return nullable(decimalCoercer(t.precision, t.scale, o));
    case 'string':
      return nullable(stringCoercer(undefined, 'string', o));
    case 'char':
    case 'varchar':
      return nullable(stringCoercer(t.length, `${t.kind}(${t.length})`, o));
    case 'date':
      return nullable((v) => (typeof v === 'string' ? parseDate(v) : undefined) ?? fail(v, 'date', ' (expected yyyy-MM-dd)'));
    case 'timestamp':
      return nullable((v) => {
        const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v instanceof LosslessNumber ? v.text : undefined;
        return (text === undefined ? undefined : o.parseTimestamp(text)) ?? fail(v, 'timestamp', ' (unrecognized timestamp format)');
      });
    case 'binary':
      return nullable((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : fail(v, 'binary')));
    case 'array': {
      const element = compileCoercer(t.element, o);
      return nullable((v) => (Array.isArray(v) ? v.map((e, i) => withPath(`[${i}]`, () => element(e))) : fail(v, 'array')));
    }
    case 'map': {
      const key = compileCoercer(t.key, { ...o, lenientStrings: true });
      const value = compileCoercer(t.value, o);
      return nullable((v) => {
        if (!isObject(v)) return fail(v, 'map');
        const out = new Map<string, [unknown, unknown]>();
        for (const rawKey in v) {
          const k = o.lowerCaseMapKeys ? rawKey.toLowerCase() : rawKey;
          const ck = withPath(`[${JSON.stringify(k)}]`, () => key(k));
          const id = ck instanceof Uint8Array ? Buffer.from(ck).toString('base64') : String(ck);
          out.set(id, [ck, withPath(`[${JSON.stringify(k)}]`, () => value(v[rawKey]))]);
        }
        return [...out.values()];
      });
    }
    case 'struct': {
      const read = compileStructReader(t.fields, o);
      const fieldCoercers = t.fields.map((f) => compileCoercer(f.type, o));
      return nullable((v) => {
        if (isObject(v)) return read(v);
        if (Array.isArray(v) && o.arrayAsStruct) {
          if (v.length === 0) return null;
          return fieldCoercers.map((c, i) => withPath(t.fields[i]?.name ?? '', () => c(v[i] ?? null)));
        }
        return fail(v, 'struct');
      });
    }
  }
}
