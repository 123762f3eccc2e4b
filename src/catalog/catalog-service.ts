/** The Glue Data Catalog API (no HTTP): databases, tables and table versions, plus the in-process `getTable` other domains use; partitions live in PartitionService. */
import type {
  BatchDeleteTableRequest,
  BatchDeleteTableResponse,
  BatchDeleteTableVersionRequest,
  BatchDeleteTableVersionResponse,
  CreateDatabaseRequest,
  CreateTableRequest,
  DeleteDatabaseRequest,
  DeleteTableRequest,
  DeleteTableVersionRequest,
  GetDatabaseRequest,
  GetDatabaseResponse,
  GetDatabasesRequest,
  GetDatabasesResponse,
  GetTableRequest,
  GetTableResponse,
  GetTablesRequest,
  GetTablesResponse,
  GetTableVersionRequest,
  GetTableVersionResponse,
  GetTableVersionsRequest,
  GetTableVersionsResponse,
  SearchTablesRequest,
  SearchTablesResponse,
  UpdateDatabaseRequest,
  UpdateTableRequest,
} from '@aws-sdk/client-glue';
import { buildDatabase, buildTable, required, tableNameMatcher } from './catalog-inputs.js';
import type { CatalogStore } from './catalog-store.js';
import { CatalogErrors, errorDetail } from './errors.js';
import { catalogName, decodeToken, encodeToken, LIMITS, nowSeconds, pageSize, tableVersion, type Database, type Table } from './model.js';
import { PartitionService } from './partition-service.js';
import { tagMap, type TagHolder } from './resource-tags.js';

export interface CatalogServiceOptions {
  /** The default CatalogId (the account id). */
  readonly accountId: string;
}

type Empty = Record<string, never>;

/** Glue's `VersionString`: 1–255 characters; Lakebox's versions are decimal integers. */
function versionId(value: unknown, field: string): string {
  const v = required(value, field);
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) throw CatalogErrors.invalidInput(`${field} must be a string of 1 to 255 characters.`);
  return v;
}

export class CatalogService {
  readonly partitions: PartitionService;

  constructor(
    private readonly store: CatalogStore,
    private readonly options: CatalogServiceOptions,
  ) {
    this.partitions = new PartitionService(store, this);
  }

  catalogId(value: string | undefined): string {
    if (value === undefined || value === null || value === '') return this.options.accountId;
    if (typeof value !== 'string' || value.length > 255) throw CatalogErrors.invalidInput('CatalogId must be a string of 1 to 255 characters.');
    return value;
  }

  /**
   * In-process API (Firehose format conversion, Athena): the current table, or the given version.
   * Names are folded to lower case as Glue does. Throws EntityNotFoundException for a missing database, table or version.
   */
  getTable(databaseName: string, tableName: string, options: { catalogId?: string; versionId?: string } = {}): Table {
    const catalogId = this.catalogId(options.catalogId);
    const db = this.requireDatabase(catalogId, catalogName(databaseName, 'databaseName'));
    const name = catalogName(tableName, 'name');
    const table = this.store.getTable(catalogId, db.Name!, name);
    if (!table) throw CatalogErrors.tableNotFound(name);
    if (options.versionId === undefined || options.versionId === table.VersionId) return table;
    const version = this.store.getTable(catalogId, db.Name!, name, options.versionId);
    if (!version) throw CatalogErrors.versionNotFound(name, options.versionId);
    return version;
  }

  requireDatabase(catalogId: string, name: string): Database {
    const db = this.store.getDatabase(catalogId, name);
    if (!db) throw CatalogErrors.databaseNotFound(name);
    return db;
  }

  /** Resolves a request's catalog, database and table names (validated, lower-cased), checking both exist. */
  resolveTable(i: { CatalogId?: string | undefined; DatabaseName?: string | undefined }, tableName: unknown, field = 'tableName'): Table {
    const catalogId = this.catalogId(i.CatalogId);
    const db = this.requireDatabase(catalogId, catalogName(i.DatabaseName, 'databaseName'));
    const name = catalogName(tableName, field);
    const table = this.store.getTable(catalogId, db.Name!, name);
    if (!table) throw CatalogErrors.tableNotFound(name);
    return table;
  }

  // ---- Databases ----

  async createDatabase(i: CreateDatabaseRequest): Promise<Empty> {
    const catalogId = this.catalogId(i.CatalogId);
    const db = buildDatabase(i.DatabaseInput, catalogId, nowSeconds());
    const tags = tagMap(i.Tags, 'tags');
    this.store.transaction(() => {
      if (this.store.getDatabase(catalogId, db.Name!)) throw CatalogErrors.databaseExists();
      if (this.store.countDatabases(catalogId) >= LIMITS.databasesPerCatalog) {
        throw CatalogErrors.limitExceeded(`Number of databases exceeds the limit of ${LIMITS.databasesPerCatalog}.`);
      }
      this.store.createDatabase(catalogId, db);
      if (Object.keys(tags).length > 0) this.store.setDatabaseTags(catalogId, db.Name!, tags);
    });
    await this.store.sync();
    return {};
  }

  /** Where the account's databases keep their tags (Glue's TagResource on `database/<name>` ARNs). */
  databaseTags(): TagHolder {
    const catalogId = this.options.accountId;
    return {
      get: (name) => this.store.getDatabaseTags(catalogId, name.toLowerCase()),
      set: async (name, tags) => {
        if (!this.store.setDatabaseTags(catalogId, name.toLowerCase(), tags)) throw CatalogErrors.databaseNotFound(name);
        await this.store.sync();
      },
    };
  }

  getDatabase(i: GetDatabaseRequest): GetDatabaseResponse {
    const catalogId = this.catalogId(i.CatalogId);
    return { Database: this.requireDatabase(catalogId, catalogName(i.Name, 'name')) };
  }

  getDatabases(i: GetDatabasesRequest): GetDatabasesResponse {
    const catalogId = this.catalogId(i.CatalogId);
    const limit = pageSize(i.MaxResults, LIMITS.pageDatabases);
    const page = this.store.listDatabases(catalogId, decodeToken('db', i.NextToken), limit);
    const namesOnly = Array.isArray(i.AttributesToGet) && i.AttributesToGet.length > 0 && !i.AttributesToGet.includes('TARGET_DATABASE');
    return {
      DatabaseList: namesOnly ? page.items.map((d) => ({ Name: d.Name })) : page.items,
      NextToken: page.last === undefined ? undefined : encodeToken('db', page.last),
    };
  }

  async updateDatabase(i: UpdateDatabaseRequest): Promise<Empty> {
    const catalogId = this.catalogId(i.CatalogId);
    const name = catalogName(i.Name, 'name');
    const existing = this.requireDatabase(catalogId, name);
    const next = buildDatabase(i.DatabaseInput, catalogId, existing.CreateTime ?? nowSeconds());
    if (next.Name !== name) throw CatalogErrors.invalidInput('Renaming a database is not supported: DatabaseInput.Name must equal Name.');
    this.store.updateDatabase(catalogId, next);
    await this.store.sync();
    return {};
  }

  async deleteDatabase(i: DeleteDatabaseRequest): Promise<Empty> {
    const catalogId = this.catalogId(i.CatalogId);
    const name = catalogName(i.Name, 'name');
    if (!this.store.deleteDatabase(catalogId, name)) throw CatalogErrors.databaseNotFound(name);
    await this.store.sync();
    return {};
  }

  // ---- Tables ----

  async createTable(i: CreateTableRequest): Promise<Empty> {
    const catalogId = this.catalogId(i.CatalogId);
    const db = this.requireDatabase(catalogId, catalogName(i.DatabaseName, 'databaseName'));
    const now = nowSeconds();
    const input = i.TableInput ?? (i.Name !== undefined ? { Name: i.Name } : undefined);
    const table = buildTable(input, {
      catalogId,
      databaseName: db.Name!,
      createTime: now,
      updateTime: now,
      versionId: '0',
      createdBy: `arn:aws:iam::${this.options.accountId}:root`,
    });
    this.store.transaction(() => {
      if (this.store.getTable(catalogId, db.Name!, table.Name!)) throw CatalogErrors.tableExists();
      if (this.store.countTables(catalogId, db.Name!) >= LIMITS.tablesPerDatabase) {
        throw CatalogErrors.limitExceeded(`Number of tables in database ${db.Name} exceeds the limit of ${LIMITS.tablesPerDatabase}.`);
      }
      this.store.createTable(catalogId, table);
    });
    await this.store.sync();
    return {};
  }

  getTableOp(i: GetTableRequest): GetTableResponse {
    return { Table: this.resolveTable(i, i.Name, 'name') };
  }

  getTables(i: GetTablesRequest): GetTablesResponse {
    const catalogId = this.catalogId(i.CatalogId);
    const db = this.requireDatabase(catalogId, catalogName(i.DatabaseName, 'databaseName'));
    const limit = pageSize(i.MaxResults, LIMITS.pageTables);
    const page = this.store.listTables(catalogId, db.Name!, decodeToken('table', i.NextToken), limit, tableNameMatcher(i.Expression));
    const attrs = Array.isArray(i.AttributesToGet) && i.AttributesToGet.length > 0 && !i.AttributesToGet.includes('DEFAULT') ? i.AttributesToGet : undefined;
    const items = attrs
      ? page.items.map((t) => ({ Name: t.Name, DatabaseName: t.DatabaseName, CatalogId: t.CatalogId, TableType: attrs.includes('TABLE_TYPE') ? t.TableType : undefined }))
      : page.items;
    return { TableList: items, NextToken: page.last === undefined ? undefined : encodeToken('table', page.last) };
  }

  async updateTable(i: UpdateTableRequest): Promise<Empty> {
    const current = this.resolveTable(i, i.TableInput?.Name ?? i.Name, 'tableInput.name');
    const catalogId = current.CatalogId!;
    if (i.VersionId !== undefined && i.VersionId !== null && i.VersionId !== current.VersionId) {
      throw CatalogErrors.concurrentModification(`Update table failed due to concurrent modifications: version ${i.VersionId} is not the current version ${current.VersionId}.`);
    }
    const next = buildTable(i.TableInput, {
      catalogId,
      databaseName: current.DatabaseName!,
      createTime: current.CreateTime ?? nowSeconds(),
      updateTime: nowSeconds(),
      versionId: String(Number(current.VersionId ?? '0') + 1),
      createdBy: current.CreatedBy ?? `arn:aws:iam::${this.options.accountId}:root`,
    });
    this.store.transaction(() => {
      const skip = i.SkipArchive === true;
      if (!skip && this.store.countTableVersions(catalogId, current.DatabaseName!, current.Name!) >= LIMITS.versionsPerTable) {
        throw CatalogErrors.limitExceeded(`Number of table versions for table ${current.Name} exceeds the limit of ${LIMITS.versionsPerTable}.`);
      }
      if (!this.store.updateTable(catalogId, next, skip)) throw CatalogErrors.tableNotFound(current.Name!);
    });
    await this.store.sync();
    return {};
  }

  async deleteTable(i: DeleteTableRequest): Promise<Empty> {
    const t = this.resolveTable(i, i.Name, 'name');
    this.store.deleteTable(t.CatalogId!, t.DatabaseName!, t.Name!);
    await this.store.sync();
    return {};
  }

  async batchDeleteTable(i: BatchDeleteTableRequest): Promise<BatchDeleteTableResponse> {
    const names = required(i.TablesToDelete, 'tablesToDelete');
    if (!Array.isArray(names) || names.length > LIMITS.batchDeleteTable) {
      throw CatalogErrors.invalidInput(`TablesToDelete must be a list of at most ${LIMITS.batchDeleteTable} names.`);
    }
    const catalogId = this.catalogId(i.CatalogId);
    const db = this.requireDatabase(catalogId, catalogName(i.DatabaseName, 'databaseName'));
    const errors: NonNullable<BatchDeleteTableResponse['Errors']> = [];
    this.store.transaction(() => {
      for (const raw of names) {
        try {
          const name = catalogName(raw, 'tablesToDelete.member');
          if (!this.store.deleteTable(catalogId, db.Name!, name)) throw CatalogErrors.tableNotFound(name);
        } catch (err) {
          errors.push({ TableName: raw, ErrorDetail: errorDetail(err) });
        }
      }
    });
    await this.store.sync();
    return { Errors: errors };
  }

  // ---- Table versions ----

  getTableVersion(i: GetTableVersionRequest): GetTableVersionResponse {
    const t = this.resolveTable(i, i.TableName);
    const id = i.VersionId === undefined || i.VersionId === null ? t.VersionId! : versionId(i.VersionId, 'versionId');
    return { TableVersion: tableVersion(this.getTable(t.DatabaseName!, t.Name!, { catalogId: t.CatalogId!, versionId: id })) };
  }

  getTableVersions(i: GetTableVersionsRequest): GetTableVersionsResponse {
    const t = this.resolveTable(i, i.TableName);
    const limit = pageSize(i.MaxResults, LIMITS.pageVersions);
    const page = this.store.listTableVersions(t.CatalogId!, t.DatabaseName!, t.Name!, decodeToken('version', i.NextToken), limit);
    return { TableVersions: page.items.map(tableVersion), NextToken: page.last === undefined ? undefined : encodeToken('version', page.last) };
  }

  #deleteVersion(t: Table, id: string): void {
    if (id === t.VersionId) throw CatalogErrors.invalidInput(`Cannot delete the current version ${id} of table ${t.Name}.`);
    if (!this.store.deleteTableVersion(t.CatalogId!, t.DatabaseName!, t.Name!, id)) throw CatalogErrors.versionNotFound(t.Name!, id);
  }

  async deleteTableVersion(i: DeleteTableVersionRequest): Promise<Empty> {
    const t = this.resolveTable(i, i.TableName);
    this.#deleteVersion(t, versionId(i.VersionId, 'versionId'));
    await this.store.sync();
    return {};
  }

  async batchDeleteTableVersion(i: BatchDeleteTableVersionRequest): Promise<BatchDeleteTableVersionResponse> {
    const t = this.resolveTable(i, i.TableName);
    const ids = required(i.VersionIds, 'versionIds');
    if (!Array.isArray(ids) || ids.length > LIMITS.batchDeleteTableVersion) {
      throw CatalogErrors.invalidInput(`VersionIds must be a list of at most ${LIMITS.batchDeleteTableVersion} version ids.`);
    }
    const errors: NonNullable<BatchDeleteTableVersionResponse['Errors']> = [];
    this.store.transaction(() => {
      for (const id of ids) {
        try {
          this.#deleteVersion(t, versionId(id, 'versionIds.member'));
        } catch (err) {
          errors.push({ TableName: t.Name, VersionId: id, ErrorDetail: errorDetail(err) });
        }
      }
    });
    await this.store.sync();
    return { Errors: errors };
  }

  /** SearchTables: `SearchText` (case-insensitive, in names, descriptions and parameter values) and `Filters` on table fields or parameters. */
  searchTables(i: SearchTablesRequest): SearchTablesResponse {
    const catalogId = this.catalogId(i.CatalogId);
    const limit = pageSize(i.MaxResults, 1000);
    const text = typeof i.SearchText === 'string' && i.SearchText !== '' ? i.SearchText.replace(/^"(.*)"$/, '$1').toLowerCase() : undefined;
    const filters = Array.isArray(i.Filters) ? i.Filters : [];
    const match = (t: Table): boolean => {
      if (text !== undefined) {
        const hay = [t.Name, t.DatabaseName, t.Description, ...Object.values(t.Parameters ?? {})];
        if (!hay.some((h) => h?.toLowerCase().includes(text))) return false;
      }
      return filters.every((f) => {
        if (!f.Key) return true;
        const field = (t as unknown as Record<string, unknown>)[f.Key] ?? t.Parameters?.[f.Key];
        const have = typeof field === 'string' || typeof field === 'number' ? String(field) : undefined;
        if (have === undefined) return false;
        const want = f.Value ?? '';
        switch (f.Comparator ?? 'EQUALS') {
          case 'GREATER_THAN':
            return have > want;
          case 'LESS_THAN':
            return have < want;
          case 'GREATER_THAN_EQUALS':
            return have >= want;
          case 'LESS_THAN_EQUALS':
            return have <= want;
          default:
            return have === want;
        }
      });
    };
    const page = this.store.listAllTables(catalogId, decodeToken('search', i.NextToken), limit, match);
    return { TableList: page.items, NextToken: page.last === undefined ? undefined : encodeToken('search', page.last) };
  }
}
