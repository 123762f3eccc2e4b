/** Unit tests for partition projection: enum/integer/date/injected enumeration, pruning, templates and errors. */
import { describe, expect, it } from 'vitest';
import type { Table } from '../../catalog/model.js';
import { formatJavaDate, parseJavaDate } from './java-date-format.js';
import { projectedPartitions } from './partition-projection.js';

const table = (keys: [string, string][], params: Record<string, string>): Table => ({
  Name: 't',
  DatabaseName: 'db',
  PartitionKeys: keys.map(([Name, Type]) => ({ Name, Type })),
  StorageDescriptor: { Location: 's3://b/root' },
  Parameters: { 'projection.enabled': 'true', ...params },
});

describe('projectedPartitions', () => {
  it('enumerates integer ranges with digits and enum values, default Hive-style locations', () => {
    const t = table([['n', 'int'], ['c', 'string']], { 'projection.n.type': 'integer', 'projection.n.range': '8,12', 'projection.n.interval': '2', 'projection.n.digits': '3', 'projection.c.type': 'enum', 'projection.c.values': 'a,b' });
    expect(projectedPartitions(t, []).map((p) => p.location)).toEqual([
      's3://b/root/n=008/c=a/', 's3://b/root/n=008/c=b/', 's3://b/root/n=010/c=a/', 's3://b/root/n=010/c=b/', 's3://b/root/n=012/c=a/', 's3://b/root/n=012/c=b/',
    ]);
    expect(projectedPartitions(t, [{ column: 'n', op: '>', value: 9 }, { column: 'c', op: '=', value: 'b' }]).map((p) => p.values)).toEqual([['010', 'b'], ['012', 'b']]);
  });

  it('enumerates dates with Java formats, NOW-relative ranges, intervals and templates', () => {
    const t = table([['dt', 'string']], {
      'projection.dt.type': 'date', 'projection.dt.format': 'yyyy/MM/dd/HH', 'projection.dt.range': 'NOW-1DAYS,NOW', 'projection.dt.interval': '6', 'projection.dt.interval.unit': 'HOURS',
      'storage.location.template': 's3://b/x/${dt}/',
    });
    const now = new Date(Date.UTC(2024, 1, 29, 13, 30));
    expect(projectedPartitions(t, [], now).map((p) => p.location)).toEqual(['s3://b/x/2024/02/28/13/', 's3://b/x/2024/02/28/19/', 's3://b/x/2024/02/29/01/', 's3://b/x/2024/02/29/07/', 's3://b/x/2024/02/29/13/']);
    const m = table([['m', 'string']], { 'projection.m.type': 'date', 'projection.m.format': 'yyyyMM', 'projection.m.range': '202311,202402' });
    expect(projectedPartitions(m, [{ column: 'm', op: 'BETWEEN', low: '202312', high: '202401' }]).map((p) => p.values[0])).toEqual(['202312', '202401']);
  });

  it('requires equality predicates on injected columns and configuration for every key', () => {
    const t = table([['id', 'string']], { 'projection.id.type': 'injected' });
    expect(projectedPartitions(t, [{ column: 'id', op: 'IN', values: ['x', 'y'] }]).map((p) => p.values)).toEqual([['x'], ['y']]);
    expect(() => projectedPartitions(t, [])).toThrow('For the injected projected partition column id, the WHERE clause must contain only static equality conditions');
    expect(() => projectedPartitions(table([['z', 'string']], {}), [])).toThrow('missing projection configuration: [z] (table db.t)');
  });

  it('formats and parses Java date patterns', () => {
    const d = new Date(Date.UTC(2024, 0, 5, 7, 8, 9));
    expect(formatJavaDate(d, "yyyy-MM-dd'T'HH:mm:ss")).toBe('2024-01-05T07:08:09');
    expect(parseJavaDate('05-01-2024', 'dd-MM-yyyy')?.toISOString()).toBe('2024-01-05T00:00:00.000Z');
    expect(parseJavaDate('2024-1', 'yyyy-MM')).toBeUndefined();
  });
});
