/** AWSGlue over AWS JSON 1.1: the Data Catalog operations (databases, tables, versions, partitions) and crawlers dispatched to CatalogService and CrawlerService; timestamps as epoch seconds. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { CrawlerService } from '../../catalog/crawlers/crawler-service.js';
import type { GlueTagging } from '../../catalog/resource-tags.js';
import { CATALOG_ERROR_STATUS, CatalogErrors } from '../../catalog/errors.js';
import { ServiceError } from '../../shared/service-error.js';
import { epochSecondsWire, type JsonService } from './aws-json-protocol.js';

type Json = Record<string, unknown>;

/** Input members typed `timestamp` in the Glue model that catalog requests carry (epoch seconds on the wire). */
const INPUT_TIMES = new Set(['LastAccessTime', 'LastAnalyzedTime', 'QueryAsOfTime']);

function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = INPUT_TIMES.has(k) && typeof v === 'number' ? new Date(v * 1000) : INPUT_TIMES.has(k) && typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : fromWire(v);
    }
    return out;
  }
  return value;
}

const toWire = epochSecondsWire;

export class GlueJsonService implements JsonService {
  readonly targetPrefix = 'AWSGlue';
  readonly name = 'glue';
  readonly jsonVersion = '1.1' as const;
  readonly errorStatus = CATALOG_ERROR_STATUS;
  readonly #ops: Readonly<Record<string, (input: never) => unknown>>;

  constructor(service: CatalogService, crawlers?: CrawlerService, tagging?: GlueTagging) {
    const s = service;
    const p = service.partitions;
    const c = crawlers;
    this.#ops = {
      ...(tagging && {
        GetTags: (i: Json) => tagging.getTags(i),
        TagResource: (i: Json) => tagging.tagResource(i),
        UntagResource: (i: Json) => tagging.untagResource(i),
      }),
      CreateDatabase: (i) => s.createDatabase(i),
      GetDatabase: (i) => s.getDatabase(i),
      GetDatabases: (i) => s.getDatabases(i),
      UpdateDatabase: (i) => s.updateDatabase(i),
      DeleteDatabase: (i) => s.deleteDatabase(i),
      CreateTable: (i) => s.createTable(i),
      GetTable: (i) => s.getTableOp(i),
      GetTables: (i) => s.getTables(i),
      UpdateTable: (i) => s.updateTable(i),
      DeleteTable: (i) => s.deleteTable(i),
      BatchDeleteTable: (i) => s.batchDeleteTable(i),
      GetTableVersion: (i) => s.getTableVersion(i),
      GetTableVersions: (i) => s.getTableVersions(i),
      DeleteTableVersion: (i) => s.deleteTableVersion(i),
      BatchDeleteTableVersion: (i) => s.batchDeleteTableVersion(i),
      SearchTables: (i) => s.searchTables(i),
      CreatePartition: (i) => p.createPartition(i),
      BatchCreatePartition: (i) => p.batchCreatePartition(i),
      GetPartition: (i) => p.getPartition(i),
      GetPartitions: (i) => p.getPartitions(i),
      BatchGetPartition: (i) => p.batchGetPartition(i),
      UpdatePartition: (i) => p.updatePartition(i),
      BatchUpdatePartition: (i) => p.batchUpdatePartition(i),
      DeletePartition: (i) => p.deletePartition(i),
      BatchDeletePartition: (i) => p.batchDeletePartition(i),
      GetPartitionIndexes: (i) => p.getPartitionIndexes(i),
      ...(c && {
        CreateCrawler: (i) => c.createCrawler(i),
        GetCrawler: (i) => c.getCrawler(i),
        GetCrawlers: (i) => c.getCrawlers(i),
        ListCrawlers: (i) => c.listCrawlers(i),
        UpdateCrawler: (i) => c.updateCrawler(i),
        DeleteCrawler: (i) => c.deleteCrawler(i),
        StartCrawler: (i) => c.startCrawler(i),
        StopCrawler: (i) => c.stopCrawler(i),
        GetCrawlerMetrics: (i) => c.getCrawlerMetrics(i),
        ListCrawls: (i) => c.listCrawls(i),
        UpdateCrawlerSchedule: (i) => c.updateCrawlerSchedule(i),
        StartCrawlerSchedule: (i) => c.startCrawlerSchedule(i),
        StopCrawlerSchedule: (i) => c.stopCrawlerSchedule(i),
      }),
    };
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
    }
    const op = Object.hasOwn(this.#ops, operation) ? this.#ops[operation] : undefined;
    if (!op) throw CatalogErrors.unknownOperation(operation);
    return toWire(await op(fromWire(input) as never));
  }
}
