/** Crawler model: the stored definition (Glue's `Crawler` shape plus tags), crawl records, defaults, and the parsed `Configuration` JSON. */
import type { Crawler, CrawlerHistory, CrawlerTargets } from '@aws-sdk/client-glue';
import { CrawlerErrors } from './errors.js';

export type { Crawler, CrawlerHistory, CrawlerTargets };

export const CRAWLER_LIMITS = {
  crawlersPerAccount: 1000,
  pageCrawlers: 1000,
  tablePrefix: 128,
  description: 2048,
  metricsNames: 100,
  crawlsKept: 1000,
} as const;

/** Where Glue says a crawl's logs are (CloudWatch names; Lakebox logs through its own logger). */
export const LOG_GROUP = '/aws-glue/crawlers';

export const DEFAULT_SCHEMA_CHANGE_POLICY = { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'DEPRECATE_IN_DATABASE' } as const;
export const INCREMENTAL_SCHEMA_CHANGE_POLICY = { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' } as const;

/** A crawler as persisted: its Glue description (State always READY at rest), tags and last-crawl counters. */
export interface StoredCrawler {
  readonly crawler: Crawler;
  readonly tags: Record<string, string>;
  readonly metrics: { TablesCreated: number; TablesUpdated: number; TablesDeleted: number };
}

/** One crawl as ListCrawls reports it, with the crawler's name and runtime for metrics. */
export interface CrawlRecord extends CrawlerHistory {
  readonly CrawlerName: string;
  RuntimeSeconds?: number | undefined;
}

/** The parts of a crawler's `Configuration` JSON that change what it does. */
export interface CrawlerConfig {
  readonly combineCompatibleSchemas: boolean;
  readonly tableLevel?: number | undefined;
  readonly partitionsInheritFromTable: boolean;
  readonly mergeNewColumns: boolean;
  readonly tableThreshold?: number | undefined;
}

function object(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw CrawlerErrors.invalidInput(`Configuration: ${field} must be an object.`);
  return value as Record<string, unknown>;
}

function oneOf(value: unknown, field: string, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) throw CrawlerErrors.invalidInput(`Configuration: ${field} must be one of ${allowed.join(', ')}.`);
  return value;
}

/** Parses and validates the `Configuration` JSON string (InvalidInputException when malformed). */
export function parseCrawlerConfig(text: string | undefined): CrawlerConfig {
  if (text === undefined || text === null || text === '') return { combineCompatibleSchemas: false, partitionsInheritFromTable: false, mergeNewColumns: false };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw CrawlerErrors.invalidInput('Crawler configuration not valid: it must be a JSON document.');
  }
  const root = object(json, 'the document') ?? {};
  if (root.Version !== undefined && root.Version !== 1 && root.Version !== '1.0') throw CrawlerErrors.invalidInput('Crawler configuration not valid: Version must be 1.0.');
  const output = object(root.CrawlerOutput, 'CrawlerOutput') ?? {};
  const partitions = object(output.Partitions, 'CrawlerOutput.Partitions') ?? {};
  const tables = object(output.Tables, 'CrawlerOutput.Tables') ?? {};
  const grouping = object(root.Grouping, 'Grouping') ?? {};
  const policy = oneOf(grouping.TableGroupingPolicy, 'Grouping.TableGroupingPolicy', ['CombineCompatibleSchemas']);
  const level = grouping.TableLevelConfiguration;
  if (level !== undefined && (typeof level !== 'number' || !Number.isInteger(level) || level < 1)) {
    throw CrawlerErrors.invalidInput('Configuration: Grouping.TableLevelConfiguration must be a positive integer.');
  }
  const threshold = tables.TableThreshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1)) {
    throw CrawlerErrors.invalidInput('Configuration: CrawlerOutput.Tables.TableThreshold must be a positive integer.');
  }
  return {
    combineCompatibleSchemas: policy === 'CombineCompatibleSchemas',
    tableLevel: level,
    partitionsInheritFromTable: oneOf(partitions.AddOrUpdateBehavior, 'CrawlerOutput.Partitions.AddOrUpdateBehavior', ['InheritFromTable']) !== undefined,
    mergeNewColumns: oneOf(tables.AddOrUpdateBehavior, 'CrawlerOutput.Tables.AddOrUpdateBehavior', ['MergeNewColumns']) !== undefined,
    tableThreshold: threshold,
  };
}

/** Splits `s3://bucket/prefix/` into bucket and prefix (no leading or trailing slash). */
export function parseS3Path(path: unknown): { bucket: string; prefix: string } {
  if (typeof path !== 'string') throw CrawlerErrors.invalidInput('S3Target.Path is required.');
  const m = /^s3a?:\/\/([^/]+)\/?(.*)$/i.exec(path.trim());
  if (!m) throw CrawlerErrors.invalidInput(`Invalid S3 path ${path}: expected s3://bucket/prefix`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, '') };
}
