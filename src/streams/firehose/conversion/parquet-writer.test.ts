/** ParquetWriter output read back with pyarrow: schema, values, codecs, encodings, atomicity and batch throughput. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARQUET_SERDE_DEFAULTS } from './conversion-config.js';
import type { ConversionColumn, JsonDeserializer, ParquetOptions } from './model.js';
import { ParquetWriter } from './parquet-writer.js';
import { RecordConverter } from './record-converter.js';

const run = promisify(execFile);

/** Reads a Parquet file with pyarrow (an independent reader): schema, rows as JSON-safe values, codecs and encodings. */
const PY_READER = `
import json, sys, base64, decimal, datetime
import pyarrow.parquet as pq
path = sys.argv[1]
f = pq.ParquetFile(path)
t = pq.read_table(path)
def safe(v):
    if isinstance(v, bytes): return 'b64:' + base64.b64encode(v).decode()
    if isinstance(v, decimal.Decimal): return 'dec:' + str(v)
    if isinstance(v, (datetime.datetime, datetime.date)): return v.isoformat()
    if isinstance(v, float) and v != v: return 'NaN'
    if isinstance(v, float) and v in (float('inf'), float('-inf')): return str(v)
    if isinstance(v, dict): return {k: safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [safe(x) for x in v]
    return v
md = f.metadata
cols = [md.row_group(0).column(i) for i in range(md.num_columns)] if md.num_row_groups else []
ts = [f.schema.column(i) for i in range(len(f.schema))]
print(json.dumps({
  'schema': {field.name: str(field.type) for field in t.schema},
  'physical': {c.path: c.physical_type + ('/' + str(c.logical_type) if str(c.logical_type) != 'None' else '') for c in ts},
  'rows': [safe(r) for r in t.to_pylist()],
  'codecs': sorted({c.compression for c in cols}),
  'encodings': sorted({e for c in cols for e in c.encodings}),
  'dictionary': any(c.has_dictionary_page for c in cols),
  'rowGroups': md.num_row_groups,
}))
`;

interface ParquetDump {
  schema: Record<string, string>;
  physical: Record<string, string>;
  rows: Record<string, unknown>[];
  codecs: string[];
  encodings: string[];
  dictionary: boolean;
  rowGroups: number;
}

async function readParquet(path: string): Promise<ParquetDump> {
  const { stdout } = await run('python3', ['-c', PY_READER, path]);
  return JSON.parse(stdout) as ParquetDump;
}

const OPENX: JsonDeserializer = { kind: 'openx', caseInsensitive: true, convertDotsInJsonKeysToUnderscores: false, columnToJsonKeyMappings: {} };

const COLUMNS: ConversionColumn[] = [
  { name: 'ID', type: 'bigint' },
  { name: 'flag', type: 'boolean' },
  { name: 't', type: 'tinyint' },
  { name: 'sm', type: 'smallint' },
  { name: 'i', type: 'int' },
  { name: 'f', type: 'float' },
  { name: 'd', type: 'double' },
  { name: 'amount', type: 'decimal(38,6)' },
  { name: 'small', type: 'decimal(5,2)' },
  { name: 's', type: 'string' },
  { name: 'c', type: 'char(2)' },
  { name: 'v', type: 'varchar(10)' },
  { name: 'day', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'bin', type: 'binary' },
  { name: 'tags', type: 'array<string>' },
  { name: 'attrs', type: 'map<string,int>' },
  { name: 'nested', type: 'struct<name:string,points:array<struct<x:double,at:timestamp>>,blob:binary,m:map<int,binary>>' },
];

describe('ParquetWriter', () => {
  let dir: string;
  let writer: ParquetWriter;
  const converter = new RecordConverter(COLUMNS, OPENX);
  const convert = (records: string[]): unknown[] => {
    const { rows, failures } = converter.convertBatch(records.map((r) => Buffer.from(r)));
    expect(failures).toEqual([]);
    return rows;
  };
  const opts = (o: Partial<ParquetOptions> = {}): ParquetOptions => ({ ...PARQUET_SERDE_DEFAULTS, ...o });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakebox-parquet-'));
    writer = await ParquetWriter.create(join(dir, 'tmp'));
  });
  afterAll(async () => {
    await writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every Hive type with the Glue column names, read back by pyarrow', async () => {
    const rows = convert([
      JSON.stringify({ id: 1, flag: true, t: -5, sm: 300, i: 70000, f: 1.5, d: 2.25, amount: '12345678901234567890.123456', small: 1.005, s: 'héllo "q"\n', c: 'abc', v: 'short', day: '2024-02-29', ts: '2024-01-02T03:04:05.123456Z', bin: 'AB', tags: ['x', null], attrs: { K: 1 }, nested: { name: 'n', points: [{ x: 1, at: 0 }], blob: 'z', m: { '5': 'q' } } }),
      '{"ID":9223372036854775807,"f":"NaN","d":"-Infinity","nested":{"points":[]}}',
    ]);
    const out = join(dir, 'all.parquet');
    const size = await writer.write(COLUMNS, rows, opts(), out);
    const p = await readParquet(out);
    expect(size).toBeGreaterThan(0);
    expect(p.schema).toEqual({
      id: 'int64',
      flag: 'bool',
      t: 'int8',
      sm: 'int16',
      i: 'int32',
      f: 'float',
      d: 'double',
      amount: 'decimal128(38, 6)',
      small: 'decimal128(5, 2)',
      s: 'string',
      c: 'string',
      v: 'string',
      day: 'date32[day]',
      ts: 'timestamp[us]',
      bin: 'binary',
      tags: 'list<element: string>',
      attrs: "map<string, int32 ('attrs')>",
      nested: "struct<name: string, points: list<element: struct<x: double, at: timestamp[us]>>, blob: binary, m: map<int32, binary ('m')>>",
    });
    expect(p.physical.ts).toMatch(/^INT64\/Timestamp\(isAdjustedToUTC=false, timeUnit=microseconds/);
    expect(p.rows[0]).toEqual({
      id: 1,
      flag: true,
      t: -5,
      sm: 300,
      i: 70000,
      f: 1.5,
      d: 2.25,
      amount: 'dec:12345678901234567890.123456',
      small: 'dec:1.01',
      s: 'héllo "q"\n',
      c: 'ab',
      v: 'short',
      day: '2024-02-29',
      ts: '2024-01-02T03:04:05.123456',
      bin: 'b64:' + Buffer.from('AB').toString('base64'),
      tags: ['x', null],
      attrs: [['k', 1]],
      nested: { name: 'n', points: [{ x: 1, at: '1970-01-01T00:00:00' }], blob: 'b64:' + Buffer.from('z').toString('base64'), m: [[5, 'b64:' + Buffer.from('q').toString('base64')]] },
    });
    expect(p.rows[1]).toMatchObject({ id: expect.any(Number) as unknown, f: 'NaN', d: '-inf', flag: null, nested: { name: null, points: [], blob: null, m: null } });
    expect(p.codecs).toEqual(['SNAPPY']);
  });

  it('quotes reserved and odd column and field names', async () => {
    const cols: ConversionColumn[] = [
      { name: 'order', type: 'struct<select:binary,`it\'s "x"`:array<binary>>' },
      { name: "we'ird col", type: 'map<string,binary>' },
    ];
    const rows = new RecordConverter(cols, OPENX).convertBatch([Buffer.from('{"order":{"select":"a","it\'s \\"x\\"":["b"]},"we\'ird col":{"k":"c"}}')]).rows;
    const out = join(dir, 'names.parquet');
    await writer.write(cols, rows, opts(), out);
    const p = await readParquet(out);
    expect(Object.keys(p.schema)).toEqual(['order', "we'ird col"]);
    const b64 = (s: string): string => 'b64:' + Buffer.from(s).toString('base64');
    expect(p.rows).toEqual([{ order: { select: b64('a'), 'it\'s "x"': [b64('b')] }, "we'ird col": [['k', b64('c')]] }]);
  });

  it('keeps bigint precision end to end', async () => {
    const cols: ConversionColumn[] = [{ name: 'b', type: 'bigint' }];
    const rows = new RecordConverter(cols, OPENX).convertBatch([Buffer.from('{"b":9223372036854775807}'), Buffer.from('{"b":-9007199254740993}')]).rows;
    const out = join(dir, 'big.parquet');
    await writer.write(cols, rows, opts(), out);
    const { stdout } = await run('python3', ['-c', 'import sys, pyarrow.parquet as pq; print(pq.read_table(sys.argv[1]).column("b").to_pylist())', out]);
    expect(stdout.trim()).toBe('[9223372036854775807, -9007199254740993]');
  });

  it('honours Compression, EnableDictionaryCompression and WriterVersion', async () => {
    const cols: ConversionColumn[] = [{ name: 'k', type: 'string' }, { name: 'n', type: 'int' }];
    const rows = Array.from({ length: 5000 }, (_, i) => [`key-${i % 3}`, i % 7]);
    const cases: [Partial<ParquetOptions>, Partial<ParquetDump>][] = [
      [{ compression: 'UNCOMPRESSED' }, { codecs: ['UNCOMPRESSED'], dictionary: true }],
      [{ compression: 'GZIP', enableDictionaryCompression: false }, { codecs: ['GZIP'], dictionary: false, encodings: ['PLAIN'] }],
      [{ compression: 'SNAPPY', writerVersion: 'V2' }, { codecs: ['SNAPPY'], dictionary: true, encodings: ['RLE_DICTIONARY'] }],
    ];
    for (const [o, expected] of cases) {
      const out = join(dir, `opts-${o.compression}.parquet`);
      await writer.write(cols, rows, opts(o), out);
      const p = await readParquet(out);
      expect(p, JSON.stringify(o)).toMatchObject(expected);
      expect(p.rows[4]).toEqual({ k: 'key-1', n: 4 });
    }
  });

  it('sizes row groups from BlockSizeBytes (estimated from the rows\' JSON size)', async () => {
    const cols: ConversionColumn[] = [{ name: 'k', type: 'string' }];
    const rows = Array.from({ length: 10_000 }, (_, i) => [`value-${i}`]);
    const out = join(dir, 'groups.parquet');
    await writer.write(cols, rows, opts({ blockSizeBytes: 100_000 }), out);
    expect((await readParquet(out)).rowGroups).toBeGreaterThan(1);
    await writer.write(cols, rows, opts(), out);
    expect((await readParquet(out)).rowGroups).toBe(1);
  });

  it('writes an empty file with the full schema when there are no rows', async () => {
    const out = join(dir, 'empty.parquet');
    await writer.write(COLUMNS, [], opts(), out);
    const p = await readParquet(out);
    expect(p.rows).toEqual([]);
    expect(Object.keys(p.schema)).toEqual(COLUMNS.map((c) => c.name.toLowerCase()));
  });

  it('leaves nothing behind when the write fails', async () => {
    const out = join(dir, 'missing-dir', 'x.parquet');
    await expect(writer.write(COLUMNS, convert(['{"id":1}']), opts(), out)).rejects.toThrow();
    expect(await readdir(dir)).not.toContain('missing-dir');
    expect((await readdir(join(dir, 'tmp'))).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
  });

  it('converts and writes a 50k-record batch quickly', async () => {
    const cols: ConversionColumn[] = [
      { name: 'event_id', type: 'bigint' },
      { name: 'user', type: 'string' },
      { name: 'amount', type: 'decimal(10,2)' },
      { name: 'ts', type: 'timestamp' },
      { name: 'tags', type: 'array<string>' },
      { name: 'ctx', type: 'struct<ip:string,ok:boolean>' },
    ];
    const n = 50_000;
    const records = Array.from({ length: n }, (_, i) =>
      Buffer.from(JSON.stringify({ event_id: i, User: `u${i % 100}`, amount: i / 4, ts: 1700000000 + i, tags: ['a', 'b'], ctx: { ip: '10.0.0.1', ok: i % 2 === 0 }, extra: 'dropped' })),
    );
    const c = new RecordConverter(cols, OPENX);
    const t0 = process.hrtime.bigint();
    const { rows, failures } = c.convertBatch(records);
    const t1 = process.hrtime.bigint();
    const out = join(dir, 'bulk.parquet');
    await writer.write(cols, rows, opts(), out);
    const t2 = process.hrtime.bigint();
    const convertMs = Number(t1 - t0) / 1e6, writeMs = Number(t2 - t1) / 1e6;
    console.log(`conversion: ${n} records in ${convertMs.toFixed(0)} ms (${Math.round(n / (convertMs / 1000))} records/s); parquet write ${writeMs.toFixed(0)} ms`);
    expect(failures).toEqual([]);
    expect(rows).toHaveLength(n);
    expect(convertMs).toBeLessThan(3000);
    const { stdout } = await run('python3', ['-c', 'import sys, pyarrow.parquet as pq; t = pq.read_table(sys.argv[1]); print(t.num_rows, t.slice(49999, 1).to_pylist())', out]);
    expect(stdout).toContain("50000 [{'event_id': 49999, 'user': 'u99', 'amount': Decimal('12499.75'), 'ts': datetime.datetime(2023, 11, 15, 12, 6, 39), 'tags': ['a', 'b'], 'ctx': {'ip': '10.0.0.1', 'ok': False}}]");
  });
});
