/** Writes planned tables into the Data Catalog under the crawler's SchemaChangePolicy, Configuration and recrawl mode, counting what changed. */
import type { Column, Partition, PartitionInput, Table } from '@aws-sdk/client-glue';
import type { CatalogService } from '../catalog-service.js';
import { LIMITS } from '../model.js';
import type { CrawlerConfig } from './model.js';
import { fingerprint, partitionInput, tableInput, toColumns, type DefinitionContext } from './table-definition.js';
import type { PlannedTable } from './table-grouping.js';

export interface WriteOptions extends DefinitionContext {
  readonly databaseName: string;
  readonly updateBehavior: string;
  readonly deleteBehavior: string;
  readonly config: CrawlerConfig;
  /** `s3://bucket/prefix/` of every S3 target: tables of this crawler under them that were not planned have vanished. */
  readonly targetLocations: readonly string[];
  /** CRAWL_NEW_FOLDERS_ONLY after the first crawl: only add tables and partitions. */
  readonly incremental: boolean;
  readonly signal: AbortSignal;
  readonly log: (message: string) => void;
}

export interface WriteSummary {
  tablesCreated: number;
  tablesUpdated: number;
  tablesDeleted: number;
  partitionsCreated: number;
  partitionsUpdated: number;
  partitionsDeleted: number;
}

const withSlash = (loc: string | undefined): string => (loc === undefined ? '' : loc.endsWith('/') ? loc : `${loc}/`);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class CatalogWriter {
  readonly summary: WriteSummary = { tablesCreated: 0, tablesUpdated: 0, tablesDeleted: 0, partitionsCreated: 0, partitionsUpdated: 0, partitionsDeleted: 0 };

  constructor(
    private readonly catalog: CatalogService,
    private readonly o: WriteOptions,
  ) {}

  async #existingTables(): Promise<Table[]> {
    const out: Table[] = [];
    let token: string | undefined;
    do {
      const page = this.catalog.getTables({ DatabaseName: this.o.databaseName, NextToken: token });
      out.push(...(page.TableList ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }

  async write(plans: readonly PlannedTable[]): Promise<WriteSummary> {
    const db = this.o.databaseName;
    try {
      this.catalog.getDatabase({ Name: db });
    } catch {
      await this.catalog.createDatabase({ DatabaseInput: { Name: db } });
      this.o.log(`Created database ${db}`);
    }
    const existing = await this.#existingTables();
    const byName = new Map(existing.map((t) => [t.Name!, t]));
    const byLocation = new Map(existing.map((t) => [withSlash(t.StorageDescriptor?.Location), t]));
    const touched = new Set<string>();
    for (const plan of plans) {
      if (this.o.signal.aborted) return this.summary;
      const current = byName.get(plan.name.toLowerCase()) ?? byLocation.get(withSlash(plan.location));
      touched.add(current?.Name ?? plan.name.toLowerCase());
      await this.#writeTable(plan, current);
    }
    if (!this.o.incremental && this.o.deleteBehavior !== 'LOG') {
      for (const t of existing) {
        if (touched.has(t.Name!) || t.Parameters?.UPDATED_BY_CRAWLER !== this.o.crawlerName) continue;
        const loc = withSlash(t.StorageDescriptor?.Location);
        if (!this.o.targetLocations.some((target) => loc.startsWith(target))) continue;
        await this.#vanished(t);
      }
    }
    return this.summary;
  }

  async #vanished(t: Table): Promise<void> {
    const db = this.o.databaseName;
    if (this.o.deleteBehavior === 'DELETE_FROM_DATABASE') {
      await this.catalog.deleteTable({ DatabaseName: db, Name: t.Name });
      this.o.log(`Deleted table ${t.Name}: its data is gone`);
      this.summary.tablesDeleted++;
    } else if (t.Parameters?.DEPRECATED_BY_CRAWLER === undefined) {
      await this.catalog.updateTable({ DatabaseName: db, TableInput: { ...tableInputOf(t), Parameters: { ...t.Parameters, DEPRECATED_BY_CRAWLER: this.o.crawlerName } } });
      this.o.log(`Deprecated table ${t.Name}: its data is gone`);
      this.summary.tablesDeleted++;
    }
  }

  async #writeTable(plan: PlannedTable, current: Table | undefined): Promise<void> {
    const db = this.o.databaseName;
    const update = !this.o.incremental && (this.o.updateBehavior === 'UPDATE_IN_DATABASE' || this.o.config.mergeNewColumns);
    let columns = toColumns(plan.columns);
    let table: Table | undefined = current;
    if (!current) {
      await this.catalog.createTable({ DatabaseName: db, TableInput: tableInput(plan, columns, this.o) });
      this.o.log(`Created table ${plan.name} at ${plan.location}`);
      this.summary.tablesCreated++;
      table = undefined;
    } else {
      if (this.o.config.mergeNewColumns) {
        const have = current.StorageDescriptor?.Columns ?? [];
        const names = new Set(have.map((c) => c.Name));
        columns = [...have, ...columns.filter((c) => !names.has(c.Name))];
      }
      const next = tableInput({ ...plan, name: current.Name! }, columns, this.o);
      const params = { ...current.Parameters, ...next.Parameters };
      delete params.DEPRECATED_BY_CRAWLER;
      next.Parameters = params;
      const changed =
        fingerprint(current.StorageDescriptor, current.Parameters, current.PartitionKeys) !== fingerprint(next.StorageDescriptor, next.Parameters, next.PartitionKeys);
      if (changed && update) {
        await this.catalog.updateTable({ DatabaseName: db, TableInput: { ...next, Description: current.Description, Owner: current.Owner ?? next.Owner } });
        this.o.log(`Updated table ${current.Name}`);
        this.summary.tablesUpdated++;
      } else {
        if (changed) this.o.log(`Table ${current.Name} differs from the data; not updated (UpdateBehavior ${this.o.updateBehavior})`);
        columns = current.StorageDescriptor?.Columns ?? columns;
      }
      const keys = (changed && update ? plan.partitionKeys : (current.PartitionKeys ?? []).map((k) => k.Name!)).join('\u0000');
      if (keys !== plan.partitionKeys.join('\u0000')) {
        this.o.log(`Table ${current.Name} has partition keys other than the data's folders; partitions not written`);
        return;
      }
    }
    await this.#writePartitions(plan, current ? current.Name! : plan.name.toLowerCase(), columns, table !== undefined && update);
  }

  async #existingPartitions(table: string): Promise<Map<string, Partition>> {
    const out = new Map<string, Partition>();
    let token: string | undefined;
    do {
      const page = this.catalog.partitions.getPartitions({ DatabaseName: this.o.databaseName, TableName: table, NextToken: token, MaxResults: LIMITS.pagePartitions });
      for (const p of page.Partitions ?? []) out.set(JSON.stringify(p.Values), p);
      token = page.NextToken;
    } while (token);
    return out;
  }

  async #writePartitions(plan: PlannedTable, table: string, tableColumns: Column[], update: boolean): Promise<void> {
    if (plan.partitionKeys.length === 0) return;
    const db = this.o.databaseName;
    const existing = await this.#existingPartitions(table);
    const inherit = this.o.config.partitionsInheritFromTable ? tableColumns : undefined;
    const creates: PartitionInput[] = [];
    const updates: { PartitionValueList: string[]; PartitionInput: PartitionInput }[] = [];
    for (const part of plan.partitions) {
      const input = partitionInput(plan, part, inherit, this.o);
      const key = JSON.stringify(part.values);
      const cur = existing.get(key);
      existing.delete(key);
      if (!cur) creates.push(input);
      else if (update && fingerprint(cur.StorageDescriptor, cur.Parameters) !== fingerprint(input.StorageDescriptor, input.Parameters)) {
        updates.push({ PartitionValueList: part.values, PartitionInput: input });
      }
    }
    for (const batch of chunks(creates, LIMITS.batchCreatePartition)) {
      if (this.o.signal.aborted) return;
      const r = await this.catalog.partitions.batchCreatePartition({ DatabaseName: db, TableName: table, PartitionInputList: batch });
      this.summary.partitionsCreated += batch.length - (r.Errors?.length ?? 0);
    }
    for (const batch of chunks(updates, 100)) {
      if (this.o.signal.aborted) return;
      const r = await this.catalog.partitions.batchUpdatePartition({ DatabaseName: db, TableName: table, Entries: batch });
      this.summary.partitionsUpdated += batch.length - (r.Errors?.length ?? 0);
    }
    if (!this.o.incremental && this.o.deleteBehavior === 'DELETE_FROM_DATABASE' && existing.size > 0) {
      const gone = [...existing.values()].map((p) => ({ Values: p.Values! }));
      for (const batch of chunks(gone, LIMITS.batchDeletePartition)) {
        const r = await this.catalog.partitions.batchDeletePartition({ DatabaseName: db, TableName: table, PartitionsToDelete: batch });
        this.summary.partitionsDeleted += batch.length - (r.Errors?.length ?? 0);
      }
    }
    if (creates.length + updates.length > 0) this.o.log(`Table ${table}: ${creates.length} partitions added, ${updates.length} updated`);
  }
}

/** A stored table back as a TableInput (for updates that only change parameters). */
function tableInputOf(t: Table): Table & { Name: string } {
  const { Name, Description, Owner, Retention, StorageDescriptor, PartitionKeys, TableType, Parameters, ViewOriginalText, ViewExpandedText } = t;
  return { Name: Name!, Description, Owner, Retention, StorageDescriptor, PartitionKeys, TableType, Parameters, ViewOriginalText, ViewExpandedText };
}
