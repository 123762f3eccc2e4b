/** information_schema rows from a real Glue catalog, run on DuckDB: schemata, tables, columns (DML types, partition keys last), views, schema restriction. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogModule } from '../../catalog/catalog-module.js';
import { dmlTypeName } from './dml-type-names.js';
import { informationSchemaRelation, isInformationSchemaTable, schemaRestriction, type InformationSchemaOptions } from './information-schema.js';

let dataDir: string;
let catalog: CatalogModule;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

const prestoView = (sql: string): string =>
  `/* Presto View: ${Buffer.from(JSON.stringify({ originalSql: sql, catalog: 'awsdatacatalog', schema: 'sales', columns: [{ name: 'id', type: 'bigint' }] })).toString('base64')} */`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lakebox-infoschema-'));
  catalog = new CatalogModule({ dataDir, fsync: false, accountId: '000000000000' });
  await catalog.start();
  const s = catalog.service;
  await s.createDatabase({ DatabaseInput: { Name: 'sales' } });
  await s.createDatabase({ DatabaseInput: { Name: 'empty_db' } });
  await s.createTable({
    DatabaseName: 'sales',
    TableInput: {
      Name: 'orders',
      TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [{ Name: 'dt', Type: 'string' }, { Name: 'hour', Type: 'int' }],
      StorageDescriptor: {
        Columns: [
          { Name: 'id', Type: 'bigint', Comment: `order's "id" \\ ✓` },
          { Name: 'amount', Type: 'decimal(10,2)' },
          { Name: 'items', Type: 'array<struct<sku:string,qty:int>>' },
          { Name: 'attrs', Type: 'map<string,float>' },
          { Name: 'ts', Type: 'timestamp' },
          { Name: 'raw', Type: 'binary' },
        ],
      },
    },
  });
  await s.createTable({
    DatabaseName: 'sales',
    TableInput: { Name: 'big_orders', TableType: 'VIRTUAL_VIEW', ViewOriginalText: prestoView('SELECT id FROM orders WHERE amount > 100'), StorageDescriptor: { Columns: [{ Name: 'id', Type: 'bigint' }] } },
  });
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
});

afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  await catalog?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function select(table: string, sql: string, options: Partial<InformationSchemaOptions> = {}): Promise<unknown[][]> {
  const relation = informationSchemaRelation(table, catalog.service, { catalogName: 'AwsDataCatalog', ...options });
  const reader = await conn.runAndReadAll(sql.replace('$T', `(${relation})`));
  return reader.getRowsJson();
}

describe('information_schema', () => {
  it('knows its four tables', () => {
    expect(['columns', 'tables', 'schemata', 'views'].every(isInformationSchemaTable)).toBe(true);
    expect(isInformationSchemaTable('table_privileges')).toBe(false);
    expect(isInformationSchemaTable('constructor')).toBe(false);
  });

  it('schemata lists every Glue database and information_schema', async () => {
    expect(await select('schemata', 'SELECT * FROM $T')).toEqual([
      ['awsdatacatalog', 'empty_db'],
      ['awsdatacatalog', 'information_schema'],
      ['awsdatacatalog', 'sales'],
    ]);
  });

  it('tables tells base tables from views', async () => {
    expect(await select('tables', `SELECT * FROM $T WHERE table_schema = 'sales'`)).toEqual([
      ['awsdatacatalog', 'sales', 'big_orders', 'VIEW'],
      ['awsdatacatalog', 'sales', 'orders', 'BASE TABLE'],
    ]);
    expect(await select('tables', `SELECT table_name FROM $T WHERE table_schema = 'information_schema'`)).toEqual([['columns'], ['schemata'], ['tables'], ['views']]);
  });

  it('columns has DML type names, comments, and partition keys after the data columns', async () => {
    const rows = await select('columns', `SELECT * FROM $T WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position`);
    expect(rows).toEqual([
      ['awsdatacatalog', 'sales', 'orders', 'id', '1', null, 'YES', 'bigint', `order's "id" \\ ✓`, null],
      ['awsdatacatalog', 'sales', 'orders', 'amount', '2', null, 'YES', 'decimal(10,2)', null, null],
      ['awsdatacatalog', 'sales', 'orders', 'items', '3', null, 'YES', 'array(row(sku varchar, qty integer))', null, null],
      ['awsdatacatalog', 'sales', 'orders', 'attrs', '4', null, 'YES', 'map(varchar, real)', null, null],
      ['awsdatacatalog', 'sales', 'orders', 'ts', '5', null, 'YES', 'timestamp(3)', null, null],
      ['awsdatacatalog', 'sales', 'orders', 'raw', '6', null, 'YES', 'varbinary', null, null],
      ['awsdatacatalog', 'sales', 'orders', 'dt', '7', null, 'YES', 'varchar', null, 'partition key'],
      ['awsdatacatalog', 'sales', 'orders', 'hour', '8', null, 'YES', 'integer', null, 'partition key'],
    ]);
    const types = await conn.runAndReadAll(`SELECT * FROM (${informationSchemaRelation('columns', catalog.service, { catalogName: 'awsdatacatalog' })}) LIMIT 0`);
    expect(types.columnNames().map((n, i) => `${n} ${types.columnType(i).toString()}`)).toContain('ordinal_position BIGINT');
  });

  it('views holds the original SQL of Athena views', async () => {
    expect(await select('views', 'SELECT * FROM $T')).toEqual([['awsdatacatalog', 'sales', 'big_orders', 'SELECT id FROM orders WHERE amount > 100']]);
  });

  it('lists only the restricted schemas, and stays typed when empty', async () => {
    expect(await select('schemata', 'SELECT schema_name FROM $T', { schemas: new Set(['sales', 'nope']) })).toEqual([['sales']]);
    expect(await select('columns', 'SELECT count(*) FROM $T', { schemas: new Set(['nope']) })).toEqual([['0']]);
    expect(await select('views', 'SELECT count(*) FROM $T', { schemas: new Set(['empty_db']) })).toEqual([['0']]);
  });
});

describe('schemaRestriction', () => {
  it('uses = and IN on the schema column, intersected per reference and united across references', () => {
    expect(schemaRestriction('tables', [[{ column: 'table_schema', op: '=', value: 'a' }]])).toEqual(new Set(['a']));
    expect(schemaRestriction('schemata', [[{ column: 'schema_name', op: 'IN', values: ['a', 'b'] }]])).toEqual(new Set(['a', 'b']));
    expect(schemaRestriction('columns', [[{ column: 'table_schema', op: 'IN', values: ['a', 'b'] }, { column: 'table_schema', op: '=', value: 'b' }]])).toEqual(new Set(['b']));
    expect(schemaRestriction('columns', [[{ column: 'table_schema', op: '=', value: 'a' }], [{ column: 'table_schema', op: '=', value: 'c' }]])).toEqual(new Set(['a', 'c']));
  });

  it('does not restrict when a reference has no usable predicate', () => {
    expect(schemaRestriction('columns', [[{ column: 'table_schema', op: '=', value: 'a' }], []])).toBeUndefined();
    expect(schemaRestriction('columns', [[{ column: 'table_schema', op: '>', value: 'a' }]])).toBeUndefined();
    expect(schemaRestriction('columns', [[{ column: 'table_name', op: '=', value: 'a' }]])).toBeUndefined();
    expect(schemaRestriction('columns', [[{ column: 'table_schema', op: '=', value: 5 }]])).toBeUndefined();
  });
});

describe('dmlTypeName', () => {
  it('maps Hive DDL types to Athena DML names', () => {
    const cases: [string, string][] = [
      ['string', 'varchar'], ['int', 'integer'], ['INT', 'integer'], ['float', 'real'], ['double', 'double'], ['boolean', 'boolean'],
      ['tinyint', 'tinyint'], ['smallint', 'smallint'], ['bigint', 'bigint'], ['date', 'date'], ['timestamp', 'timestamp(3)'], ['binary', 'varbinary'],
      ['char(3)', 'char(3)'], ['varchar(20)', 'varchar(20)'], ['decimal(38,9)', 'decimal(38,9)'],
      ['map<string,array<bigint>>', 'map(varchar, array(bigint))'], ['struct<a:int,b:string>', 'row(a integer, b varchar)'],
      ['uniontype<int,string>', 'uniontype<int,string>'],
    ];
    for (const [hive, dml] of cases) expect(dmlTypeName(hive), hive).toBe(dml);
  });
});
