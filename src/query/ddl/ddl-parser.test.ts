/** Unit tests for the Hive DDL tokenizer and parser: every statement form, Hive string escapes, ParseException positions. */
import { describe, expect, it } from 'vitest';
import { DdlSyntaxError, parseDdl } from './ddl-parser.js';
import { unescapeHive } from './ddl-tokenizer.js';

describe('parseDdl', () => {
  it('parses CREATE EXTERNAL TABLE with every clause', () => {
    const st = parseDdl(`-- comment
      CREATE EXTERNAL TABLE IF NOT EXISTS \`My_Db\`.Logs (
        \`ID\` INT COMMENT 'the id', tags array<string>, attrs map<string,bigint>,
        s struct<a:int, b:array<struct<c:decimal(10,2)>>>, v varchar(10) /* inline */)
      COMMENT 'tbl'
      PARTITIONED BY (dt string, hr int)
      CLUSTERED BY (id) INTO 4 BUCKETS
      ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' COLLECTION ITEMS TERMINATED BY '\\002'
        MAP KEYS TERMINATED BY ':' LINES TERMINATED BY '\\n' NULL DEFINED AS ''
      STORED AS TEXTFILE
      LOCATION 's3://b/logs/'
      TBLPROPERTIES ('skip.header.line.count'='1', "k"="v");`);
    expect(st).toEqual({
      kind: 'createTable',
      external: true,
      ifNotExists: true,
      table: { db: 'my_db', name: 'logs', text: '`My_Db`.Logs' },
      columns: [
        { name: 'id', type: 'int', comment: 'the id' },
        { name: 'tags', type: 'array<string>', comment: undefined },
        { name: 'attrs', type: 'map<string,bigint>', comment: undefined },
        { name: 's', type: 'struct<a:int,b:array<struct<c:decimal(10,2)>>>', comment: undefined },
        { name: 'v', type: 'varchar(10)', comment: undefined },
      ],
      comment: 'tbl',
      partitionedBy: [
        { name: 'dt', type: 'string', comment: undefined },
        { name: 'hr', type: 'int', comment: undefined },
      ],
      clusteredBy: { columns: ['id'], buckets: 4 },
      rowFormat: { kind: 'delimited', fields: '\t', escaped: '\\', collection: '\u0002', mapKeys: ':', lines: '\n', nullAs: '' },
      storedAs: { kind: 'format', format: 'TEXTFILE' },
      location: 's3://b/logs/',
      tblProperties: [
        ['skip.header.line.count', '1'],
        ['k', 'v'],
      ],
    });
  });

  it('parses SerDe and INPUTFORMAT forms', () => {
    const st = parseDdl(`CREATE EXTERNAL TABLE t (a string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('case.insensitive'='false')
      STORED AS INPUTFORMAT 'in.Format' OUTPUTFORMAT 'out.Format' LOCATION 's3://b/t'`);
    expect(st).toMatchObject({ rowFormat: { kind: 'serde', serde: 'org.openx.data.jsonserde.JsonSerDe', properties: [['case.insensitive', 'false']] }, storedAs: { kind: 'io', input: 'in.Format', output: 'out.Format' } });
  });

  it('parses database, partition, ALTER, SHOW, DESCRIBE and view statements', () => {
    expect(parseDdl(`CREATE SCHEMA IF NOT EXISTS d COMMENT 'c' LOCATION 's3://x/' WITH DBPROPERTIES ('a'='b')`)).toEqual({ kind: 'createDatabase', name: 'd', ifNotExists: true, comment: 'c', location: 's3://x/', properties: [['a', 'b']] });
    expect(parseDdl('DROP DATABASE IF EXISTS d CASCADE')).toEqual({ kind: 'dropDatabase', name: 'd', ifExists: true, cascade: true });
    expect(parseDdl('MSCK REPAIR TABLE d.t')).toMatchObject({ kind: 'msck', table: { db: 'd', name: 't' } });
    expect(parseDdl(`ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', n=-5) LOCATION 's3://b/x/' PARTITION (dt='b', n=1.5)`)).toMatchObject({
      kind: 'addPartitions',
      ifNotExists: true,
      partitions: [
        { spec: { values: [['dt', '2024-01-01'], ['n', '-5']] }, location: 's3://b/x/' },
        { spec: { values: [['dt', 'b'], ['n', '1.5']] }, location: undefined },
      ],
    });
    expect(parseDdl(`ALTER TABLE t DROP IF EXISTS PARTITION (dt='a'), PARTITION (dt='b')`)).toMatchObject({ kind: 'dropPartitions', ifExists: true, specs: [{ values: [['dt', 'a']] }, { values: [['dt', 'b']] }] });
    expect(parseDdl(`ALTER TABLE t PARTITION (dt='a') RENAME TO PARTITION (dt='b')`)).toMatchObject({ kind: 'renamePartition' });
    expect(parseDdl(`ALTER TABLE t PARTITION (dt='a') SET LOCATION 's3://b/'`)).toMatchObject({ kind: 'partitionSetLocation', location: 's3://b/' });
    expect(parseDdl('ALTER TABLE t ADD COLUMNS (x int)')).toMatchObject({ kind: 'addColumns', columns: [{ name: 'x', type: 'int' }] });
    expect(parseDdl('ALTER TABLE t REPLACE COLUMNS (x int)')).toMatchObject({ kind: 'replaceColumns' });
    expect(parseDdl("ALTER TABLE t CHANGE COLUMN Old New decimal(10,2) COMMENT 'c' AFTER id")).toEqual({
      kind: 'changeColumn',
      table: { db: undefined, name: 't', text: 't' },
      from: 'old',
      column: { name: 'new', type: 'decimal(10,2)', comment: 'c' },
      position: { after: 'id' },
    });
    expect(parseDdl('ALTER TABLE t CHANGE a a int FIRST')).toMatchObject({ kind: 'changeColumn', from: 'a', position: { first: true } });
    expect(parseDdl(`ALTER TABLE t SET TBLPROPERTIES ('a'='1')`)).toMatchObject({ kind: 'setTblProperties', properties: [['a', '1']] });
    expect(parseDdl(`ALTER TABLE t SET LOCATION 's3://n/'`)).toMatchObject({ kind: 'setLocation', location: 's3://n/' });
    expect(parseDdl(`ALTER TABLE t SET SERDEPROPERTIES ('field.delim'='|')`)).toMatchObject({ kind: 'setSerdeProperties', properties: [['field.delim', '|']] });
    expect(parseDdl(`SHOW DATABASES LIKE 'a*'`)).toEqual({ kind: 'showDatabases', pattern: 'a*' });
    expect(parseDdl(`SHOW TABLES IN d 'x|y'`)).toEqual({ kind: 'showTables', db: 'd', pattern: 'x|y' });
    expect(parseDdl('SHOW VIEWS')).toEqual({ kind: 'showViews', db: undefined, pattern: undefined });
    expect(parseDdl('SHOW COLUMNS FROM t IN d')).toMatchObject({ kind: 'showColumns', table: { db: 'd', name: 't' } });
    expect(parseDdl(`SHOW TBLPROPERTIES t ('k')`)).toMatchObject({ kind: 'showTblProperties', key: 'k' });
    expect(parseDdl('SHOW CREATE TABLE d.t')).toMatchObject({ kind: 'showCreateTable' });
    expect(parseDdl('SHOW CREATE VIEW v')).toMatchObject({ kind: 'showCreateView' });
    expect(parseDdl('SHOW PARTITIONS t')).toMatchObject({ kind: 'showPartitions' });
    expect(parseDdl('DESCRIBE FORMATTED d.t')).toMatchObject({ kind: 'describe', mode: 'formatted', table: { db: 'd', name: 't' } });
    expect(parseDdl('DESC t col')).toMatchObject({ kind: 'describe', mode: 'plain', column: 'col' });
    expect(parseDdl('CREATE OR REPLACE VIEW "d"."v" AS\nSELECT 1 AS x;')).toEqual({ kind: 'createView', replace: true, table: { db: 'd', name: 'v', text: '"d"."v"' }, sql: 'SELECT 1 AS x' });
    // The view's query is SQL, not Hive DDL: operators the DDL lexer does not know (/, ||, %, !=) are kept as written.
    expect(parseDdl("CREATE VIEW v AS SELECT a / b, x || '|', a % 2 FROM t WHERE a != 0 -- note")).toMatchObject({
      kind: 'createView',
      sql: "SELECT a / b, x || '|', a % 2 FROM t WHERE a != 0 -- note",
    });
    expect(parseDdl('DROP VIEW IF EXISTS v')).toMatchObject({ kind: 'dropView', ifExists: true });
    expect(parseDdl('DROP TABLE IF EXISTS `_t`')).toMatchObject({ kind: 'dropTable', ifExists: true, table: { name: '_t' } });
  });

  it('reports ParseExceptions with ANTLR line:column and the next three tokens', () => {
    const err = (sql: string): string => {
      try {
        parseDdl(sql);
      } catch (e) {
        expect(e).toBeInstanceOf(DdlSyntaxError);
        return (e as Error).message;
      }
      throw new Error('parsed');
    };
    expect(err('CREATE EXTERNAL TABLE t (a strin)')).toBe("line 1:27 cannot recognize input near 'strin' ')' '<EOF>' in create table statement");
    expect(err('CREATE EXTERNAL TABLE t (a int)\n  LOCATIO x')).toBe("line 2:2 cannot recognize input near 'LOCATIO' 'x' '<EOF>' in create table statement");
    expect(err('ALTER TABLE t ADD PARTITION dt=1')).toBe("line 1:28 cannot recognize input near 'dt' '=' '1' in alter table statement");
    expect(err('DESCRIBE TABLE t')).toBe("line 1:9 cannot recognize input near 'TABLE' 't' '<EOF>' in describe statement");
    expect(err('CREATE EXTERNAL TABLE t (a decimal(40,2))')).toMatch(/^line 1:39 /);
  });

  it('decodes Hive string escapes', () => {
    expect(unescapeHive('\\t|\\001|\\u0002|\\\\|\\d|\\\'')).toBe("\t|\u0001|\u0002|\\|d|'");
  });
});
