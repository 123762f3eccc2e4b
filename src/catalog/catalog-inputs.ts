/** Validation and normalization of Glue inputs (DatabaseInput, TableInput, PartitionInput) into stored catalog objects, and GetTables name patterns. */
import type { StorageDescriptor } from '@aws-sdk/client-glue';
import { CatalogErrors } from './errors.js';
import { catalogName, foldColumns, type Database, type DatabaseInput, type Partition, type PartitionInput, type Table, type TableInput } from './model.js';

/** Throws InvalidInputException when a required member is missing (what Glue answers to a raw request without it). */
export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function maxLength(value: string | undefined, max: number, field: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
}

function stringMap(value: Record<string, string> | undefined, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw CatalogErrors.invalidInput(`${field} must be a map of strings.`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw CatalogErrors.invalidInput(`${field}.${k} must be a string.`);
    maxLength(v, 512000, `${field}.${k}`);
  }
  return value;
}

function storageDescriptor(sd: StorageDescriptor | undefined, field: string): StorageDescriptor | undefined {
  if (sd === undefined || sd === null) return undefined;
  if (typeof sd !== 'object' || Array.isArray(sd)) throw CatalogErrors.invalidInput(`${field} must be a structure.`);
  maxLength(sd.Location, 2056, `${field}.location`);
  maxLength(sd.InputFormat, 128, `${field}.inputFormat`);
  maxLength(sd.OutputFormat, 128, `${field}.outputFormat`);
  if (sd.Columns !== undefined && !Array.isArray(sd.Columns)) throw CatalogErrors.invalidInput(`${field}.columns must be a list.`);
  return {
    ...sd,
    Columns: foldColumns(sd.Columns, `${field}.columns`) ?? [],
    Compressed: sd.Compressed ?? false,
    NumberOfBuckets: sd.NumberOfBuckets ?? 0,
    StoredAsSubDirectories: sd.StoredAsSubDirectories ?? false,
    Parameters: stringMap(sd.Parameters, `${field}.parameters`),
    SerdeInfo: sd.SerdeInfo && { ...sd.SerdeInfo, Parameters: stringMap(sd.SerdeInfo.Parameters, `${field}.serdeInfo.parameters`) },
  };
}

function structure<T>(value: T | undefined, field: string): T {
  const v = required(value, field);
  if (typeof v !== 'object' || Array.isArray(v)) throw CatalogErrors.invalidInput(`${field} must be a structure.`);
  return v;
}

export function buildDatabase(input: DatabaseInput | undefined, catalogId: string, createTime: Date): Database {
  const i = structure(input, 'databaseInput');
  const name = catalogName(i.Name, 'databaseInput.name');
  maxLength(i.Description, 2048, 'databaseInput.description');
  maxLength(i.LocationUri, 1024, 'databaseInput.locationUri');
  return {
    Name: name,
    Description: i.Description,
    LocationUri: i.LocationUri,
    Parameters: stringMap(i.Parameters, 'databaseInput.parameters') ?? {},
    CreateTime: createTime,
    CreateTableDefaultPermissions: i.CreateTableDefaultPermissions ?? [
      { Principal: { DataLakePrincipalIdentifier: 'IAM_ALLOWED_PRINCIPALS' }, Permissions: ['ALL'] },
    ],
    TargetDatabase: i.TargetDatabase,
    FederatedDatabase: i.FederatedDatabase,
    CatalogId: catalogId,
  };
}

export interface TableContext {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly createTime: Date;
  readonly updateTime: Date;
  readonly versionId: string;
  readonly createdBy: string;
}

export function buildTable(input: TableInput | undefined, ctx: TableContext): Table {
  const i = structure(input, 'tableInput');
  const name = catalogName(i.Name, 'tableInput.name');
  maxLength(i.Description, 2048, 'tableInput.description');
  maxLength(i.TableType, 255, 'tableInput.tableType');
  maxLength(i.ViewOriginalText, 409600, 'tableInput.viewOriginalText');
  maxLength(i.ViewExpandedText, 409600, 'tableInput.viewExpandedText');
  if (i.Retention !== undefined && (!Number.isInteger(i.Retention) || i.Retention < 0)) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value '${String(i.Retention)}' at 'tableInput.retention' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }
  if (i.PartitionKeys !== undefined && !Array.isArray(i.PartitionKeys)) throw CatalogErrors.invalidInput('tableInput.partitionKeys must be a list.');
  const partitionKeys = foldColumns(i.PartitionKeys, 'tableInput.partitionKeys') ?? [];
  const seen = new Set<string>();
  for (const k of partitionKeys) {
    if (seen.has(k.Name!)) throw CatalogErrors.invalidInput(`Duplicate partition key name: ${k.Name}`);
    seen.add(k.Name!);
  }
  return {
    Name: name,
    DatabaseName: ctx.databaseName,
    Description: i.Description,
    Owner: i.Owner,
    CreateTime: ctx.createTime,
    UpdateTime: ctx.updateTime,
    LastAccessTime: i.LastAccessTime,
    LastAnalyzedTime: i.LastAnalyzedTime,
    Retention: i.Retention ?? 0,
    StorageDescriptor: storageDescriptor(i.StorageDescriptor, 'tableInput.storageDescriptor'),
    PartitionKeys: partitionKeys,
    ViewOriginalText: i.ViewOriginalText,
    ViewExpandedText: i.ViewExpandedText,
    TableType: i.TableType,
    Parameters: stringMap(i.Parameters, 'tableInput.parameters') ?? {},
    CreatedBy: ctx.createdBy,
    IsRegisteredWithLakeFormation: false,
    TargetTable: i.TargetTable,
    CatalogId: ctx.catalogId,
    VersionId: ctx.versionId,
    IsMultiDialectView: false,
  };
}

/** Partition values: a list of strings, one per partition key of the table. */
export function partitionValues(values: unknown, table: Table, field: string): string[] {
  const v = required(values, field);
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw CatalogErrors.invalidInput(`${field} must be a list of strings.`);
  for (const x of v as string[]) maxLength(x, 1024, `${field}.member`);
  if (v.length !== (table.PartitionKeys?.length ?? 0)) {
    throw CatalogErrors.invalidInput('The number of partition keys do not match the number of partition values');
  }
  return v as string[];
}

export function buildPartition(input: PartitionInput | undefined, table: Table, creationTime: Date, values?: readonly string[]): Partition {
  const i = structure(input, 'partitionInput');
  return {
    Values: values ? [...values] : partitionValues(i.Values, table, 'partitionInput.values'),
    DatabaseName: table.DatabaseName,
    TableName: table.Name,
    CreationTime: creationTime,
    LastAccessTime: i.LastAccessTime,
    StorageDescriptor: storageDescriptor(i.StorageDescriptor, 'partitionInput.storageDescriptor'),
    Parameters: stringMap(i.Parameters, 'partitionInput.parameters') ?? {},
    LastAnalyzedTime: i.LastAnalyzedTime,
    CatalogId: table.CatalogId,
  };
}

/**
 * GetTables `Expression`: Hive-metastore style — alternatives separated by `|`, `*` meaning any run of characters
 * (a regular `.*` works too), matched against the whole name, case-insensitively.
 */
export function tableNameMatcher(expression: string | undefined): ((name: string) => boolean) | undefined {
  if (expression === undefined || expression === null || expression === '') return undefined;
  if (typeof expression !== 'string' || expression.length > 2048) throw CatalogErrors.invalidInput('Expression must be a string of at most 2048 characters.');
  try {
    const alternatives = expression.split('|').map((alt) => alt.trim().replace(/(^|[^.\\])\*/g, '$1.*'));
    const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
    return (name) => re.test(name);
  } catch {
    throw CatalogErrors.invalidInput(`Invalid table name pattern: ${expression}`);
  }
}
