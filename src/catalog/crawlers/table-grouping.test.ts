import { describe, expect, it } from 'vitest';
import type { FileSchema } from './classifiers/classification.js';
import { primitive, renderType } from './schema-merge.js';
import { groupTables, sanitizeName, uniqueNames, type CrawledFile } from './table-grouping.js';

const json = (...names: string[]): FileSchema => ({ classification: 'json', compression: 'none', columns: names.map((n) => ({ name: n, type: primitive('int') })) });
const csv: FileSchema = { classification: 'csv', compression: 'none', columns: [{ name: 'x', type: primitive('bigint') }], csv: { delimiter: ',', header: true, quoted: false } };
const file = (key: string, schema: FileSchema, size = 10, records = 2): CrawledFile => ({ key, size, schema, records });
const summary = (bucket: string, prefix: string, files: CrawledFile[], opts = {}) =>
  groupTables(bucket, prefix, files, opts).map((t) => ({
    name: t.name,
    location: t.location,
    keys: t.partitionKeys,
    columns: t.columns.map((c) => `${c.name}:${renderType(c.type)}`),
    partitions: t.partitions.map((p) => `${p.values.join('/')}@${p.location}`),
    objects: t.stats.objects,
  }));

describe('table grouping', () => {
  it('makes key=value folders partitions of one table named after the root', () => {
    // Glue's own example: the include path is s3://sales (a bucket), the table is named after it.
    const t = summary('sales', '', [
      file('year=2019/month=Jan/a.json', json('a', 'b')),
      file('year=2019/month=Feb/a.json', json('a', 'b', 'c')),
      file('year=2020/month=Jan/a.json', json('a', 'b')),
    ]);
    expect(t).toEqual([
      {
        name: 'sales',
        location: 's3://sales/',
        keys: ['year', 'month'],
        columns: ['a:int', 'b:int', 'c:int'],
        partitions: ['2019/Jan@s3://sales/year=2019/month=Jan/', '2019/Feb@s3://sales/year=2019/month=Feb/', '2020/Jan@s3://sales/year=2020/month=Jan/'],
        objects: 3,
      },
    ]);
    // Included one level up, the lone folder is a partition level of a table rooted at the include path.
    expect(summary('lake', '', [file('sales/year=2019/month=Jan/a.json', json('a'))])).toMatchObject([{ name: 'lake', keys: ['partition_0', 'year', 'month'] }]);
  });

  it('splits dissimilar folders into separate tables, and different formats too', () => {
    const t = summary('b', 'data', [file('data/pricing/a.json', json('a', 'b')), file('data/inventory/a.json', json('c', 'd')), file('data/other/x.csv', csv)]);
    expect(t.map((x) => [x.name, x.location, x.keys.length])).toEqual([
      ['pricing', 's3://b/data/pricing/', 0],
      ['inventory', 's3://b/data/inventory/', 0],
      ['other', 's3://b/data/other/', 0],
    ]);
  });

  it('groups similar plain folders as partition_0 (the documented pitfall), a single one too', () => {
    expect(summary('b', '', [file('t1/a.json', json('a', 'b')), file('t2/a.json', json('a', 'b'))])[0]).toMatchObject({ name: 'b', keys: ['partition_0'], partitions: ['t1@s3://b/t1/', 't2@s3://b/t2/'] });
    expect(summary('b', '', [file('only/a.json', json('a'))])[0]).toMatchObject({ name: 'b', keys: ['partition_0'], partitions: ['only@s3://b/only/'] });
    expect(summary('b', 'only', [file('only/a.json', json('a'))])[0]).toMatchObject({ name: 'only', keys: [] });
    expect(summary('b', 'x', [file('x/dt=1/a.json', json('a'))])[0]).toMatchObject({ name: 'x', keys: ['dt'], partitions: ['1@s3://b/x/dt=1/'] });
  });

  it("makes Firehose's yyyy/MM/dd/HH/ folders partition_0…3 of one table at the include path, from the first hour on", () => {
    const hour = (path: string): CrawledFile => file(`fh/${path}/stream-1-2026-11-22-22-00-00-x.gz`, json('a', 'b'));
    const oneHour = summary('b', 'fh', [hour('2026/11/22/22')]);
    expect(oneHour).toEqual([
      { name: 'fh', location: 's3://b/fh/', keys: ['partition_0', 'partition_1', 'partition_2', 'partition_3'], columns: ['a:int', 'b:int'], partitions: ['2026/11/22/22@s3://b/fh/2026/11/22/22/'], objects: 1 },
    ]);
    const days = summary('b', 'fh', [hour('2026/11/22/22'), hour('2026/11/22/23'), hour('2026/11/23/00')]);
    expect(days.map((t) => [t.name, t.keys.length, t.partitions.length])).toEqual([['fh', 4, 3]]);
    // Lone plain folders deeper down group too: one table, not one per leaf.
    expect(summary('b', 'x', [file('x/2024/01/01/00/a.json', json('a')), file('x/2024/01/02/00/a.json', json('a'))]).map((t) => [t.name, t.keys.length])).toEqual([['x', 4]]);
  });

  it('CombineCompatibleSchemas ignores similarity; TableLevelConfiguration fixes the table root', () => {
    const files = [file('root/year=2017/a.json', json('a', 'b')), file('root/year=2018/a.json', json('c', 'd'))];
    expect(summary('b', 'root', files).map((x) => x.name)).toEqual(['year_2017', 'year_2018']);
    expect(summary('b', 'root', files, { combineCompatibleSchemas: true })).toMatchObject([{ name: 'root', keys: ['year'], columns: ['a:int', 'b:int', 'c:int', 'd:int'] }]);
    const deep = [file('l1/t1/dt=1/a.json', json('a')), file('l1/t2/dt=1/a.json', json('a'))];
    expect(summary('b', 'l1', deep).map((x) => x.name)).toEqual(['l1']);
    expect(summary('b', '', deep, { tableLevel: 2 }).map((x) => [x.name, x.keys])).toEqual([['t1', ['dt']], ['t2', ['dt']]]);
  });

  it('drops data columns named like partition keys; sanitizes and de-duplicates names', () => {
    expect(summary('b', 't', [file('t/dt=1/a.json', json('dt', 'v'))])[0]!.columns).toEqual(['v:int']);
    expect(sanitizeName('My-Data.v1')).toBe('my_data_v1');
    const tables = groupTables('b', '', [file('a/x/f.json', json('a')), file('b/x/g.csv', csv)]);
    const names = uniqueNames([...tables, ...tables], 'p_').map((t) => t.name);
    expect(names[0]).toBe('p_a');
    expect(new Set(names).size).toBe(names.length);
  });
});
