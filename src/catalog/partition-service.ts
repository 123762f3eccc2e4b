/** Glue partition operations (no HTTP): create/get/update/delete, their batch forms, and GetPartitions with typed filter expressions, segments and paging. */
import type {
  BatchCreatePartitionRequest,
  BatchCreatePartitionResponse,
  BatchDeletePartitionRequest,
  BatchDeletePartitionResponse,
  BatchGetPartitionRequest,
  BatchGetPartitionResponse,
  BatchUpdatePartitionRequest,
  BatchUpdatePartitionResponse,
  CreatePartitionRequest,
  DeletePartitionRequest,
  GetPartitionIndexesRequest,
  GetPartitionIndexesResponse,
  GetPartitionRequest,
  GetPartitionResponse,
  GetPartitionsRequest,
  GetPartitionsResponse,
  PartitionInput,
  UpdatePartitionRequest,
} from '@aws-sdk/client-glue';
import { buildPartition, partitionValues, required } from './catalog-inputs.js';
import type { CatalogStore } from './catalog-store.js';
import { CatalogErrors, errorDetail } from './errors.js';
import { decodeToken, encodeToken, LIMITS, nowSeconds, pageSize, type Partition, type Table, type TableRef } from './model.js';
import { compilePartitionFilter, type PartitionFilter } from './partition-filter.js';

type Empty = Record<string, never>;

/** What CatalogService offers this class: request → existing table. */
export interface TableResolver {
  resolveTable(i: { CatalogId?: string | undefined; DatabaseName?: string | undefined }, tableName: unknown, field?: string): Table;
}

const ref = (t: Table): TableRef => ({ catalogId: t.CatalogId!, databaseName: t.DatabaseName!, tableName: t.Name! });

function list<T>(value: T[] | undefined, field: string, max: number): T[] {
  const v = required(value, field);
  if (!Array.isArray(v)) throw CatalogErrors.invalidInput(`${field} must be a list.`);
  if (v.length > max) {
    throw CatalogErrors.invalidInput(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return v;
}

export class PartitionService {
  constructor(
    private readonly store: CatalogStore,
    private readonly tables: TableResolver,
  ) {}

  /** The compiled filter of an expression over the table's partition keys (InvalidInputException when invalid). */
  filter(table: Table, expression: string): PartitionFilter {
    if (typeof expression !== 'string' || expression.length > 2048) throw CatalogErrors.invalidInput('Expression must be a string of at most 2048 characters.');
    return compilePartitionFilter(expression, (table.PartitionKeys ?? []).map((k) => ({ name: k.Name!, type: k.Type ?? 'string' })));
  }

  #create(table: Table, input: PartitionInput | undefined, now: Date): Values {
    const p = buildPartition(input, table, now);
    if (!this.store.createPartition(ref(table), p)) throw CatalogErrors.partitionExists();
    return p.Values!;
  }

  async createPartition(i: CreatePartitionRequest): Promise<Empty> {
    const table = this.tables.resolveTable(i, i.TableName);
    this.#create(table, i.PartitionInput, nowSeconds());
    await this.store.sync();
    return {};
  }

  async batchCreatePartition(i: BatchCreatePartitionRequest): Promise<BatchCreatePartitionResponse> {
    const table = this.tables.resolveTable(i, i.TableName);
    const inputs = list(i.PartitionInputList, 'partitionInputList', LIMITS.batchCreatePartition);
    const now = nowSeconds();
    const errors: NonNullable<BatchCreatePartitionResponse['Errors']> = [];
    this.store.transaction(() => {
      for (const input of inputs) {
        try {
          this.#create(table, input, now);
        } catch (err) {
          errors.push({ PartitionValues: Array.isArray(input?.Values) ? input.Values : undefined, ErrorDetail: errorDetail(err) });
        }
      }
    });
    await this.store.sync();
    return { Errors: errors };
  }

  getPartition(i: GetPartitionRequest): GetPartitionResponse {
    const table = this.tables.resolveTable(i, i.TableName);
    const p = this.store.getPartition(ref(table), partitionValues(i.PartitionValues, table, 'partitionValues'));
    if (!p) throw CatalogErrors.partitionNotFound();
    return { Partition: p };
  }

  getPartitions(i: GetPartitionsRequest): GetPartitionsResponse {
    const table = this.tables.resolveTable(i, i.TableName);
    const limit = pageSize(i.MaxResults, LIMITS.pagePartitions);
    const expression = typeof i.Expression === 'string' ? i.Expression.trim() : i.Expression;
    const filter = expression === undefined || expression === null || expression === '' ? undefined : this.filter(table, expression);
    let segment: { number: number; total: number } | undefined;
    if (i.Segment !== undefined && i.Segment !== null) {
      const { SegmentNumber: n, TotalSegments: total } = i.Segment;
      if (!Number.isInteger(total) || total! < 1 || total! > LIMITS.maxSegments || !Number.isInteger(n) || n! < 0 || n! >= total!) {
        throw CatalogErrors.invalidInput(`Segment must have 1 <= TotalSegments <= ${LIMITS.maxSegments} and 0 <= SegmentNumber < TotalSegments.`);
      }
      segment = { number: n!, total: total! };
    }
    const page = this.store.listPartitions(ref(table), {
      filter,
      segment,
      limit,
      after: decodeToken('partition', i.NextToken),
      excludeColumnSchema: i.ExcludeColumnSchema === true,
    });
    return { Partitions: page.items, NextToken: page.last === undefined ? undefined : encodeToken('partition', page.last) };
  }

  batchGetPartition(i: BatchGetPartitionRequest): BatchGetPartitionResponse {
    const table = this.tables.resolveTable(i, i.TableName);
    const keys = list(i.PartitionsToGet, 'partitionsToGet', LIMITS.batchGetPartition);
    const partitions: Partition[] = [];
    for (const [n, k] of keys.entries()) {
      const p = this.store.getPartition(ref(table), partitionValues(k?.Values, table, `partitionsToGet.${n + 1}.member.values`));
      if (p) partitions.push(p);
    }
    return { Partitions: partitions, UnprocessedKeys: [] };
  }

  /** UpdatePartition: the partition identified by `values` gets the new input; its Values cannot change (Glue ignores them). */
  #update(table: Table, values: unknown, input: PartitionInput | undefined, field: string): void {
    const v = partitionValues(values, table, field);
    const existing = this.store.getPartition(ref(table), v);
    if (!existing) throw CatalogErrors.partitionNotFound();
    const next = buildPartition(input, table, existing.CreationTime ?? nowSeconds(), v);
    this.store.updatePartition(ref(table), v, next);
  }

  async updatePartition(i: UpdatePartitionRequest): Promise<Empty> {
    const table = this.tables.resolveTable(i, i.TableName);
    this.#update(table, i.PartitionValueList, i.PartitionInput, 'partitionValueList');
    await this.store.sync();
    return {};
  }

  async batchUpdatePartition(i: BatchUpdatePartitionRequest): Promise<BatchUpdatePartitionResponse> {
    const table = this.tables.resolveTable(i, i.TableName);
    const entries = list(i.Entries, 'entries', 100);
    const errors: NonNullable<BatchUpdatePartitionResponse['Errors']> = [];
    this.store.transaction(() => {
      for (const e of entries) {
        try {
          this.#update(table, e?.PartitionValueList, e?.PartitionInput, 'entries.member.partitionValueList');
        } catch (err) {
          errors.push({ PartitionValueList: Array.isArray(e?.PartitionValueList) ? e.PartitionValueList : undefined, ErrorDetail: errorDetail(err) });
        }
      }
    });
    await this.store.sync();
    return { Errors: errors };
  }

  async deletePartition(i: DeletePartitionRequest): Promise<Empty> {
    const table = this.tables.resolveTable(i, i.TableName);
    if (!this.store.deletePartition(ref(table), partitionValues(i.PartitionValues, table, 'partitionValues'))) throw CatalogErrors.partitionNotFound();
    await this.store.sync();
    return {};
  }

  async batchDeletePartition(i: BatchDeletePartitionRequest): Promise<BatchDeletePartitionResponse> {
    const table = this.tables.resolveTable(i, i.TableName);
    const keys = list(i.PartitionsToDelete, 'partitionsToDelete', LIMITS.batchDeletePartition);
    const errors: NonNullable<BatchDeletePartitionResponse['Errors']> = [];
    this.store.transaction(() => {
      for (const k of keys) {
        try {
          if (!this.store.deletePartition(ref(table), partitionValues(k?.Values, table, 'partitionsToDelete.member.values'))) throw CatalogErrors.partitionNotFound();
        } catch (err) {
          errors.push({ PartitionValues: Array.isArray(k?.Values) ? k.Values : undefined, ErrorDetail: errorDetail(err) });
        }
      }
    });
    await this.store.sync();
    return { Errors: errors };
  }

  /** Partition indexes are not modelled: every table answers an empty list. */
  getPartitionIndexes(i: GetPartitionIndexesRequest): GetPartitionIndexesResponse {
    this.tables.resolveTable(i, i.TableName);
    return { PartitionIndexDescriptorList: [] };
  }
}

type Values = string[];
