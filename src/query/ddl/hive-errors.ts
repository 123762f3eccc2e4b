/** Athena's Hive DDL error texts (`FAILED: SemanticException …`, DDLTask execution errors) and the name helpers they use. */
import { DdlError } from '../athena/ddl-port.js';
import type { QualifiedName } from './ddl-ast.js';

const DDL_TASK = 'FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask.';

export const shown = (t: QualifiedName): string => (t.db !== undefined ? `${t.db}.${t.name}` : t.name);

export const HiveErrors = {
  parse: (detail: string) => new DdlError(`FAILED: ParseException ${detail}`),
  tableNotFound: (t: QualifiedName) => new DdlError(`FAILED: SemanticException [Error 10001]: Table not found ${shown(t)}`),
  databaseNotFound: (db: string) => new DdlError(`FAILED: SemanticException [Error 10072]: Database does not exist: ${db}`),
  databaseExists: (db: string) => new DdlError(`FAILED: SemanticException [Error 10072]: Database ${db} already exists`),
  tableExists: (name: string) => new DdlError(`${DDL_TASK} AlreadyExistsException(message:Table ${name} already exist)`),
  databaseNotEmpty: (db: string) => new DdlError(`${DDL_TASK} InvalidOperationException(message:Database ${db} is not empty. One or more tables exist.)`),
  notPartitioned: (name: string) => new DdlError(`FAILED: SemanticException [Error 10241]: Table ${name} is not a partitioned table`),
  partitionExists: () => new DdlError(`${DDL_TASK} AlreadyExistsException(message:Partition already exists.)`),
  partitionNotFound: (spec: string) => new DdlError(`FAILED: SemanticException [Error 10006]: Partition not found ${spec}`),
  invalidPartitionSpec: (detail: string) => new DdlError(`FAILED: SemanticException ${detail}`),
  notExternal: () => new DdlError('FAILED: SemanticException Only external table creation is supported. Use CREATE EXTERNAL TABLE (or TBLPROPERTIES (\'table_type\'=\'ICEBERG\') for Iceberg tables).'),
  noLocation: () => new DdlError('FAILED: SemanticException No location was specified for table'),
  isView: (name: string) => new DdlError(`FAILED: SemanticException [Error 10132]: Cannot drop a view with DROP TABLE: ${name}`),
  notView: (name: string) => new DdlError(`FAILED: SemanticException [Error 10131]: ${name} is not a view`),
  noProperty: (table: string, key: string) => new DdlError(`Table ${table} does not have property: ${key}`),
  unsupported: (what: string) => new DdlError(`FAILED: SemanticException Lakebox does not support ${what}`),
} as const;
