/** OpenX / Hive JSON reading on DuckDB: the read_json, per-line json_transform and key-scan paths give identical rows over tricky values and key spellings, and match independently computed answers. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../catalog/model.js';
import { JsonKeyCensus, UNKNOWN_CENSUS, type CensusEntry, type CensusRunner, type FileCensus } from './json-key-census.js';
import { jsonPath, jsonRelation, jsonSemantics, jsonTargets, linesBranch, recordsBranch, scanBranch } from './json-relation.js';
import type { FileRef } from './serde-readers.js';

let dir: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;
const runner: CensusRunner = {
  async rows(sql) {
    return (await conn.runAndReadAll(sql)).getRowsJson().map((r) => r.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))));
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakebox-json-'));
  duck = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await duck.connect();
  await conn.run("SET TimeZone = 'UTC'");
});

afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS: [string, string][] = [
  ['c_bigint', 'bigint'],
  ['c_int', 'int'],
  ['c_smallint', 'smallint'],
  ['c_tinyint', 'tinyint'],
  ['c_double', 'double'],
  ['c_float', 'float'],
  ['c_dec', 'decimal(10,2)'],
  ['c_dec38', 'decimal(38,6)'],
  ['c_bool', 'boolean'],
  ['c_str', 'string'],
  ['c_vc', 'varchar(5)'],
  ['c_date', 'date'],
  ['c_ts', 'timestamp'],
  ['c_bin', 'binary'],
  ['c_arr', 'array<bigint>'],
  ['c_arrs', 'array<string>'],
  ['c_map', 'map<string,bigint>'],
  ['c_struct', 'struct<a:bigint,B:string>'],
  ['c_arrstruct', 'array<struct<a:int>>'],
];

/** JSON texts of values that exercise conversions: wrong types, numbers as strings, nesting, precision, escapes. */
const VALUES = [
  '1', '-7', '"12"', '" 12 "', '1.5', '2.5', '-1.5', '1e2', '1.50', '12345678901234567890', '"abc"', 'true', 'false', '"true"', '"1"',
  '"0"', 'null', '{"a":1,"B":"x"}', '{"A":1,"b":"x"}', '[1,"2",3.5]', '[]', '{}', '"2024-01-02"', '"2024-01-02 03:04:05.123"',
  '"2024-01-02T03:04:05Z"', '"2024-01-02T03:04:05.123456789+02:00"', '"01/02/2024"', '1704164645000', '0.005', '1.005', '"1.005"',
  '123456789.129', '"x\\u00e9\\n\\"q\\""', '"aGVsbG8="', '{"k":[1,2]}', '{"k":1,"k2":"3"}', '[{"a":1},{"A":2},3]', 'NaN', '-Infinity',
  '1e400', '-0.0', '3.4e39', '"∑ unicode"', '[[1]]', '{"a":{"b":1}}',
];

/** Non-NULL cells the value matrix yields (so the comparisons above are not between NULLs; a scalar in a struct column is NULL). */
const FILLED = 370;

function table(serde: 'openx' | 'hive', params: Record<string, string> = {}, columns: [string, string][] = COLUMNS): Table {
  return {
    Name: 't',
    DatabaseName: 'db',
    TableType: 'EXTERNAL_TABLE',
    PartitionKeys: [],
    StorageDescriptor: {
      Columns: [['n', 'int'] as [string, string], ...columns].map(([Name, Type]) => ({ Name, Type })),
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      SerdeInfo: { SerializationLibrary: serde === 'openx' ? 'org.openx.data.jsonserde.JsonSerDe' : 'org.apache.hive.hcatalog.data.JsonSerDe', Parameters: params },
    },
  };
}

async function file(name: string, text: string): Promise<FileRef> {
  const path = join(dir, name);
  await writeFile(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return { path, uri: `s3://b/t/${name}` };
}

/** Every value in every column, keys spelled by `spell`. */
const valueLines = (spell: (c: string) => string, from = 0): string[] =>
  VALUES.map((v, i) => `{"n": ${from + i}, ${COLUMNS.map(([c]) => `${JSON.stringify(spell(c))}: ${v}`).join(', ')}}`);

async function rows(relation: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(`SELECT * EXCLUDE (filename) FROM ${relation} ORDER BY filename, n NULLS LAST`)).getRowsJson();
}

/** Rows of the relation the census picks, and of each path forced over every file where it applies (checking every line for repeated keys). */
async function allPaths(t: Table, files: readonly FileRef[], openx = true) {
  const census = await new JsonKeyCensus().census(files, runner);
  const sem = jsonSemantics(t, openx);
  const targets = jsonTargets(t, sem);
  const paths = files.map((f) => jsonPath(census.get(f.path), targets, sem));
  const out: Record<string, unknown[][]> = { chosen: await rows(jsonRelation(t, files, openx, census)), scan: await rows(scanBranch(files, targets, sem, true)) };
  const spelled = paths.map((p) => (p.kind === 'scan' ? undefined : p.spellings));
  if (spelled.every((s) => s !== undefined && JSON.stringify(s) === JSON.stringify(spelled[0]))) {
    out.lines = await rows(linesBranch(files, targets, spelled[0]!, sem, true));
    if (paths.every((p) => p.kind === 'records')) out.records = await rows(recordsBranch(files, targets, spelled[0]!));
  }
  return { out, kinds: paths.map((p) => p.kind), census };
}

describe('JSON paths agree', () => {
  it('read_json, json_transform per line and the key scan give the same rows for every value and type', async () => {
    const lower = await file('lower.json', valueLines((c) => c).join('\n') + '\n');
    const upper = await file('upper.json.gz', valueLines((c) => c.toUpperCase(), 1000).join('\r\n') + '\r\n');
    for (const t of [table('openx'), table('hive'), table('openx', { 'case.insensitive': 'false' })]) {
      for (const files of [[lower], [upper]]) {
        const openx = t.StorageDescriptor!.SerdeInfo!.SerializationLibrary!.includes('openx');
        const { out, kinds } = await allPaths(t, files, openx);
        expect(kinds).toEqual(['records']);
        expect(out.lines).toEqual(out.scan);
        expect(out.records).toEqual(out.scan);
        expect(out.chosen).toEqual(out.scan);
      }
    }
    const filled = (r: unknown[][]): number => r.flat().filter((v) => v !== null).length;
    expect(filled(await rows(scanBranch([lower], jsonTargets(table('openx'), jsonSemantics(table('openx'), true)), jsonSemantics(table('openx'), true), false)))).toBeGreaterThan(FILLED);
    const both = await allPaths(table('openx'), [lower, upper]);
    expect(both.out.chosen).toEqual(both.out.scan);
    expect(both.out.chosen).toHaveLength(VALUES.length * 2);
    const sensitive = await rows(jsonRelation(table('openx', { 'case.insensitive': 'false' }), [upper], true));
    expect(sensitive.every((r) => r.slice(1).every((v) => v === null))).toBe(true);
  });

  it('spot checks against independently known conversions', async () => {
    const f = await file('spot.json', ['{"n":1,"c_bigint":"12","c_str":12,"c_struct":{"a":"3","b":true},"c_arr":[1,"2",null]}', '{"n":2,"c_bigint":"x","c_str":{"k":[1]}}'].join('\n'));
    const cols: [string, string][] = [['c_bigint', 'bigint'], ['c_str', 'string'], ['c_struct', 'struct<a:bigint,b:string>'], ['c_arr', 'array<bigint>']];
    const { out, kinds } = await allPaths(table('openx', {}, cols), [f]);
    expect(kinds).toEqual(['records']);
    expect(out.chosen).toEqual([
      [1, '12', '12', { a: '3', b: 'true' }, ['1', '2', null]],
      [2, null, '{"k":[1]}', null, null],
    ]);
    expect(out.scan).toEqual(out.chosen);
  });

  it('matches struct fields to nested keys case-insensitively at every level, on every path (OpenX and Hive JSON)', async () => {
    const cols: [string, string][] = [
      ['user', 'struct<name:string,address:struct<city:string,zip:int>,tags:array<string>>'],
      ['items', 'array<struct<sku:string,qty:int>>'],
      ['attrs', 'map<string,struct<v:int>>'],
    ];
    const lines = [
      '{"n":1,"User":{"Name":"ann","ADDRESS":{"City":"Oslo","zip":"0150"},"Tags":["a"]},"items":[{"SKU":"x","Qty":2},{"sku":"y"},null],"attrs":{"Color":{"V":1}}}',
      '{"n":2,"user":{"name":"bob","address":"not an object"},"items":[],"attrs":{}}',
      '{"n":3,"user":"scalar","items":{"sku":"z"}}',
    ];
    const f = await file('nested.json', lines.join('\n') + '\n');
    const want = [
      [1, { name: 'ann', address: { city: 'Oslo', zip: 150 }, tags: ['a'] }, [{ sku: 'x', qty: 2 }, { sku: 'y', qty: null }, null], [{ key: 'Color', value: { v: 1 } }]],
      // A value that is not an object, where a struct is declared, is a struct of NULLs (DuckDB's conversion).
      [2, { name: 'bob', address: { city: null, zip: null }, tags: null }, [], []],
      [3, { name: null, address: null, tags: null }, null, null],
    ];
    for (const serde of ['openx', 'hive'] as const) {
      const { out } = await allPaths(table(serde, {}, cols), [f], serde === 'openx');
      expect(out.chosen).toEqual(want);
      expect(out.scan).toEqual(want);
      if (out.lines) expect(out.lines).toEqual(want);
      if (out.records) expect(out.records).toEqual(want);
    }
    // case.insensitive=false keeps exact matching: only the exact spellings are read.
    const exact = await rows(jsonRelation(table('openx', { 'case.insensitive': 'false' }, cols), [f], true));
    expect(exact[1]![1]).toMatchObject({ name: 'bob', tags: null });
    expect(exact[0]![1]).toBeNull();
  });

  it('mapping.* and dots.in.keys: when two different keys of a line match a column, the first wins on every path', async () => {
    const cols: [string, string][] = [['user_id', 'bigint'], ['c_str', 'string'], ['c_x', 'bigint']];
    const t = table('openx', { 'mapping.user_id': 'UserID', 'mapping.c_str': 'renamed_key', 'dots.in.keys': 'true' }, cols);
    // `c.x` and `c_x` (or `Renamed.Key` and `renamed_key`) are different keys to the SerDe, so not a repeated key.
    const f = await file('mapped.json', ['{"n":1,"USERID":7,"Renamed.Key":"a","c.x":1,"c_x":2}', '{"n":2,"userid":8,"renamed_key":"b","Renamed.Key":"c"}'].join('\n'));
    const { out, kinds, census } = await allPaths(t, [f]);
    expect(census.get(f.path)).toMatchObject({ duplicateKeys: 'none' });
    expect(kinds).toEqual(['scan']); // userid is spelled two ways
    expect(out.chosen).toEqual([
      [1, '7', 'a', '1'],
      [2, '8', 'b', null],
    ]);
    expect(out.scan).toEqual(out.chosen);
    const g = await file('mapped2.json', ['{"n":3,"UserId":9,"renamed.key":"d","c.x":3}'].join('\n'));
    const second = await allPaths(t, [g]);
    expect(second.kinds).toEqual(['records']);
    expect(second.out.chosen).toEqual([[3, '9', 'd', '3']]);
    expect(second.out.lines).toEqual(second.out.chosen);
    expect(second.out.records).toEqual(second.out.chosen);
  });

  it('escaped and quoted key spellings', async () => {
    const t = table('openx', { 'mapping.odd': 'we"ird' }, [['amount', 'bigint'], ['odd', 'string']]);
    const f = await file('escaped.json', ['{"n":1,"\\u0041mount":5,"we\\"ird":"x"}', '{"n":2,"AMOUNT":6,"WE\\"IRD":"y"}'].join('\n'));
    const { out, kinds } = await allPaths(t, [f]);
    expect(kinds).toEqual(['scan']);
    expect(out.chosen).toEqual([[1, '5', 'x'], [2, '6', 'y']]);
    const g = await file('escaped2.json', '{"n":1,"\\u0041mount":5,"we\\"ird":"x"}\n');
    const second = await allPaths(t, [g]);
    expect(second.kinds).toEqual(['records']);
    expect(second.out.records).toEqual([[1, '5', 'x']]);
    expect(second.out.lines).toEqual([[1, '5', 'x']]);
  });

  it('case.insensitive=false reads only the exact spelling, also next to other spellings', async () => {
    const f = await file('exact.json', ['{"n":1,"ID":1,"id":2,"Id":3}', '{"n":2,"Id":4}', '{"n":3,"id":5,"ID":6}'].join('\n'));
    const { out, kinds } = await allPaths(table('openx', { 'case.insensitive': 'false' }, [['id', 'bigint']]), [f]);
    expect(kinds).toEqual(['records']);
    expect(out.chosen).toEqual([[1, '2'], [2, null], [3, '5']]);
    expect(out.lines).toEqual(out.chosen);
    expect(out.scan).toEqual(out.chosen);
  });

  it('spellings differing between lines are scanned, each line reading its own spelling', async () => {
    const f = await file('ambiguous.json', ['{"n":1,"Id":1}', '{"n":2,"ID":4,"x":0}', '{"n":3,"iD":5}'].join('\n'));
    const { out, kinds, census } = await allPaths(table('openx', {}, [['id', 'bigint']]), [f]);
    expect(census.get(f.path)).toMatchObject({ duplicateKeys: 'none' });
    expect(kinds).toEqual(['scan']);
    expect(out.chosen).toEqual([
      [1, '1'],
      [2, '4'],
      [3, '5'],
    ]);
    expect(out.scan).toEqual(out.chosen);
  });

  it('malformed lines: all-NULL rows with ignore.malformed.json on the line and scan paths; otherwise both fail', async () => {
    const text = ['{"n":1,"C_BIGINT":5}', '{oops', '[1,2]', '   ', '7', '\t', '{"n":2,"C_BIGINT":6} trailing', ' {"n":3,"C_BIGINT":"8"} ', ''].join('\n');
    const f = await file('malformed.json.gz', text);
    const cols: [string, string][] = [['c_bigint', 'bigint']];
    const { out, kinds, census } = await allPaths(table('openx', { 'ignore.malformed.json': 'true' }, cols), [f]);
    expect(census.get(f.path)).toMatchObject({ aligned: false, records: 6, objects: 2 });
    expect(kinds).toEqual(['lines']);
    // Lines of only whitespace (here '   ' and '\t') are skipped; the other four are malformed.
    const expected = [[1, '5'], [3, '8'], [null, null], [null, null], [null, null], [null, null]];
    expect(out.chosen).toEqual(expected);
    expect(out.lines).toEqual(expected);
    expect(out.scan).toEqual(expected);
    const strict = table('openx', {}, cols);
    const census2 = await new JsonKeyCensus().census([f], runner);
    await expect(rows(jsonRelation(strict, [f], true, census2))).rejects.toThrow(/HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: /);
    await expect(rows(jsonRelation(strict, [f], true))).rejects.toThrow(/HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: /);
    await expect(rows(jsonRelation(table('hive', {}, cols), [f], false, census2))).rejects.toThrow(/HIVE_CURSOR_ERROR: org.apache.hadoop.hive.serde2.SerDeException: Row is not/);
    // Also when the column read is in no line of the file.
    const absent = table('openx', {}, [['nowhere', 'string']]);
    const sem = jsonSemantics(absent, true);
    const spellings = jsonPath(census2.get(f.path), jsonTargets(absent, sem), sem);
    expect(spellings).toEqual({ kind: 'lines', spellings: ['n', undefined], check: false });
    for (const check of [false, true]) {
      for (const relation of [linesBranch([f], jsonTargets(absent, sem), ['n', undefined], sem, check), scanBranch([f], jsonTargets(absent, sem), sem, check)]) {
        await expect(conn.runAndReadAll(`SELECT nowhere FROM ${relation}`)).rejects.toThrow(/HIVE_CURSOR_ERROR/);
      }
    }
  });

  it('lines split on a lone \\r (as Athena does) are not read with read_json', async () => {
    const f = await file('cr.json', '{"n":1,"a":1}\r{"n":2,"A":2}\n{"n":3,"a":3}\r\n\n');
    const { out, kinds, census } = await allPaths(table('openx', {}, [['a', 'int']]), [f]);
    expect(census.get(f.path)).toMatchObject({ aligned: false, records: 2, objects: 1 });
    expect(kinds).toEqual(['scan']); // a and A in the file
    expect(out.chosen).toEqual([[1, 1], [2, 2], [3, 3]]);
    const g = await file('cr2.json', '{"n":1,"a":1}\r{"n":2,"a":2}\n');
    const second = await allPaths(table('openx', {}, [['a', 'int']]), [g]);
    expect(second.kinds).toEqual(['lines']);
    expect(second.out.chosen).toEqual([[1, 1], [2, 2]]);
    // A \r inside an object is JSON whitespace to read_json, but Athena splits the line there.
    const h = await file('cr3.json', '{"n":1,"a":1}\n{"n":2,\r"a":2}\n');
    const third = await allPaths(table('openx', { 'ignore.malformed.json': 'true' }, [['a', 'int']]), [h]);
    expect(third.census.get(h.path)).toMatchObject({ aligned: false, records: 2, objects: 2 });
    expect(third.kinds).toEqual(['lines']);
    expect(third.out.chosen).toEqual([[1, 1], [null, null], [null, null]]);
    expect(third.out.scan).toEqual(third.out.chosen);
  });

  it('whitespace read_json trims (\\t, \\v, \\f) is trimmed from lines too', async () => {
    const f = await file('ws.json', '\f{"n":1,"a":1}\v\n\t \f\n\v\n {"n":2,"a":2}\t\r\n');
    const { out, kinds, census } = await allPaths(table('openx', {}, [['a', 'int']]), [f]);
    expect(census.get(f.path)).toMatchObject({ aligned: true, records: 2, objects: 2 });
    expect(kinds).toEqual(['records']);
    expect(out.records).toEqual([[1, 1], [2, 2]]);
    expect(out.lines).toEqual(out.records);
    expect(out.scan).toEqual(out.records);
  });

  it('zero-column tables and files without any key still read every line', async () => {
    const f = await file('empty-keys.json', '{"n":1}\n{}\n');
    const { out, kinds } = await allPaths(table('openx', {}, [['missing', 'string']]), [f]);
    expect(kinds).toEqual(['records']);
    expect(out.chosen).toEqual([[1, null], [null, null]]);
    const none: Table = { ...table('openx'), StorageDescriptor: { ...table('openx').StorageDescriptor, Columns: [] } };
    expect((await conn.runAndReadAll(`SELECT count(*) FROM ${jsonRelation(none, [f], true)}`)).getRowsJson()).toEqual([['2']]);
    // As before: nothing is parsed when no column is read, so malformed lines are counted, not reported.
    const bad = await file('empty-bad.json', '{"n":1}\n[2]\n');
    expect((await conn.runAndReadAll(`SELECT count(*) FROM ${jsonRelation(none, [bad], true)}`)).getRowsJson()).toEqual([['2']]);
  });
});

const DUP = /HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: Duplicate key "id"/;
const HIVE_DUP = /HIVE_CURSOR_ERROR: org\.apache\.hadoop\.hive\.serde2\.SerDeException: Row is not a valid JSON Object - JSONException: Duplicate key "id"/;

describe('lines repeating a key (org.json: Duplicate key)', () => {
  const cols: [string, string][] = [['id', 'bigint']];
  /** Every way of reading the file fails with `error`: the census's choice, without a census, and each forced path. */
  async function fails(t: Table, f: FileRef, error: RegExp, openx = true): Promise<void> {
    const census = await new JsonKeyCensus().census([f], runner);
    const sem = jsonSemantics(t, openx);
    const targets = jsonTargets(t, sem);
    for (const relation of [jsonRelation(t, [f], openx, census), jsonRelation(t, [f], openx), scanBranch([f], targets, sem, true), linesBranch([f], targets, targets.map((x) => x.key), sem, true)]) {
      await expect(rows(relation)).rejects.toThrow(error);
    }
  }

  it('the same key twice fails the query naming it, also with case.insensitive=false; ignore.malformed.json reads an all-NULL row', async () => {
    const f = await file('dup-exact.json', ['{"n":1,"id":1}', '{"n":2,"id":2,"v":"a","id":3}', '{"n":3,"id":4}'].join('\n') + '\n');
    expect((await new JsonKeyCensus().census([f], runner)).get(f.path)).toMatchObject({ aligned: true, duplicateKeys: 'exact' });
    await fails(table('openx', {}, cols), f, DUP);
    await fails(table('openx', { 'case.insensitive': 'false' }, cols), f, DUP);
    await fails(table('hive', {}, cols), f, HIVE_DUP, false);
    for (const params of [{ 'ignore.malformed.json': 'true' }, { 'ignore.malformed.json': 'true', 'case.insensitive': 'false' }] as Record<string, string>[]) {
      const { out, kinds } = await allPaths(table('openx', params, cols), [f]);
      expect(kinds).toEqual(['lines']); // aligned, but read_json would not see the repeat
      const expected = [[1, '1'], [3, '4'], [null, null]];
      expect(out.chosen).toEqual(expected);
      expect(out.lines).toEqual(expected);
      expect(out.scan).toEqual(expected);
    }
  });

  it('keys differing only in case repeat when keys are case-insensitive (OpenX default, Hive JSON), not with case.insensitive=false', async () => {
    const f = await file('dup-case.json', ['{"n":1,"Id":1,"id":2}', '{"n":2,"id":3}'].join('\n') + '\n');
    expect((await new JsonKeyCensus().census([f], runner)).get(f.path)).toMatchObject({ aligned: true, duplicateKeys: 'folded' });
    await fails(table('openx', {}, cols), f, DUP);
    await fails(table('hive', {}, cols), f, HIVE_DUP, false);
    const ignored = await allPaths(table('openx', { 'ignore.malformed.json': 'true' }, cols), [f]);
    expect(ignored.kinds).toEqual(['scan']);
    expect(ignored.out.chosen).toEqual([[2, '3'], [null, null]]);
    expect(ignored.out.scan).toEqual(ignored.out.chosen);
    // Case-sensitive: two keys, each readable (the second through a mapping); read_json still reads the file.
    const sensitive = await allPaths(table('openx', { 'case.insensitive': 'false', 'mapping.id_upper': 'Id' }, [...cols, ['id_upper', 'bigint']]), [f]);
    expect(sensitive.kinds).toEqual(['scan']); // id and Id cannot both be DuckDB struct fields
    expect(sensitive.out.chosen).toEqual([[1, '2', '1'], [2, '3', null]]);
    expect(sensitive.out.scan).toEqual(sensitive.out.chosen);
    const one = await allPaths(table('openx', { 'case.insensitive': 'false' }, cols), [f]);
    expect(one.kinds).toEqual(['records']);
    expect(one.out.chosen).toEqual([[1, '2'], [2, '3']]);
    expect(one.out.lines).toEqual(one.out.chosen);
    expect(one.out.scan).toEqual(one.out.chosen);
  });

  it('names the first key that repeats an earlier one, lower-cased when keys are case-insensitive', async () => {
    const f = await file('dup-order.json', '{"n":1,"A":1,"b":2,"B":3,"a":4}\n');
    const t = table('openx', {}, [['a', 'bigint']]);
    await expect(rows(jsonRelation(t, [f], true, await new JsonKeyCensus().census([f], runner)))).rejects.toThrow(/Duplicate key "b"$/);
    const g = await file('dup-order2.json', '{"n":1,"A":1,"b":2,"B":3,"b":4,"A":5}\n');
    await expect(rows(jsonRelation(table('openx', { 'case.insensitive': 'false' }, [['a', 'bigint']]), [g], true))).rejects.toThrow(/Duplicate key "b"$/);
    // Nested objects and keys equal only after dots.in.keys are not repeats.
    const h = await file('dup-nested.json', '{"n":1,"a":{"x":1,"x":2},"c.d":1,"c_d":2}\n');
    const nested = await allPaths(table('openx', { 'dots.in.keys': 'true' }, [['a', 'string'], ['c_d', 'bigint']]), [h]);
    expect(nested.census.get(h.path)).toMatchObject({ duplicateKeys: 'none' });
    expect(nested.out.chosen).toEqual([[1, '{"x":1,"x":2}', '1']]);
  });

  it('clean files keep read_json next to a file with repeats; each file is read its own way', async () => {
    const clean = await file('dup-mix-clean.json', '{"n":1,"ID":1}\n{"n":2,"ID":2}\n');
    const dup = await file('dup-mix-dup.json', '{"n":3,"id":3,"id":4}\n{"n":4,"id":5}\n');
    const { out, kinds } = await allPaths(table('openx', { 'ignore.malformed.json': 'true' }, cols), [clean, dup]);
    expect(kinds).toEqual(['records', 'lines']);
    expect(out.chosen).toEqual([[1, '1'], [2, '2'], [4, '5'], [null, null]]);
    expect(out.scan).toEqual(out.chosen);
  });
});

describe('lines that are JSON but not objects', () => {
  it.each(['[1,2]', '42', '"text"', 'null', 'true', '[{"n":9}]'])('%s fails the query, or reads as an all-NULL row with ignore.malformed.json', async (bad) => {
    const f = await file(`nonobject-${bad.replace(/\W/g, '_')}.json`, `{"n":1,"id":1}\n${bad}\n{"n":2,"id":2}\n`);
    const strict = table('openx', {}, [['id', 'bigint']]);
    const census = await new JsonKeyCensus().census([f], runner);
    const message = `Row is not a valid JSON Object - JSONException: ${bad}`;
    await expect(rows(jsonRelation(strict, [f], true, census))).rejects.toThrow(`HIVE_CURSOR_ERROR: ${message}`);
    await expect(rows(jsonRelation(strict, [f], true))).rejects.toThrow(`HIVE_CURSOR_ERROR: ${message}`);
    await expect(rows(jsonRelation(table('hive', {}, [['id', 'bigint']]), [f], false, census))).rejects.toThrow(`SerDeException: ${message}`);
    const { out, kinds } = await allPaths(table('openx', { 'ignore.malformed.json': 'true' }, [['id', 'bigint']]), [f]);
    expect(kinds).toEqual(['lines']);
    const expected = [[1, '1'], [2, '2'], [null, null]];
    expect(out.chosen).toEqual(expected);
    expect(out.lines).toEqual(expected);
    expect(out.scan).toEqual(expected);
  });
});

describe('census decisions', () => {
  it('keeps exact-case tables off the scan without a census, and scans insensitive ones', () => {
    const cols: [string, string][] = [['id', 'bigint']];
    const sensitive = table('openx', { 'case.insensitive': 'false' }, cols);
    const s = jsonSemantics(sensitive, true);
    expect(jsonPath(undefined, jsonTargets(sensitive, s), s)).toEqual({ kind: 'lines', spellings: ['n', 'id'], check: true });
    const insensitive = table('openx', {}, cols);
    const i = jsonSemantics(insensitive, true);
    expect(jsonPath(UNKNOWN_CENSUS, jsonTargets(insensitive, i), i)).toEqual({ kind: 'scan', check: true });
  });

  it('checks lines for repeated keys unless the census rules them out as the SerDe compares keys', () => {
    const cols: [string, string][] = [['id', 'bigint']];
    const keys = [{ spelling: 'n', lower: 'n' }, { spelling: 'id', lower: 'id' }];
    const entry = (duplicateKeys: 'none' | 'folded' | 'exact'): CensusEntry => ({ aligned: true, records: 1, objects: 1, keys, duplicateKeys });
    const path = (params: Record<string, string>, c: CensusEntry, openx = true) => {
      const t = table(openx ? 'openx' : 'hive', params, cols);
      const sem = jsonSemantics(t, openx);
      return jsonPath(c, jsonTargets(t, sem), sem);
    };
    const records = { kind: 'records', spellings: ['n', 'id'] };
    const checked = { kind: 'lines', spellings: ['n', 'id'], check: true };
    expect(path({}, entry('none'))).toEqual(records);
    expect(path({}, entry('folded'))).toEqual(checked);
    expect(path({}, entry('exact'))).toEqual(checked);
    expect(path({}, entry('folded'), false)).toEqual(checked);
    expect(path({ 'case.insensitive': 'false' }, entry('folded'))).toEqual(records);
    expect(path({ 'case.insensitive': 'false' }, entry('exact'))).toEqual(checked);
    // An entry without the field (a census of another shape) is not trusted.
    const { duplicateKeys: _, ...old } = entry('none') as FileCensus;
    expect(path({ 'case.insensitive': 'false' }, old as unknown as CensusEntry)).toEqual(checked);
  });

  it('scans when the spellings cannot form a reader spec', () => {
    const t = table('openx', { 'mapping.a': 'X', 'mapping.b': 'x', 'case.insensitive': 'false' }, [['a', 'bigint'], ['b', 'bigint']]);
    const sem = jsonSemantics(t, true);
    const census: CensusEntry = { aligned: true, records: 1, objects: 1, duplicateKeys: 'none', keys: [{ spelling: 'X', lower: 'x' }, { spelling: 'x', lower: 'x' }, { spelling: 'n', lower: 'n' }] };
    expect(jsonPath(census, jsonTargets(t, sem), sem)).toEqual({ kind: 'scan', check: false });
    const same = table('openx', { 'mapping.a': 'k', 'mapping.b': 'k' }, [['a', 'bigint'], ['b', 'bigint']]);
    const sem2 = jsonSemantics(same, true);
    const c2: CensusEntry = { aligned: true, records: 1, objects: 1, duplicateKeys: 'none', keys: [{ spelling: 'K', lower: 'k' }] };
    expect(jsonPath(c2, jsonTargets(same, sem2), sem2)).toEqual({ kind: 'records', spellings: [undefined, 'K', 'K'] });
  });
});
