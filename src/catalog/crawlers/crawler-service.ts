/** The Glue crawler API (no HTTP): definitions, runs off the request path (one at a time per crawler, cancellable), schedules, ListCrawls and metrics. */
import { randomUUID } from 'node:crypto';
import type {
  CreateCrawlerRequest,
  Crawler,
  CrawlerMetrics,
  DeleteCrawlerRequest,
  GetCrawlerMetricsRequest,
  GetCrawlerMetricsResponse,
  GetCrawlerRequest,
  GetCrawlerResponse,
  GetCrawlersRequest,
  GetCrawlersResponse,
  ListCrawlersRequest,
  ListCrawlersResponse,
  ListCrawlsRequest,
  ListCrawlsResponse,
  StartCrawlerRequest,
  StartCrawlerScheduleRequest,
  StopCrawlerRequest,
  StopCrawlerScheduleRequest,
  UpdateCrawlerRequest,
  UpdateCrawlerScheduleRequest,
} from '@aws-sdk/client-glue';
import type { CatalogService } from '../catalog-service.js';
import { decodeToken, encodeToken, pageSize } from '../model.js';
import type { ObjectService } from '../../storage/object-service.js';
import { crawlerName, newCrawler, tags, updatedCrawler } from './crawler-inputs.js';
import type { CrawlerStore } from './crawler-store.js';
import { CrawlCancelled, runCrawl, type CrawlOutcome, type CrawlProgress } from './crawl-runner.js';
import { CrawlerErrors } from './errors.js';
import { filterCrawls } from './crawl-filters.js';
import { CRAWLER_LIMITS, LOG_GROUP, type CrawlRecord, type StoredCrawler } from './model.js';
import { CrawlerScheduler, croner } from './scheduler.js';
import type { TagHolder } from '../resource-tags.js';

type Empty = Record<string, never>;

export interface CrawlerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface Running {
  state: 'RUNNING' | 'STOPPING';
  readonly abort: AbortController;
  readonly record: CrawlRecord;
  readonly started: number;
  readonly progress: CrawlProgress;
  readonly done: Promise<void>;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Glue's crawl summary: counts by object kind and change. */
function summaryOf(o: CrawlOutcome): string {
  const part = (add: number, update: number, del: number) => {
    const out: Record<string, { Count: number }> = {};
    if (add) out.ADD = { Count: add };
    if (update) out.UPDATE = { Count: update };
    if (del) out.DELETE = { Count: del };
    return out;
  };
  const s: Record<string, unknown> = {};
  const t = part(o.tablesCreated, o.tablesUpdated, o.tablesDeleted);
  const p = part(o.partitionsCreated, o.partitionsUpdated, o.partitionsDeleted);
  if (Object.keys(t).length) s.TABLE = t;
  if (Object.keys(p).length) s.PARTITION = p;
  return JSON.stringify(s);
}

export class CrawlerService {
  readonly #running = new Map<string, Running>();
  readonly #scheduler: CrawlerScheduler;

  constructor(
    private readonly store: CrawlerStore,
    private readonly catalog: CatalogService,
    private readonly objects: ObjectService,
    private readonly logger: CrawlerLogger,
  ) {
    this.#scheduler = new CrawlerScheduler((name) => this.#scheduledRun(name));
  }

  /** Marks crawls cut short by a restart as failed and starts the schedules. */
  start(): void {
    let after: string | undefined;
    do {
      const page = this.store.list(after, 1000);
      for (const c of page.items) {
        const name = c.crawler.Name!;
        const last = this.store.runs(name, 1)[0];
        if (last?.State === 'RUNNING') {
          const end = new Date();
          this.store.putRun({ ...last, State: 'FAILED', EndTime: end, ErrorMessage: 'The crawl was interrupted by a server restart.' });
          this.store.put({ ...c, crawler: { ...c.crawler, LastCrawl: { ...c.crawler.LastCrawl, Status: 'FAILED', ErrorMessage: 'The crawl was interrupted by a server restart.' } } });
        }
        if (c.crawler.Schedule?.State === 'SCHEDULED' && c.crawler.Schedule.ScheduleExpression) this.#scheduler.schedule(name, c.crawler.Schedule.ScheduleExpression);
      }
      after = page.last;
    } while (after !== undefined);
  }

  /** Cancels running crawls and waits for them to end. */
  async stop(): Promise<void> {
    this.#scheduler.stopAll();
    const runs = [...this.#running.values()];
    for (const r of runs) r.abort.abort();
    await Promise.all(runs.map((r) => r.done));
  }

  #get(name: unknown, field = 'name'): StoredCrawler {
    const n = crawlerName(name, field);
    const c = this.store.get(n);
    if (!c) throw CrawlerErrors.notFound(n);
    return c;
  }

  /** The crawler as Glue describes it, with its live state. */
  #describe(c: StoredCrawler): Crawler {
    const r = this.#running.get(c.crawler.Name!);
    return { ...c.crawler, State: r?.state ?? 'READY', CrawlElapsedTime: r ? Date.now() - r.started : 0 };
  }

  /** Whether a crawl of this crawler is in progress (for tests and the scheduler). */
  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  /** Resolves when the current crawl (if any) of `name` has ended. */
  async idle(name: string): Promise<void> {
    await this.#running.get(name)?.done;
  }

  async createCrawler(i: CreateCrawlerRequest): Promise<Empty> {
    const crawler = newCrawler(i, new Date());
    const t = tags(i.Tags);
    if (this.store.get(crawler.Name!)) throw CrawlerErrors.exists(crawler.Name!);
    if (this.store.count() >= CRAWLER_LIMITS.crawlersPerAccount) throw CrawlerErrors.limitExceeded(`Number of crawlers exceeds the limit of ${CRAWLER_LIMITS.crawlersPerAccount}.`);
    this.store.put({ crawler, tags: t, metrics: { TablesCreated: 0, TablesUpdated: 0, TablesDeleted: 0 } });
    await this.store.sync();
    if (crawler.Schedule?.ScheduleExpression) this.#scheduler.schedule(crawler.Name!, crawler.Schedule.ScheduleExpression);
    return {};
  }

  /** Where crawlers keep their tags (Glue's TagResource on `crawler/<name>` ARNs; ListCrawlers filters by them). */
  crawlerTags(): TagHolder {
    return {
      get: (name) => this.store.get(name)?.tags,
      set: async (name, tags) => {
        const stored = this.store.get(name);
        if (!stored) throw CrawlerErrors.notFound(name);
        this.store.put({ ...stored, tags });
        await this.store.sync();
      },
    };
  }

  getCrawler(i: GetCrawlerRequest): GetCrawlerResponse {
    return { Crawler: this.#describe(this.#get(i.Name)) };
  }

  getCrawlers(i: GetCrawlersRequest): GetCrawlersResponse {
    const page = this.store.list(decodeToken('crawler', i.NextToken), pageSize(i.MaxResults, CRAWLER_LIMITS.pageCrawlers));
    return { Crawlers: page.items.map((c) => this.#describe(c)), NextToken: page.last === undefined ? undefined : encodeToken('crawler', page.last) };
  }

  listCrawlers(i: ListCrawlersRequest): ListCrawlersResponse {
    const limit = pageSize(i.MaxResults, CRAWLER_LIMITS.pageCrawlers);
    const want = Object.entries(tags(i.Tags));
    const names: string[] = [];
    let after = decodeToken('crawler', i.NextToken);
    for (;;) {
      const page = this.store.list(after, limit);
      for (const c of page.items) {
        if (!want.every(([k, v]) => c.tags[k] === v)) continue;
        names.push(c.crawler.Name!);
        if (names.length === limit) return { CrawlerNames: names, NextToken: encodeToken('crawler', c.crawler.Name!) };
      }
      if (page.last === undefined) return { CrawlerNames: names };
      after = page.last;
    }
  }

  async updateCrawler(i: UpdateCrawlerRequest): Promise<Empty> {
    const c = this.#get(i.Name);
    const name = c.crawler.Name!;
    if (this.#running.has(name)) throw CrawlerErrors.running(name);
    const crawler = updatedCrawler(c.crawler, i, new Date());
    this.store.put({ ...c, crawler });
    await this.store.sync();
    this.#reschedule(crawler);
    return {};
  }

  async deleteCrawler(i: DeleteCrawlerRequest): Promise<Empty> {
    const c = this.#get(i.Name);
    const name = c.crawler.Name!;
    if (this.#running.has(name)) throw CrawlerErrors.running(name);
    this.#scheduler.unschedule(name);
    this.store.delete(name);
    await this.store.sync();
    return {};
  }

  #reschedule(c: Crawler): void {
    if (c.Schedule?.State === 'SCHEDULED' && c.Schedule.ScheduleExpression) this.#scheduler.schedule(c.Name!, c.Schedule.ScheduleExpression);
    else this.#scheduler.unschedule(c.Name!);
  }

  async startCrawler(i: StartCrawlerRequest): Promise<Empty> {
    this.#start(this.#get(i.Name));
    await this.store.sync();
    return {};
  }

  #scheduledRun(name: string): void {
    const c = this.store.get(name);
    if (!c || this.#running.has(name)) {
      this.logger.info({ crawler: name }, 'scheduled crawl skipped: the crawler is running');
      return;
    }
    this.#start(c);
  }

  #start(c: StoredCrawler): void {
    const name = c.crawler.Name!;
    if (this.#running.has(name)) throw CrawlerErrors.running(name);
    const crawlId = randomUUID();
    const record: CrawlRecord = { CrawlerName: name, CrawlId: crawlId, State: 'RUNNING', StartTime: new Date(), LogGroup: LOG_GROUP, LogStream: name, MessagePrefix: crawlId, DPUHour: 0 };
    this.store.putRun(record);
    const abort = new AbortController();
    const progress: CrawlProgress = { filesTotal: 0, filesDone: 0 };
    const crawledBefore = this.store.runs(name, CRAWLER_LIMITS.crawlsKept).some((r) => r.State === 'COMPLETED');
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const run: Running = { state: 'RUNNING', abort, record, started: Date.now(), progress, done };
    this.#running.set(name, run);
    setImmediate(() => {
      void this.#execute(c, run, crawledBefore).finally(() => {
        this.#running.delete(name);
        resolveDone();
      });
    });
  }

  async #execute(c: StoredCrawler, run: Running, crawledBefore: boolean): Promise<void> {
    const name = c.crawler.Name!;
    const log = (message: string) => this.logger.info({ crawler: name, crawlId: run.record.CrawlId }, message);
    log('crawl started');
    let outcome: CrawlOutcome | undefined;
    let status: 'SUCCEEDED' | 'CANCELLED' | 'FAILED' = 'SUCCEEDED';
    let error: string | undefined;
    try {
      outcome = await runCrawl({ crawler: c.crawler, catalog: this.catalog, objects: this.objects, store: this.store, signal: run.abort.signal, progress: run.progress, log, crawledBefore });
    } catch (err) {
      if (err instanceof CrawlCancelled || run.abort.signal.aborted) status = 'CANCELLED';
      else {
        status = 'FAILED';
        error = (err as Error).message;
        this.logger.warn({ crawler: name, crawlId: run.record.CrawlId, err }, 'crawl failed');
      }
    }
    const end = new Date();
    const runtime = (end.getTime() - run.started) / 1000;
    const record: CrawlRecord = {
      ...run.record,
      State: status === 'SUCCEEDED' ? 'COMPLETED' : status === 'CANCELLED' ? 'STOPPED' : 'FAILED',
      EndTime: end,
      ErrorMessage: error,
      Summary: outcome ? summaryOf(outcome) : undefined,
      RuntimeSeconds: runtime,
    };
    this.store.putRun(record);
    const current = this.store.get(name);
    if (current) {
      const lastCrawl = { Status: status, ErrorMessage: error, LogGroup: LOG_GROUP, LogStream: name, MessagePrefix: run.record.CrawlId, StartTime: run.record.StartTime };
      const metrics = outcome
        ? { TablesCreated: outcome.tablesCreated, TablesUpdated: outcome.tablesUpdated, TablesDeleted: outcome.tablesDeleted }
        : current.metrics;
      this.store.put({ ...current, crawler: { ...current.crawler, LastCrawl: lastCrawl }, metrics });
    }
    await this.store.sync();
    log(`crawl ended: ${status}${error ? ` (${error})` : ''} in ${runtime.toFixed(2)} s`);
  }

  async stopCrawler(i: StopCrawlerRequest): Promise<Empty> {
    const c = this.#get(i.Name);
    const name = c.crawler.Name!;
    const run = this.#running.get(name);
    if (!run) throw CrawlerErrors.notRunning(name);
    if (run.state === 'STOPPING') throw CrawlerErrors.stopping(name);
    run.state = 'STOPPING';
    run.abort.abort();
    return {};
  }

  getCrawlerMetrics(i: GetCrawlerMetricsRequest): GetCrawlerMetricsResponse {
    const names = i.CrawlerNameList;
    if (names !== undefined && (!Array.isArray(names) || names.length > CRAWLER_LIMITS.metricsNames)) throw CrawlerErrors.invalidInput(`CrawlerNameList must have at most ${CRAWLER_LIMITS.metricsNames} names.`);
    let crawlers: StoredCrawler[];
    let next: string | undefined;
    if (names && names.length > 0) crawlers = names.map((n) => this.store.get(crawlerName(n, 'crawlerNameList.member'))).filter((c): c is StoredCrawler => c !== undefined);
    else {
      const page = this.store.list(decodeToken('metrics', i.NextToken), pageSize(i.MaxResults, CRAWLER_LIMITS.pageCrawlers));
      crawlers = page.items;
      next = page.last === undefined ? undefined : encodeToken('metrics', page.last);
    }
    return { CrawlerMetricsList: crawlers.map((c) => this.#metrics(c)), NextToken: next };
  }

  #metrics(c: StoredCrawler): CrawlerMetrics {
    const name = c.crawler.Name!;
    const finished = this.store.runs(name, 100).filter((r) => r.State !== 'RUNNING' && r.RuntimeSeconds !== undefined);
    const med = median(finished.map((r) => r.RuntimeSeconds!));
    const run = this.#running.get(name);
    let timeLeft = 0;
    if (run) {
      const elapsed = (Date.now() - run.started) / 1000;
      const p = run.progress;
      timeLeft = p.filesDone > 0 && p.filesTotal > 0 ? (elapsed * (p.filesTotal - p.filesDone)) / p.filesDone : Math.max(0, med - elapsed);
    }
    return {
      CrawlerName: name,
      TimeLeftSeconds: Math.max(0, timeLeft),
      StillEstimating: run !== undefined && run.progress.filesTotal === 0,
      LastRuntimeSeconds: finished[0]?.RuntimeSeconds ?? 0,
      MedianRuntimeSeconds: med,
      ...c.metrics,
    };
  }

  listCrawls(i: ListCrawlsRequest): ListCrawlsResponse {
    const c = this.#get(i.CrawlerName, 'crawlerName');
    const limit = pageSize(i.MaxResults, CRAWLER_LIMITS.pageCrawlers);
    const all = filterCrawls(this.store.runs(c.crawler.Name!, CRAWLER_LIMITS.crawlsKept), i.Filters);
    const from = Number(decodeToken('crawls', i.NextToken) ?? '0');
    const page = all.slice(from, from + limit).map(({ CrawlerName: _n, RuntimeSeconds: _r, ...h }) => h);
    return { Crawls: page, NextToken: from + limit < all.length ? encodeToken('crawls', String(from + limit)) : undefined };
  }

  async updateCrawlerSchedule(i: UpdateCrawlerScheduleRequest): Promise<Empty> {
    const c = this.#get(i.CrawlerName, 'crawlerName');
    const expr = i.Schedule;
    if (expr !== undefined && expr !== null && expr !== '') croner(expr);
    const schedule = expr ? { ScheduleExpression: expr, State: 'SCHEDULED' as const } : undefined;
    const crawler = { ...c.crawler, Schedule: schedule, LastUpdated: new Date(), Version: (c.crawler.Version ?? 1) + 1 };
    this.store.put({ ...c, crawler });
    await this.store.sync();
    this.#reschedule(crawler);
    return {};
  }

  async startCrawlerSchedule(i: StartCrawlerScheduleRequest): Promise<Empty> {
    const c = this.#get(i.CrawlerName, 'crawlerName');
    const s = c.crawler.Schedule;
    if (!s?.ScheduleExpression) throw CrawlerErrors.noSchedule(c.crawler.Name!);
    if (s.State === 'SCHEDULED') throw CrawlerErrors.schedulerRunning(c.crawler.Name!);
    const crawler = { ...c.crawler, Schedule: { ...s, State: 'SCHEDULED' as const } };
    this.store.put({ ...c, crawler });
    await this.store.sync();
    this.#reschedule(crawler);
    return {};
  }

  async stopCrawlerSchedule(i: StopCrawlerScheduleRequest): Promise<Empty> {
    const c = this.#get(i.CrawlerName, 'crawlerName');
    const s = c.crawler.Schedule;
    if (s?.State !== 'SCHEDULED') throw CrawlerErrors.schedulerNotRunning(c.crawler.Name!);
    const crawler = { ...c.crawler, Schedule: { ...s, State: 'NOT_SCHEDULED' as const } };
    this.store.put({ ...c, crawler });
    await this.store.sync();
    this.#reschedule(crawler);
    return {};
  }

  /** Whether the server runs this crawler's schedule (for tests). */
  isScheduled(name: string): boolean {
    return this.#scheduler.isScheduled(name);
  }
}
