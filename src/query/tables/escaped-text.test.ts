/** LazySimpleSerDe `escape.delim` on DuckDB: escaped delimiters are data, escapes removed from strings, NULL token on the raw field, numbers with escapes NULL. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../catalog/model.js';
import { markText, type EscapedTextOptions } from './escaped-text.js';
import { buildRelation, type DataFile } from './relation-builder.js';

let dir: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakebox-escaped-'));
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
});

afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

function table(params: Record<string, string>, tableParams: Record<string, string> = {}): Table {
  return {
    Name: 't',
    DatabaseName: 'db',
    TableType: 'EXTERNAL_TABLE',
    Parameters: tableParams,
    PartitionKeys: [],
    StorageDescriptor: {
      Columns: [
        { Name: 'id', Type: 'int' },
        { Name: 'name', Type: 'string' },
        { Name: 'tags', Type: 'array<string>' },
        { Name: 'n', Type: 'bigint' },
      ],
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: params },
    },
  };
}

async function read(t: Table, name: string, lines: readonly string[], withPath = false): Promise<unknown[][]> {
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + '\n');
  const files: DataFile[] = [{ path, uri: `s3://b/k/${name}`, partitionValues: [] }];
  const reader = await conn.runAndReadAll(`SELECT * FROM (${buildRelation(t, files, { withPath })})`);
  return reader.getRowsJson();
}

const ESCAPED = { 'field.delim': ',', 'escape.delim': '\\', 'collection.delim': '|', 'serialization.format': ',' };

describe('LazySimpleSerDe escape.delim', () => {
  it('keeps escaped delimiters as data and removes the escape character from strings', async () => {
    const rows = await read(table(ESCAPED), 'a.csv', [
      '1,a\\,b,x|y\\|z,5',
      '2,back\\\\slash,p,\\N',
      '3,new\\nline\\tab\\r,q,7',
      '\\N,trailing\\',
      '4\\5,"quoted",r,x\\,y',
      '5,\\\\,s,6',
    ]);
    expect(rows).toEqual([
      [1, 'a,b', ['x', 'y|z'], '5'],
      [2, 'back\\slash', ['p'], null],
      [3, 'new\nlinetab\r', ['q'], '7'],
      [null, 'trailing\\', null, null],
      [null, '"quoted"', ['r'], null],
      [5, '\\', ['s'], '6'],
    ]);
  });

  it('honours a custom escape character, header skipping and "$path"', async () => {
    const t = table({ 'field.delim': '\t', 'escape.delim': '#' }, { 'skip.header.line.count': '1' });
    const rows = await read(t, 'b.tsv', ['id\tname', '1\ta#\tb\tc', '2\t#\\N\td'], true);
    expect(rows).toEqual([
      [1, 'a\tb', ['c'], null, 's3://b/k/b.tsv'],
      [2, '\\N', ['d'], null, 's3://b/k/b.tsv'],
    ]);
  });

  it('compares the NULL token with the raw field', async () => {
    const t = table({ ...ESCAPED, 'serialization.null.format': 'NULL' });
    expect(await read(t, 'c.csv', ['1,NULL,x,NULL', '2,\\NULL,y,3'])).toEqual([
      [1, null, ['x'], null],
      [2, 'NULL', ['y'], '3'],
    ]);
  });

  it('without escape.delim a backslash is data and every delimiter splits', async () => {
    expect(await read(table({ 'field.delim': ',' }), 'd.csv', ['1,a\\,b,5'])).toEqual([[1, 'a\\', ['b'], '5']]);
  });

  it('marks constants the way the SQL marks lines', () => {
    const o: EscapedTextOptions = { columns: [], fieldDelim: ',', collectionDelim: '\u0002', mapKeyDelim: '\u0003', escape: '\\', nullFormat: '\\N', skip: 0 };
    expect(markText('\\N', o)).toBe('\uFDD0N');
    expect(markText('a\\,b\\\\,c\\', o)).toBe('a\uFDD1b\uFDD0\\,c\\');
  });
});
