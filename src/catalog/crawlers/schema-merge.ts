/** Inferred Hive types as JSON-serializable trees: widening merge across records and files, rendering to Glue type strings, schema similarity. */

/** A primitive Hive type name (`int`, `bigint`, `double`, `decimal(10,2)`, …). */
export interface PrimitiveType {
  readonly kind: 'primitive';
  readonly name: string;
}
export interface ArrayType {
  readonly kind: 'array';
  readonly element: HiveType;
}
export interface StructType {
  readonly kind: 'struct';
  readonly fields: readonly Field[];
}
export interface MapType {
  readonly kind: 'map';
  readonly key: HiveType;
  readonly value: HiveType;
}
/** No information yet (JSON null, empty array element): merges into anything, renders as `string`. */
export interface UnknownType {
  readonly kind: 'unknown';
}
export type HiveType = PrimitiveType | ArrayType | StructType | MapType | UnknownType;

export interface Field {
  readonly name: string;
  readonly type: HiveType;
}

export const UNKNOWN: UnknownType = { kind: 'unknown' };
const primitives = new Map<string, PrimitiveType>();
export function primitive(name: string): PrimitiveType {
  let p = primitives.get(name);
  if (!p) primitives.set(name, (p = { kind: 'primitive', name }));
  return p;
}

/** Numeric widening order used when two files or records disagree. */
const NUMERIC_RANK: Readonly<Record<string, number>> = { tinyint: 1, smallint: 2, int: 3, bigint: 4, float: 5, double: 6 };

function mergePrimitive(a: string, b: string): string {
  if (a === b) return a;
  const ra = NUMERIC_RANK[a];
  const rb = NUMERIC_RANK[b];
  if (ra !== undefined && rb !== undefined) {
    const wide = ra >= rb ? a : b;
    // float with a 64-bit integer loses precision: Glue widens to double.
    return wide === 'float' && (a === 'bigint' || b === 'bigint') ? 'double' : wide;
  }
  if (a.startsWith('decimal') && rb !== undefined) return rb >= 5 ? 'double' : a;
  if (b.startsWith('decimal') && ra !== undefined) return ra >= 5 ? 'double' : b;
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  return 'string';
}

/** Merges the fields of two structs (or two top-level schemas): union by case-insensitive name, first-seen order, types widened. */
export function mergeFields(a: readonly Field[], b: readonly Field[]): Field[] {
  if (a === b || b.length === 0) return a as Field[];
  if (a.length === 0) return b as Field[];
  if (a.length === b.length) {
    // Fast path: same columns in the same order whose types already cover b's.
    let same = true;
    for (let i = 0; same && i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      same = x.name === y.name && mergeTypes(x.type, y.type) === x.type;
    }
    if (same) return a as Field[];
  }
  const out: Field[] = [...a];
  const index = new Map<string, number>();
  a.forEach((f, i) => index.set(f.name.toLowerCase(), i));
  for (const f of b) {
    const i = index.get(f.name.toLowerCase());
    if (i === undefined) {
      index.set(f.name.toLowerCase(), out.length);
      out.push(f);
    } else {
      const cur = out[i]!;
      const t = mergeTypes(cur.type, f.type);
      if (t !== cur.type) out[i] = { name: cur.name, type: t };
    }
  }
  return out;
}

/** The narrowest type that holds both (Glue's widening: int → bigint → double, structs unioned, else string). */
export function mergeTypes(a: HiveType, b: HiveType): HiveType {
  if (a === b) return a;
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === 'primitive' && b.kind === 'primitive') {
    const m = mergePrimitive(a.name, b.name);
    return m === a.name ? a : m === b.name ? b : primitive(m);
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const e = mergeTypes(a.element, b.element);
    return e === a.element ? a : { kind: 'array', element: e };
  }
  if (a.kind === 'struct' && b.kind === 'struct') {
    const f = mergeFields(a.fields, b.fields);
    return f === a.fields ? a : { kind: 'struct', fields: f };
  }
  if (a.kind === 'map' && b.kind === 'map') return { kind: 'map', key: mergeTypes(a.key, b.key), value: mergeTypes(a.value, b.value) };
  return primitive('string');
}

/** Hive type string, e.g. `array<struct<a:int,b:string>>`; unknown renders as `string`. */
export function renderType(t: HiveType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'unknown':
      return 'string';
    case 'array':
      return `array<${renderType(t.element)}>`;
    case 'map':
      return `map<${renderType(t.key)},${renderType(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${renderType(f.type)}`).join(',')}>`;
  }
}

/** Two schemas are similar when the columns they share (same name) are this large a part of the smaller one. */
export function similarity(a: readonly Field[], b: readonly Field[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const names = new Set(a.map((f) => f.name.toLowerCase()));
  let common = 0;
  for (const f of b) if (names.has(f.name.toLowerCase())) common++;
  return common / Math.min(a.length, b.length);
}
