/** Athena's catalog metadata operations over the Glue catalog: ListDataCatalogs/GetDataCatalog (AwsDataCatalog), List/GetDatabase(s), List/GetTableMetadata. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { Column, Table } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import { AthenaErrors } from './athena-errors.js';
import { ATHENA_LIMITS, DEFAULT_CATALOG } from './model.js';
import { decodeToken, encodeToken, maxResults, requiredString } from './paging.js';

type Json = Record<string, unknown>;

const epoch = (d: Date | undefined): number | undefined => (d instanceof Date ? d.getTime() / 1000 : d === undefined ? undefined : new Date(d).getTime() / 1000);

/** TableMetadata as Athena flattens a Glue table: storage descriptor and SerDe parameters folded into Parameters. */
export function tableMetadata(t: Table): Json {
  const sd = t.StorageDescriptor;
  const params: Record<string, string> = {};
  if (sd?.Location) params.location = sd.Location;
  if (sd?.InputFormat) params.inputformat = sd.InputFormat;
  if (sd?.OutputFormat) params.outputformat = sd.OutputFormat;
  if (sd?.SerdeInfo?.SerializationLibrary) params['serde.serialization.lib'] = sd.SerdeInfo.SerializationLibrary;
  for (const [k, v] of Object.entries(sd?.SerdeInfo?.Parameters ?? {})) params[`serde.param.${k}`] = v;
  Object.assign(params, t.Parameters ?? {});
  const col = (c: Column): Json => ({ Name: c.Name, Type: c.Type, ...(c.Comment !== undefined ? { Comment: c.Comment } : {}) });
  return {
    Name: t.Name,
    CreateTime: epoch(t.CreateTime),
    ...(t.LastAccessTime ? { LastAccessTime: epoch(t.LastAccessTime) } : {}),
    TableType: t.TableType,
    Columns: (sd?.Columns ?? []).map(col),
    PartitionKeys: (t.PartitionKeys ?? []).map(col),
    Parameters: params,
  };
}

export class CatalogMetadata {
  constructor(private readonly catalog: CatalogService) {}

  #catalog(name: unknown): void {
    const n = requiredString(name, 'catalogName', 1, 256);
    if (n.toLowerCase() !== DEFAULT_CATALOG.toLowerCase()) throw AthenaErrors.metadata(`Catalog ${n} was not found.`);
  }

  #wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'EntityNotFoundException') throw AthenaErrors.metadata(err.message);
      throw err;
    }
  }

  listDataCatalogs(i: Json): Json {
    maxResults(i.MaxResults, 2, ATHENA_LIMITS.listPage);
    return { DataCatalogsSummary: [{ CatalogName: DEFAULT_CATALOG, Type: 'GLUE', Status: 'CREATE_COMPLETE' }] };
  }

  getDataCatalog(i: Json): Json {
    const name = requiredString(i.Name, 'name', 1, 256);
    if (name.toLowerCase() !== DEFAULT_CATALOG.toLowerCase()) throw AthenaErrors.invalidInput(`Catalog ${name} was not found.`);
    return { DataCatalog: { Name: DEFAULT_CATALOG, Description: 'AWS Glue Data Catalog', Type: 'GLUE', Parameters: { 'catalog-id': this.catalog.catalogId(undefined) }, Status: 'CREATE_COMPLETE' } };
  }

  listDatabases(i: Json): Json {
    this.#catalog(i.CatalogName);
    const limit = maxResults(i.MaxResults, 1, ATHENA_LIMITS.listPage);
    const page = this.catalog.getDatabases({ MaxResults: limit, NextToken: decodeToken<string>('db', i.NextToken) });
    return {
      DatabaseList: (page.DatabaseList ?? []).map((d) => ({ Name: d.Name, ...(d.Description ? { Description: d.Description } : {}), Parameters: d.Parameters ?? {} })),
      ...(page.NextToken ? { NextToken: encodeToken('db', page.NextToken) } : {}),
    };
  }

  getDatabase(i: Json): Json {
    this.#catalog(i.CatalogName);
    const d = this.#wrap(() => this.catalog.getDatabase({ Name: requiredString(i.DatabaseName, 'databaseName', 1, 128) }).Database!);
    return { Database: { Name: d.Name, ...(d.Description ? { Description: d.Description } : {}), Parameters: d.Parameters ?? {} } };
  }

  listTableMetadata(i: Json): Json {
    this.#catalog(i.CatalogName);
    const db = requiredString(i.DatabaseName, 'databaseName', 1, 128);
    const limit = maxResults(i.MaxResults, 1, ATHENA_LIMITS.listPage);
    const page = this.#wrap(() =>
      this.catalog.getTables({ DatabaseName: db, MaxResults: limit, NextToken: decodeToken<string>('tm', i.NextToken), Expression: typeof i.Expression === 'string' ? i.Expression : undefined }),
    );
    return { TableMetadataList: (page.TableList ?? []).map(tableMetadata), ...(page.NextToken ? { NextToken: encodeToken('tm', page.NextToken) } : {}) };
  }

  getTableMetadata(i: Json): Json {
    this.#catalog(i.CatalogName);
    const db = requiredString(i.DatabaseName, 'databaseName', 1, 128);
    const name = requiredString(i.TableName, 'tableName', 1, 128);
    return { TableMetadata: tableMetadata(this.#wrap(() => this.catalog.getTable(db, name))) };
  }
}
