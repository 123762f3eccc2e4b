import { describe, expect, it } from 'vitest';
import { classify, parseExecute, placeholderPositions, substitute } from './statement-router.js';

describe('statement routing', () => {
  it.each([
    ['  -- c\n/* x */ select 1', 'DML', 'SELECT', 'engine'],
    ['WITH a AS (SELECT 1) SELECT * FROM a', 'DML', 'SELECT', 'engine'],
    ['(SELECT 1)', 'DML', 'SELECT', 'engine'],
    ['EXPLAIN SELECT 1', 'DML', 'EXPLAIN', 'explain'],
    ['CREATE EXTERNAL TABLE t (a int) LOCATION \'s3://b/\'', 'DDL', 'CREATE_TABLE', 'ddl'],
    ['CREATE TABLE t AS SELECT 1', 'DDL', 'CREATE_TABLE_AS_SELECT', 'write'],
    ['create database x', 'DDL', 'CREATE_DATABASE', 'ddl'],
    ['CREATE OR REPLACE VIEW v AS SELECT 1', 'DDL', 'CREATE_VIEW', 'ddl'],
    ['DROP TABLE t', 'DDL', 'DROP_TABLE', 'ddl'],
    ['SHOW TABLES IN db', 'UTILITY', 'SHOW_TABLES', 'ddl'],
    ['SHOW SCHEMAS', 'UTILITY', 'SHOW_DATABASES', 'ddl'],
    ['SHOW CREATE TABLE t', 'UTILITY', 'SHOW_CREATE_TABLE', 'ddl'],
    ['DESCRIBE t', 'UTILITY', 'DESCRIBE_TABLE', 'ddl'],
    ['MSCK REPAIR TABLE t', 'DDL', 'MSCK_REPAIR_TABLE', 'ddl'],
    ['ALTER TABLE t ADD COLUMNS (b int)', 'DDL', 'ALTER_TABLE_ADD_COLUMN', 'ddl'],
    ['INSERT INTO t SELECT 1', 'DML', 'INSERT', 'write'],
    ['EXECUTE s USING 1', 'DML', 'SELECT', 'execute'],
  ])('%s', (sql, type, sub, route) => {
    expect(classify(sql)).toEqual({ statementType: type, substatementType: sub, route });
  });

  it('finds ? placeholders outside strings, quoted names and comments', () => {
    const sql = `SELECT '?', "?" , ? -- ?\n, /* ? */ ?`;
    expect(placeholderPositions(sql).length).toBe(2);
    expect(substitute(sql, ['1', "'x'"])).toBe(`SELECT '?', "?" , 1 -- ?\n, /* ? */ 'x'`);
  });

  it('parses EXECUTE … USING with commas inside strings and calls', () => {
    expect(parseExecute(`EXECUTE my_stmt USING 'a,b', date_add('day', 1, x), 3;`)).toEqual({ name: 'my_stmt', using: ["'a,b'", "date_add('day', 1, x)", '3'] });
  });
});
