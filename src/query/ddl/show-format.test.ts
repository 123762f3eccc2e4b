/** Unit tests for SHOW CREATE TABLE, DESCRIBE and the TableInput Athena stores, against hand-written Hive layouts. */
import { describe, expect, it } from 'vitest';
import type { Table } from '../../catalog/model.js';
import type { CreateTable } from './ddl-ast.js';
import { parseDdl } from './ddl-parser.js';
import { describeFormatted, describeTable, showCreateTable } from './show-format.js';
import { tableInput } from './table-definition.js';

const table = (sql: string): Table => ({ ...tableInput(parseDdl(sql) as CreateTable, 1700000000), DatabaseName: 'db' });

describe('table definitions and Hive layouts', () => {
  it('stores Parquet tables with Hive class names and renders SHOW CREATE TABLE', () => {
    const t = table(`CREATE EXTERNAL TABLE p (a string, b array<int>) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://b/p/' TBLPROPERTIES ('parquet.compress'='SNAPPY')`);
    expect(t.StorageDescriptor?.SerdeInfo).toEqual({ SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } });
    expect(t.Parameters).toEqual({ EXTERNAL: 'TRUE', 'parquet.compress': 'SNAPPY', transient_lastDdlTime: '1700000000' });
    expect(showCreateTable(t).join('\n')).toBe(
      [
        'CREATE EXTERNAL TABLE `db.p`(',
        '  `a` string, ',
        '  `b` array<int>)',
        'PARTITIONED BY ( ',
        '  `dt` string)',
        'ROW FORMAT SERDE ',
        "  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' ",
        'STORED AS INPUTFORMAT ',
        "  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' ",
        'OUTPUTFORMAT ',
        "  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'",
        'LOCATION',
        "  's3://b/p/'",
        'TBLPROPERTIES (',
        "  'parquet.compress'='SNAPPY', ",
        "  'transient_lastDdlTime'='1700000000')",
      ].join('\n'),
    );
  });

  it('renders SerDe properties and delimited formats', () => {
    const j = table(`CREATE EXTERNAL TABLE j (a string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('mapping.a'='A', 'case.insensitive'='TRUE') LOCATION 's3://b/j/'`);
    expect(showCreateTable(j).slice(2, 7)).toEqual(['ROW FORMAT SERDE ', "  'org.openx.data.jsonserde.JsonSerDe' ", 'WITH SERDEPROPERTIES ( ', "  'case.insensitive'='TRUE', ", "  'mapping.a'='A') "]);
    const d = table(`CREATE EXTERNAL TABLE d (a string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' LOCATION 's3://b/d/'`);
    expect(d.StorageDescriptor?.SerdeInfo?.Parameters).toEqual({ 'field.delim': '\t', 'line.delim': '\n', 'serialization.format': '\t' });
    expect(showCreateTable(d).slice(2, 5)).toEqual(['ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY '\\t' ", "  LINES TERMINATED BY '\\n' "]);
  });

  it('stores ESCAPED BY as escape.delim and renders it so that it parses back', () => {
    const sql = `CREATE EXTERNAL TABLE e (a string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' LOCATION 's3://b/e/'`;
    const e = table(sql);
    expect(e.StorageDescriptor?.SerdeInfo?.Parameters).toEqual({ 'field.delim': ',', 'escape.delim': '\\', 'line.delim': '\n', 'serialization.format': ',' });
    const shown = showCreateTable(e);
    expect(shown.slice(2, 6)).toEqual(['ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY ',' ", "  ESCAPED BY '\\\\' ", "  LINES TERMINATED BY '\\n' "]);
    const again = table(shown.join('\n').replace('`db.e`', 'e'));
    expect(again.StorageDescriptor?.SerdeInfo?.Parameters).toEqual(e.StorageDescriptor?.SerdeInfo?.Parameters);
    const viaSerde = table(`CREATE EXTERNAL TABLE s (a string) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'
      WITH SERDEPROPERTIES ('field.delim'='|', 'escape.delim'='\\\\') LOCATION 's3://b/s/'`);
    expect(showCreateTable(viaSerde).slice(2, 5)).toEqual(['ROW FORMAT DELIMITED ', "  FIELDS TERMINATED BY '|' ", "  ESCAPED BY '\\\\' "]);
  });

  it('formats DESCRIBE and DESCRIBE FORMATTED', () => {
    const t = table(`CREATE EXTERNAL TABLE t (a string COMMENT 'x', n bigint) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://b/t/'`);
    const p = (s: string): string => s.padEnd(20);
    expect(describeTable(t)).toEqual([
      `${p('a')}\t${p('string')}\t${p('x')}`,
      `${p('n')}\t${p('bigint')}\t${p('')}`,
      `${p('dt')}\t${p('string')}\t${p('')}`,
      '\t \t ',
      '# Partition Information\t \t ',
      `# ${p('col_name')}\t${p('data_type')}\t${p('comment')}`,
      '\t \t ',
      `${p('dt')}\t${p('string')}\t${p('')}`,
    ]);
    const f = describeFormatted(t);
    expect(f).toContain(`${p('Location:')}\t${p('s3://b/t/')}\t `);
    expect(f).toContain(`${p('Table Type:')}\t${p('EXTERNAL_TABLE')}\t `);
    expect(f).toContain(`\t${p('serialization.format')}\t${p('1')}`);
  });

  it('rejects repeated columns as Hive does', () => {
    expect(() => table(`CREATE EXTERNAL TABLE t (a string, a int) LOCATION 's3://b/'`)).toThrow('[Error 10036]: Duplicate column name: a');
    expect(() => table(`CREATE EXTERNAL TABLE t (a string) PARTITIONED BY (a string) LOCATION 's3://b/'`)).toThrow('[Error 10035]: Column repeated in partitioning columns');
  });
});
