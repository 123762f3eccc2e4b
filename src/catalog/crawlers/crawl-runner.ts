/** One crawl of a crawler's S3 targets: list, classify new or changed files (reusing the file index for the rest), group into tables, write to the catalog. */
import type { Crawler } from '@aws-sdk/client-glue';
import type { CatalogService } from '../catalog-service.js';
import type { ObjectService } from '../../storage/object-service.js';
import type { ObjectMeta } from '../../storage/model.js';
import { CatalogWriter, type WriteSummary } from './catalog-writer.js';
import type { CrawlerStore, FileEntry } from './crawler-store.js';
import { ExclusionMatcher } from './exclusions.js';
import { classifyObject, isIgnoredKey } from './file-classifier.js';
import { INCREMENTAL_SCHEMA_CHANGE_POLICY, parseCrawlerConfig, parseS3Path, DEFAULT_SCHEMA_CHANGE_POLICY } from './model.js';
import { groupTables, uniqueNames, type CrawledFile, type PlannedTable } from './table-grouping.js';

/** Files classified at once (objects are small; the event loop stays responsive between them). */
const CONCURRENCY = 16;
const LIST_PAGE = 1000;

export class CrawlCancelled extends Error {}
export class CrawlFailed extends Error {}

export interface CrawlProgress {
  filesTotal: number;
  filesDone: number;
}

export interface CrawlContext {
  readonly crawler: Crawler;
  readonly catalog: CatalogService;
  readonly objects: ObjectService;
  readonly store: CrawlerStore;
  readonly signal: AbortSignal;
  readonly progress: CrawlProgress;
  readonly log: (message: string) => void;
  /** Whether a previous crawl succeeded (incremental crawls need one). */
  readonly crawledBefore: boolean;
}

export interface CrawlOutcome extends WriteSummary {
  readonly filesListed: number;
  readonly filesClassified: number;
  readonly filesReused: number;
}

const dirOf = (key: string): string => key.slice(0, Math.max(0, key.lastIndexOf('/')));

async function* listAll(objects: ObjectService, bucket: string, prefix: string, signal: AbortSignal): AsyncGenerator<ObjectMeta> {
  let marker: string | undefined;
  for (;;) {
    if (signal.aborted) throw new CrawlCancelled();
    let page;
    try {
      page = await objects.listObjects({ bucket, prefix, marker, maxKeys: LIST_PAGE });
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchBucket') return;
      throw err;
    }
    yield* page.contents;
    if (!page.isTruncated || page.lastReturned === undefined) return;
    marker = page.lastReturned;
  }
}

async function pool<T>(items: readonly T[], concurrency: number, signal: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (signal.aborted) throw new CrawlCancelled();
      await fn(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function runCrawl(ctx: CrawlContext): Promise<CrawlOutcome> {
  const c = ctx.crawler;
  const name = c.Name!;
  if (!c.DatabaseName) throw new CrawlFailed('The crawler has no DatabaseName.');
  const targets = c.Targets?.S3Targets ?? [];
  if (targets.length === 0) throw new CrawlFailed('Lakebox crawlers crawl S3 targets only; this crawler has none.');
  const config = parseCrawlerConfig(c.Configuration);
  const incremental = c.RecrawlPolicy?.RecrawlBehavior === 'CRAWL_NEW_FOLDERS_ONLY' && ctx.crawledBefore;
  const index = ctx.store.fileIndex(name);
  const knownFolders = incremental ? new Set([...index.keys()].map(dirOf)) : undefined;
  const seen = new Set<string>();
  const upserts: FileEntry[] = [];
  let listed = 0;
  let reused = 0;
  const perTarget: { bucket: string; prefix: string; exclusions: string[]; files: CrawledFile[]; pending: ObjectMeta[]; sampled: Map<string, ObjectMeta[]> }[] = [];

  for (const t of targets) {
    const { bucket, prefix } = parseS3Path(t.Path);
    const exclusions = t.Exclusions ?? [];
    const matcher = new ExclusionMatcher(exclusions);
    const sampleSize = t.SampleSize ?? undefined;
    const target = { bucket, prefix, exclusions, files: [] as CrawledFile[], pending: [] as ObjectMeta[], sampled: new Map<string, ObjectMeta[]>() };
    perTarget.push(target);
    const perFolder = new Map<string, number>();
    for await (const meta of listAll(ctx.objects, bucket, prefix === '' ? '' : `${prefix}/`, ctx.signal)) {
      if (isIgnoredKey(meta.key) || meta.size === 0) continue;
      const rel = prefix === '' ? meta.key : meta.key.slice(prefix.length + 1);
      if (matcher.excludes(rel)) continue;
      const id = `${bucket}/${meta.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      listed++;
      const folder = dirOf(id);
      const known = index.get(id);
      if (knownFolders?.has(folder)) {
        // Incremental crawls leave folders crawled before alone.
        if (known && pushKnown(ctx, target.files, meta, known)) reused++;
        continue;
      }
      if (known && known.size === meta.size && known.etag === meta.etag) {
        if (pushKnown(ctx, target.files, meta, known)) reused++;
        continue;
      }
      const n = perFolder.get(folder) ?? 0;
      perFolder.set(folder, n + 1);
      if (sampleSize !== undefined && sampleSize > 0 && n >= sampleSize) {
        const rest = target.sampled.get(folder);
        if (rest) rest.push(meta);
        else target.sampled.set(folder, [meta]);
        continue;
      }
      target.pending.push(meta);
    }
  }
  ctx.progress.filesTotal = listed;
  ctx.progress.filesDone = reused;
  let classified = 0;
  for (const target of perTarget) {
    const results = new Map<string, CrawledFile>();
    await pool(target.pending, CONCURRENCY, ctx.signal, async (meta) => {
      const r = await classifyObject(ctx.objects.store, target.bucket, meta.key, meta.size).catch((err: unknown) => {
        ctx.log(`Could not classify s3://${target.bucket}/${meta.key}: ${(err as Error).message}`);
        return undefined;
      });
      classified++;
      ctx.progress.filesDone++;
      const schemaId = r ? ctx.store.schemaId(r.schema) : null;
      upserts.push({ key: `${target.bucket}/${meta.key}`, size: meta.size, etag: meta.etag, schemaId, records: r?.records ?? 0 });
      if (r && schemaId !== null) {
        const f: CrawledFile = { key: meta.key, size: meta.size, schema: ctx.store.schema(schemaId)!, records: r.records };
        target.files.push(f);
        results.set(dirOf(meta.key), f);
      }
    });
    // Files beyond SampleSize take the schema of a sampled file of their folder.
    for (const [folder, rest] of target.sampled) {
      const like = results.get(folder.slice(target.bucket.length + 1));
      if (!like) continue;
      for (const meta of rest) target.files.push({ key: meta.key, size: meta.size, schema: like.schema, records: Math.round((like.records * meta.size) / Math.max(like.size, 1)) });
    }
  }
  if (ctx.signal.aborted) throw new CrawlCancelled();
  const deletes = incremental ? [] : [...index.keys()].filter((k) => !seen.has(k));
  ctx.store.updateFileIndex(name, upserts, deletes);
  await ctx.store.sync();

  let plans: PlannedTable[] = [];
  for (const target of perTarget) {
    target.files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    plans.push(...groupTables(target.bucket, target.prefix, target.files, { combineCompatibleSchemas: config.combineCompatibleSchemas, tableLevel: config.tableLevel }));
  }
  plans = uniqueNames(plans, (c.TablePrefix ?? '').toLowerCase());
  if (config.tableThreshold !== undefined && plans.length > config.tableThreshold) {
    throw new CrawlFailed(`The number of tables detected by crawler: ${plans.length} is greater than the table threshold value provided: ${config.tableThreshold}.`);
  }
  ctx.log(`Crawl of ${listed} files (${classified} classified, ${reused} unchanged) found ${plans.length} tables`);
  const policy = incremental ? INCREMENTAL_SCHEMA_CHANGE_POLICY : { ...DEFAULT_SCHEMA_CHANGE_POLICY, ...c.SchemaChangePolicy };
  const writer = new CatalogWriter(ctx.catalog, {
    crawlerName: name,
    exclusions: perTarget.flatMap((t) => t.exclusions),
    databaseName: c.DatabaseName,
    updateBehavior: policy.UpdateBehavior ?? DEFAULT_SCHEMA_CHANGE_POLICY.UpdateBehavior,
    deleteBehavior: policy.DeleteBehavior ?? DEFAULT_SCHEMA_CHANGE_POLICY.DeleteBehavior,
    config,
    targetLocations: perTarget.map((t) => `s3://${t.bucket}/${t.prefix === '' ? '' : `${t.prefix}/`}`),
    incremental,
    signal: ctx.signal,
    log: ctx.log,
  });
  const summary = await writer.write(plans);
  if (ctx.signal.aborted) throw new CrawlCancelled();
  return { ...summary, filesListed: listed, filesClassified: classified, filesReused: reused };
}

/** Adds an indexed file's earlier result to the crawl; false when it was UNKNOWN. */
function pushKnown(ctx: CrawlContext, files: CrawledFile[], meta: ObjectMeta, known: FileEntry): boolean {
  if (known.schemaId === null) return true;
  const schema = ctx.store.schema(known.schemaId);
  if (!schema) return false;
  files.push({ key: meta.key, size: meta.size, schema, records: known.records });
  return true;
}
