/** Validation and defaults of CreateCrawler/UpdateCrawler inputs into the stored `Crawler` description (botocore's model: shapes, enums, lengths). */
import type { CreateCrawlerRequest, Crawler, CrawlerTargets, S3Target, UpdateCrawlerRequest } from '@aws-sdk/client-glue';
import { CrawlerErrors } from './errors.js';
import { globToRegExp } from './exclusions.js';
import { CRAWLER_LIMITS, parseCrawlerConfig, parseS3Path } from './model.js';
import { croner } from './scheduler.js';
import { tagMap } from '../resource-tags.js';

const NAME = /^[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]{1,255}$/u;

function bad(field: string, constraint: string, value: unknown): never {
  throw CrawlerErrors.invalidInput(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function crawlerName(value: unknown, field = 'name'): string {
  if (value === undefined || value === null) bad(field, 'Member must not be null', value);
  if (typeof value !== 'string' || !NAME.test(value)) bad(field, 'Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*', value);
  return value;
}

function maxLen(value: unknown, max: number, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) bad(field, `Member must have length less than or equal to ${max}`, value);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) bad(field, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  return value as T;
}

function s3Target(t: S3Target, i: number): S3Target {
  if (t === null || typeof t !== 'object') bad(`targets.s3Targets.${i}`, 'Member must be a structure', t);
  parseS3Path(t.Path);
  const exclusions = t.Exclusions ?? [];
  if (!Array.isArray(exclusions) || exclusions.some((e) => typeof e !== 'string')) bad(`targets.s3Targets.${i}.exclusions`, 'Member must be a list of strings', exclusions);
  for (const e of exclusions) {
    try {
      globToRegExp(e);
    } catch {
      throw CrawlerErrors.invalidInput(`Invalid exclusion pattern: ${e}`);
    }
  }
  if (t.SampleSize !== undefined && t.SampleSize !== null && (!Number.isInteger(t.SampleSize) || t.SampleSize < 1 || t.SampleSize > 249)) {
    throw CrawlerErrors.invalidInput('SampleSize must be between 1 and 249.');
  }
  return { ...t, Exclusions: exclusions };
}

function targets(value: CrawlerTargets | undefined): CrawlerTargets {
  if (value === undefined || value === null || typeof value !== 'object') bad('targets', 'Member must not be null', value);
  const s3 = value.S3Targets ?? [];
  if (!Array.isArray(s3)) bad('targets.s3Targets', 'Member must be a list', s3);
  const out: CrawlerTargets = {
    S3Targets: s3.map(s3Target),
    JdbcTargets: value.JdbcTargets ?? [],
    MongoDBTargets: value.MongoDBTargets ?? [],
    DynamoDBTargets: value.DynamoDBTargets ?? [],
    CatalogTargets: value.CatalogTargets ?? [],
    DeltaTargets: value.DeltaTargets ?? [],
    IcebergTargets: value.IcebergTargets ?? [],
    HudiTargets: value.HudiTargets ?? [],
  };
  const count = (Object.values(out) as unknown[]).reduce<number>((n, list) => n + (Array.isArray(list) ? list.length : 0), 0);
  if (count === 0) throw CrawlerErrors.invalidInput('Crawler targets must not be empty.');
  // Refused rather than stored and ignored: Lakebox crawls S3 paths only.
  for (const [kind, list] of Object.entries(out)) {
    if (kind !== 'S3Targets' && Array.isArray(list) && list.length > 0) {
      throw CrawlerErrors.invalidInput(`${kind} are not supported by Lakebox yet; crawlers read S3Targets only.`);
    }
  }
  return out;
}

type Fields = Omit<CreateCrawlerRequest, 'Tags'> | UpdateCrawlerRequest;

/** Applies the given fields (all optional, as UpdateCrawler sends them) over `base`, validating each. */
function apply(base: Crawler, i: Fields, isCreate: boolean): Crawler {
  const c: Crawler = { ...base };
  if (i.Role !== undefined || isCreate) {
    if (typeof i.Role !== 'string' || i.Role === '') bad('role', 'Member must not be null', i.Role);
    c.Role = i.Role;
  }
  if (i.Targets !== undefined || isCreate) c.Targets = targets(i.Targets);
  if (i.DatabaseName !== undefined) c.DatabaseName = maxLen(i.DatabaseName, 255, 'databaseName')?.toLowerCase();
  if (i.Description !== undefined) c.Description = maxLen(i.Description, CRAWLER_LIMITS.description, 'description') || undefined;
  if (i.Classifiers !== undefined) {
    c.Classifiers = Array.isArray(i.Classifiers) ? i.Classifiers : bad('classifiers', 'Member must be a list', i.Classifiers);
    if (c.Classifiers.length > 0) throw CrawlerErrors.invalidInput('Custom classifiers are not supported by Lakebox yet; crawlers use the built-in JSON, CSV and Parquet classifiers.');
  }
  if (i.TablePrefix !== undefined) c.TablePrefix = maxLen(i.TablePrefix, CRAWLER_LIMITS.tablePrefix, 'tablePrefix') || undefined;
  if (i.SchemaChangePolicy !== undefined) {
    c.SchemaChangePolicy = {
      UpdateBehavior: oneOf(i.SchemaChangePolicy.UpdateBehavior, ['LOG', 'UPDATE_IN_DATABASE'], 'schemaChangePolicy.updateBehavior') ?? 'UPDATE_IN_DATABASE',
      DeleteBehavior:
        oneOf(i.SchemaChangePolicy.DeleteBehavior, ['LOG', 'DELETE_FROM_DATABASE', 'DEPRECATE_IN_DATABASE'], 'schemaChangePolicy.deleteBehavior') ?? 'DEPRECATE_IN_DATABASE',
    };
  }
  if (i.RecrawlPolicy !== undefined) {
    c.RecrawlPolicy = {
      RecrawlBehavior: oneOf(i.RecrawlPolicy.RecrawlBehavior, ['CRAWL_EVERYTHING', 'CRAWL_NEW_FOLDERS_ONLY', 'CRAWL_EVENT_MODE'], 'recrawlPolicy.recrawlBehavior') ?? 'CRAWL_EVERYTHING',
    };
    if (c.RecrawlPolicy.RecrawlBehavior === 'CRAWL_EVENT_MODE') {
      throw CrawlerErrors.invalidInput('RecrawlBehavior CRAWL_EVENT_MODE needs S3 event notifications, which Lakebox does not deliver yet; use CRAWL_NEW_FOLDERS_ONLY.');
    }
  }
  if (i.LineageConfiguration !== undefined) {
    c.LineageConfiguration = {
      CrawlerLineageSettings: oneOf(i.LineageConfiguration.CrawlerLineageSettings, ['ENABLE', 'DISABLE'], 'lineageConfiguration.crawlerLineageSettings') ?? 'DISABLE',
    };
  }
  if (i.LakeFormationConfiguration !== undefined) {
    c.LakeFormationConfiguration = {
      UseLakeFormationCredentials: i.LakeFormationConfiguration.UseLakeFormationCredentials ?? false,
      AccountId: i.LakeFormationConfiguration.AccountId ?? '',
    };
  }
  if (i.Configuration !== undefined) {
    parseCrawlerConfig(i.Configuration);
    c.Configuration = i.Configuration || undefined;
  }
  if (i.CrawlerSecurityConfiguration !== undefined) c.CrawlerSecurityConfiguration = maxLen(i.CrawlerSecurityConfiguration, 128, 'crawlerSecurityConfiguration') || undefined;
  if (i.Schedule !== undefined) {
    if (i.Schedule === '' || i.Schedule === null) c.Schedule = undefined;
    else {
      croner(i.Schedule);
      c.Schedule = { ScheduleExpression: i.Schedule, State: 'SCHEDULED' };
    }
  }
  const incremental = c.RecrawlPolicy?.RecrawlBehavior === 'CRAWL_NEW_FOLDERS_ONLY';
  if (incremental) {
    if (i.SchemaChangePolicy === undefined && (isCreate || i.RecrawlPolicy !== undefined)) c.SchemaChangePolicy = { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' };
    if (c.SchemaChangePolicy?.UpdateBehavior !== 'LOG' || c.SchemaChangePolicy.DeleteBehavior !== 'LOG') {
      throw CrawlerErrors.invalidInput('The SchemaChangePolicy for "Crawl new folders only" Amazon S3 target can have only LOG DeleteBehavior value and LOG UpdateBehavior value.');
    }
  }
  return c;
}

export function newCrawler(i: CreateCrawlerRequest, now: Date): Crawler {
  const name = crawlerName(i.Name);
  const base: Crawler = {
    Name: name,
    Classifiers: [],
    RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' },
    SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'DEPRECATE_IN_DATABASE' },
    LineageConfiguration: { CrawlerLineageSettings: 'DISABLE' },
    State: 'READY',
    CrawlElapsedTime: 0,
    CreationTime: now,
    LastUpdated: now,
    Version: 1,
    LakeFormationConfiguration: { UseLakeFormationCredentials: false, AccountId: '' },
  };
  return apply(base, i, true);
}

export function updatedCrawler(current: Crawler, i: UpdateCrawlerRequest, now: Date): Crawler {
  const next = apply(current, i, false);
  return { ...next, LastUpdated: now, Version: (current.Version ?? 1) + 1 };
}

/** A crawler's `Tags` (Glue's tag map rules). */
export function tags(value: unknown): Record<string, string> {
  return tagMap(value, 'tags');
}
