/** Format conversion for the delivery stage: reads the schema from the Glue catalog, converts records with their SerDe and writes Parquet files. */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '@aws-sdk/client-glue';
import type { ConversionColumn } from '../conversion/model.js';
import { ParquetWriter } from '../conversion/parquet-writer.js';
import { RecordConverter } from '../conversion/record-converter.js';
import { conversionErrorDocument, type CatalogTableRef } from '../processing/error-records.js';
import type { ParquetPlan } from '../processing/pipeline-plan.js';
import type { ParquetConversion } from './delivery-engine.js';

/** How conversion reads table schemas (the Glue catalog service, in-process). */
export interface SchemaSource {
  getTable(databaseName: string, tableName: string, options?: { catalogId?: string; versionId?: string }): Table;
}

export interface ParquetConversionOptions {
  readonly tempDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly now?: () => number;
}

export class CatalogParquetConversion implements ParquetConversion {
  #writer: Promise<ParquetWriter> | undefined;
  readonly #converters = new Map<string, RecordConverter>();

  constructor(
    private readonly schemas: SchemaSource,
    private readonly options: ParquetConversionOptions,
  ) {
    mkdirSync(options.tempDir, { recursive: true });
  }

  async convert(plan: ParquetPlan, records: readonly Buffer[], arrival: number): Promise<{ file: string | undefined; failures: Buffer[] }> {
    // A missing table is not the records' fault: the delivery is retried (with backoff) until it exists.
    const { columns, ref, converter } = this.#converter(plan);
    const rows: unknown[] = [];
    const failures: Buffer[] = [];
    const now = this.options.now ?? Date.now;
    for (const data of records) {
      const r = converter.convert(data);
      if (r.ok) rows.push(...r.rows);
      else failures.push(conversionErrorDocument({ data, arrival, attemptsMade: 1, errorCode: r.errorCode, errorMessage: r.errorMessage, attemptEndingTimestamp: now() }, ref));
    }
    if (rows.length === 0) return { file: undefined, failures };
    const file = join(this.options.tempDir, `${randomUUID()}.parquet`);
    this.#writer ??= ParquetWriter.create(this.options.tempDir);
    await (await this.#writer).write(columns, rows, plan.parquet, file);
    return { file, failures };
  }

  reject(plan: ParquetPlan, records: readonly { readonly data: Buffer; readonly raw: Buffer; readonly arrival: number }[]): (Buffer | undefined)[] {
    let checked: { ref: CatalogTableRef; converter: RecordConverter };
    try {
      checked = this.#converter(plan);
    } catch {
      return records.map(() => undefined); // the delivery stage retries until the table can be read
    }
    const now = this.options.now ?? Date.now;
    return records.map((r) => {
      const out = checked.converter.convert(r.data);
      if (out.ok) return undefined;
      return conversionErrorDocument({ data: r.raw, arrival: r.arrival, attemptsMade: 1, errorCode: out.errorCode, errorMessage: out.errorMessage, attemptEndingTimestamp: now() }, checked.ref);
    });
  }

  /** The table's columns and the (cached) converter for its version and the plan's deserializer. */
  #converter(plan: ParquetPlan): { columns: ConversionColumn[]; ref: CatalogTableRef; converter: RecordConverter } {
    const table = this.schemas.getTable(plan.databaseName, plan.tableName, { catalogId: plan.catalogId, versionId: plan.versionId });
    const columns: ConversionColumn[] = (table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: (c.Name ?? '').toLowerCase(), type: c.Type ?? 'string' }));
    const ref = this.#ref(plan, table);
    const key = `${ref.databaseName}\0${ref.tableName}\0${ref.versionId}\0${JSON.stringify(plan.deserializer)}`;
    let converter = this.#converters.get(key);
    if (!converter) {
      converter = new RecordConverter(columns, plan.deserializer);
      this.#converters.set(key, converter);
    }
    return { columns, ref, converter };
  }

  async close(): Promise<void> {
    const w = this.#writer;
    this.#writer = undefined;
    if (w) await (await w).close();
  }

  #ref(plan: ParquetPlan, table: Table): CatalogTableRef {
    const catalogId = plan.catalogId ?? table.CatalogId ?? this.options.accountId;
    const region = plan.region ?? this.options.region;
    return {
      catalogId,
      databaseName: table.DatabaseName ?? plan.databaseName,
      tableName: table.Name ?? plan.tableName,
      region,
      versionId: table.VersionId ?? plan.versionId ?? 'LATEST',
      catalogArn: `arn:aws:glue:${region}:${catalogId}:catalog`,
    };
  }
}
