/**
 * Partition projection (`projection.enabled=true`): partitions are computed from the table's `projection.<col>.*`
 * properties (enum, integer, date, injected) instead of read from Glue, pruned by the query's conjuncts, and located
 * with `storage.location.template` (`${col}` substituted; default `<location>/col=value/`). Injected columns need
 * an equality (or IN) predicate.
 */
import type { Table } from '../../catalog/model.js';
import { QueryFailure } from '../athena/athena-errors.js';
import { addUnits, finestUnit, formatJavaDate, parseJavaDate } from './java-date-format.js';
import type { Conjunct } from './partition-pruning.js';

export const MAX_PROJECTED_PARTITIONS = 1_000_000;

export const projectionEnabled = (table: Table): boolean => (table.Parameters?.['projection.enabled'] ?? '').trim().toLowerCase() === 'true';

const NUMERIC = /^(tinyint|smallint|int|integer|bigint|float|double|decimal)/i;

function matches(value: string, type: string, c: Conjunct): boolean {
  const numeric = NUMERIC.test(type);
  const cmp = (lit: string | number): number | undefined => {
    if (numeric) {
      if (typeof lit !== 'number' && !/^-?\d+(\.\d+)?$/.test(lit)) return undefined;
      return Number(value) - Number(lit);
    }
    if (typeof lit !== 'string') return undefined;
    return value < lit ? -1 : value > lit ? 1 : 0;
  };
  const test = (lit: string | number, ok: (d: number) => boolean): boolean => {
    const d = cmp(lit);
    return d === undefined || ok(d);
  };
  switch (c.op) {
    case '=':
      return test(c.value, (d) => d === 0);
    case '<':
      return test(c.value, (d) => d < 0);
    case '<=':
      return test(c.value, (d) => d <= 0);
    case '>':
      return test(c.value, (d) => d > 0);
    case '>=':
      return test(c.value, (d) => d >= 0);
    case 'IN':
      return c.values.some((v) => test(v, (d) => d === 0));
    case 'BETWEEN':
      return test(c.low, (d) => d >= 0) && test(c.high, (d) => d <= 0);
  }
}

/** Evaluates a date range end: a value in `format`, or `NOW[+-N UNIT]`. */
function dateBound(text: string, format: string, now: Date): Date | undefined {
  const m = /^\s*NOW\s*(?:([+-])\s*([0-9]+)\s*(YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?)\s*)?$/i.exec(text);
  if (m) return m[1] ? addUnits(now, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3]!) : now;
  return parseJavaDate(text, format);
}

function candidates(table: Table, col: string, type: string, conj: readonly Conjunct[], now: Date): string[] {
  const p = (k: string): string | undefined => table.Parameters?.[`projection.${col}.${k}`];
  const kind = (p('type') ?? '').trim().toLowerCase();
  const mine = conj.filter((c) => c.column === col);
  const keep = (vals: string[]): string[] => vals.filter((v) => mine.every((c) => matches(v, type, c)));
  const fullName = `${table.DatabaseName}.${table.Name}`;
  if (kind === 'enum') return keep((p('values') ?? '').split(','));
  if (kind === 'integer') {
    const [lo = 0, hi = -1] = (p('range') ?? '').split(',').map((x) => Number(x.trim()));
    const step = Number(p('interval') ?? '1') || 1;
    const digits = Number(p('digits') ?? '0') || 0;
    const out: string[] = [];
    for (let v = lo; v <= hi && out.length <= MAX_PROJECTED_PARTITIONS; v += step) out.push(digits > 0 ? `${v < 0 ? '-' : ''}${String(Math.abs(v)).padStart(digits, '0')}` : String(v));
    return keep(out);
  }
  if (kind === 'date') {
    const format = p('format') ?? 'yyyy-MM-dd';
    const [a = '', b = ''] = (p('range') ?? '').split(',');
    const start = dateBound(a, format, now);
    const end = dateBound(b, format, now);
    if (!start || !end) throw new QueryFailure('HIVE_INVALID_METADATA', `Invalid projection range for column ${col} of table ${fullName}: ${p('range') ?? ''}`);
    const unit = p('interval.unit') ?? finestUnit(format);
    const step = Number(p('interval') ?? '1') || 1;
    const out: string[] = [];
    for (let d = start, i = 1; d.getTime() <= end.getTime() && out.length <= MAX_PROJECTED_PARTITIONS; d = addUnits(start, step * i++, unit)) out.push(formatJavaDate(d, format));
    return keep([...new Set(out)]);
  }
  if (kind === 'injected') {
    const eq = mine.filter((c) => c.op === '=' || c.op === 'IN');
    if (eq.length === 0 || eq.length !== mine.length) {
      throw new QueryFailure(
        'CONSTRAINT_VIOLATION',
        `For the injected projected partition column ${col}, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.`,
      );
    }
    const sets = eq.map((c): string[] => (c.op === 'IN' ? c.values.map(String) : c.op === '=' ? [String(c.value)] : []));
    return sets.reduce((acc, s) => acc.filter((v) => s.includes(v)));
  }
  throw new QueryFailure(
    'HIVE_METASTORE_ERROR',
    `Table ${fullName} is configured for partition projection, but the following partition columns are missing projection configuration: [${col}] (table ${fullName})`,
  );
}

/** Every projected partition (values in key order, location) that the conjuncts do not rule out. */
export function projectedPartitions(table: Table, conj: readonly Conjunct[], now = new Date()): { values: string[]; location: string }[] {
  const keys = (table.PartitionKeys ?? []).map((k) => ({ name: k.Name!.toLowerCase(), type: k.Type ?? 'string' }));
  const lists = keys.map((k) => candidates(table, k.name, k.type, conj, now));
  const total = lists.reduce((n, l) => n * l.length, 1);
  if (total > MAX_PROJECTED_PARTITIONS) {
    throw new QueryFailure('HIVE_EXCEEDED_PARTITION_LIMIT', `Query over table '${table.DatabaseName}.${table.Name}' can potentially read more than ${MAX_PROJECTED_PARTITIONS} partitions.`);
  }
  let combos: string[][] = [[]];
  for (const l of lists) combos = combos.flatMap((c) => l.map((v) => [...c, v]));
  const template = table.Parameters?.['storage.location.template'];
  const base = table.StorageDescriptor?.Location ?? '';
  return combos.map((values) => {
    const location = template
      ? keys.reduce((t, k, i) => t.replaceAll(`\${${k.name}}`, values[i]!), template)
      : `${base.endsWith('/') ? base : `${base}/`}${keys.map((k, i) => `${k.name}=${values[i]}`).join('/')}/`;
    return { values, location };
  });
}
