/** Athena's text rendering of engine values (GetQueryResults VarCharValue and result CSV) and its ColumnInfo type names, from DuckDB types. */
import { zoneOfMicros } from '../dialect/zoned-timestamps.js';
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ColumnInfo } from './model.js';

/** Java's `Double.toString`: shortest round-trip digits, plain for 1e-3 ≤ |x| < 1e7, else `d.dddE±n`. */
export function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  return javaDigits(x, String(x));
}

/** Java's `Float.toString` for a value that is a 32-bit float: the shortest digits that read back as the same float. */
export function javaFloat(x: number): string {
  if (!Number.isFinite(x) || x === 0) return javaDouble(x);
  let text = String(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(x.toPrecision(p));
    if (Math.fround(candidate) === x) {
      text = String(candidate);
      break;
    }
  }
  return javaDigits(Number(text), text);
}

function javaDigits(x: number, shortest: string): string {
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = /e/i.test(shortest) ? x.toFixed(20).replace(/0+$/, '') : shortest;
    return plain.includes('.') ? (plain.endsWith('.') ? `${plain}0` : plain) : `${plain}.0`;
  }
  const [mantissa = '', exp = '0'] = Number(shortest).toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0');

function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  return `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` from epoch microseconds (millisecond precision, as Hive timestamps are). */
export function timestampText(micros: bigint): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const days = Number(ms >= 0n ? ms / 86_400_000n : -((-ms + 86_399_999n) / 86_400_000n));
  const inDay = Number(ms - BigInt(days) * 86_400_000n);
  return `${dateText(days)} ${timeOfDay(inDay)}`;
}

function timeOfDay(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
}

function decimalText(v: DuckDBDecimalValue): string {
  const neg = v.value < 0n;
  const digits = (neg ? -v.value : v.value).toString().padStart(v.scale + 1, '0');
  const body = v.scale > 0 ? `${digits.slice(0, -v.scale)}.${digits.slice(-v.scale)}` : digits;
  return neg ? `-${body}` : body;
}

function intervalText(v: DuckDBIntervalValue, type: DuckDBType): string {
  void type;
  if (v.months !== 0 && v.days === 0 && v.micros === 0n) {
    const sign = v.months < 0 ? '-' : '';
    const m = Math.abs(v.months);
    return `${sign}${Math.floor(m / 12)}-${m % 12}`;
  }
  const totalMs = BigInt(v.days) * 86_400_000n + v.micros / 1000n;
  const sign = totalMs < 0n ? '-' : '';
  const abs = totalMs < 0n ? -totalMs : totalMs;
  return `${sign}${abs / 86_400_000n} ${timeOfDay(Number(abs % 86_400_000n))}`;
}

/** Renders a value for a nested context (inside an array, map or row), where NULL prints as `null`. */
function nested(value: DuckDBValue, type: DuckDBType): string {
  return value === null ? 'null' : renderValue(value, type) ?? 'null';
}

/** Text of one value as Athena renders it, or undefined for NULL. */
export function renderValue(value: DuckDBValue, type: DuckDBType): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return value ? 'true' : 'false';
    case DuckDBTypeId.DOUBLE:
      return javaDouble(value as number);
    case DuckDBTypeId.FLOAT:
      return javaFloat(value as number);
    case DuckDBTypeId.DECIMAL:
      return decimalText(value as DuckDBDecimalValue);
    case DuckDBTypeId.DATE:
      return dateText((value as DuckDBDateValue).days);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_S:
      return timestampText(timestampMicros(value, type.typeId));
    case DuckDBTypeId.TIMESTAMP_TZ: {
      // The zone travels in the microseconds below Trino's milliseconds (zoned-timestamps.ts).
      const z = zoneOfMicros((value as { micros: bigint }).micros);
      return `${timestampText(BigInt(z.instantMs + z.offsetMinutes * 60_000) * 1000n)} ${z.zone}`;
    }
    case DuckDBTypeId.TIME:
      return timeOfDay(Number((value as DuckDBTimeValue).micros / 1000n));
    case DuckDBTypeId.BLOB:
      return [...(value as DuckDBBlobValue).bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    case DuckDBTypeId.INTERVAL:
      return intervalText(value as DuckDBIntervalValue, type);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const items = (value as DuckDBListValue | DuckDBArrayValue).items;
      const t = (type).valueType;
      return `[${items.map((i) => nested(i, t)).join(', ')}]`;
    }
    case DuckDBTypeId.MAP: {
      const mt = type;
      const entries = (value as DuckDBMapValue).entries.map((e) => ({ k: e.key, key: nested(e.key, mt.keyType), value: nested(e.value, mt.valueType) }));
      entries.sort((a, b) => compareKeys(a.k, b.k, a.key, b.key));
      return `{${entries.map((e) => `${e.key}=${e.value}`).join(', ')}}`;
    }
    case DuckDBTypeId.STRUCT: {
      const st = type;
      const entries = (value as DuckDBStructValue).entries;
      const unnamed = st.entryNames.every((n, i) => n === `field${i}` || n === '' || /^v\d+$/.test(n));
      return `{${st.entryNames.map((n, i) => (unnamed ? '' : `${n}=`) + nested(entries[n] ?? null, st.entryTypes[i]!)).join(', ')}}`;
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

function timestampMicros(value: DuckDBValue, id: DuckDBTypeId): bigint {
  const v = value as { micros?: bigint; millis?: bigint; nanos?: bigint; seconds?: bigint };
  if (id === DuckDBTypeId.TIMESTAMP_MS) return (v.millis ?? 0n) * 1000n;
  if (id === DuckDBTypeId.TIMESTAMP_NS) return (v.nanos ?? 0n) / 1000n;
  if (id === DuckDBTypeId.TIMESTAMP_S) return (v.seconds ?? 0n) * 1_000_000n;
  return v.micros ?? 0n;
}

function compareKeys(a: DuckDBValue, b: DuckDBValue, ta: string, tb: string): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Athena type name, precision and scale of a DuckDB result type (docs §A.5 ColumnInfo table). */
export function athenaType(type: DuckDBType): { type: string; precision: number; scale: number; caseSensitive: boolean } {
  const t = (name: string, precision = 0, scale = 0, caseSensitive = false) => ({ type: name, precision, scale, caseSensitive });
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return t('boolean');
    case DuckDBTypeId.TINYINT:
      return t('tinyint', 3);
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return t('smallint', 5);
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return t('integer', 10);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.HUGEINT:
      return t('bigint', 19);
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return t('decimal', 38);
    case DuckDBTypeId.FLOAT:
      return t('float', 17);
    case DuckDBTypeId.DOUBLE:
      return t('double', 17);
    case DuckDBTypeId.DECIMAL: {
      const d = type;
      return t('decimal', d.width, d.scale);
    }
    case DuckDBTypeId.VARCHAR:
      return type.alias?.toUpperCase() === 'JSON' ? t('json') : t('varchar', 2147483647, 0, true);
    case DuckDBTypeId.ENUM:
      return t('varchar', 2147483647, 0, true);
    case DuckDBTypeId.BLOB:
      return t('varbinary', 1073741824);
    case DuckDBTypeId.DATE:
      return t('date');
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_S:
      return t('timestamp', 3);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return t('timestamp with time zone', 3);
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
      return t('time', 3);
    case DuckDBTypeId.INTERVAL:
      return t('interval day to second');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return t('array');
    case DuckDBTypeId.MAP:
      return t('map');
    case DuckDBTypeId.STRUCT:
      return t('row');
    case DuckDBTypeId.UUID:
      return t('uuid');
    case DuckDBTypeId.SQLNULL:
      return t('unknown');
    default:
      return t('varchar', 2147483647, 0, true);
  }
}

/** ColumnInfo as Athena fills it for engine (DML) results. */
export function columnInfo(name: string, type: DuckDBType): ColumnInfo {
  const a = athenaType(type);
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: name,
    Label: name,
    Type: a.type,
    Precision: a.precision,
    Scale: a.scale,
    Nullable: 'UNKNOWN',
    CaseSensitive: a.caseSensitive,
  };
}

/** ColumnInfo of Hive UTILITY output columns (type `string`). */
export function stringColumn(name: string): ColumnInfo {
  return { CatalogName: 'hive', SchemaName: '', TableName: '', Name: name, Label: name, Type: 'string', Precision: 0, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: false };
}
