/** Crawler schedules: Glue's `cron(Minutes Hours Day-of-month Month Day-of-week Year)` (UTC, `?`, `L`, `W`, `#`) validated and run with croner. */
import { Cron } from 'croner';
import { CrawlerErrors } from './errors.js';

const CRON_OPTIONS = { mode: '7-part', alternativeWeekdays: true, sloppyRanges: true, timezone: 'UTC' } as const;

/** Translates a Glue schedule to a croner pattern (seconds prepended); InvalidInputException when malformed. */
export function croner(expression: string): string {
  const invalid = () => CrawlerErrors.invalidInput(`Invalid schedule expression: ${expression}`);
  const m = /^\s*cron\((.*)\)\s*$/i.exec(expression);
  if (!m) throw invalid();
  const fields = m[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw invalid();
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // AWS requires `?` in exactly one of the two day fields.
  if ((dom === '?') === (dow === '?')) throw invalid();
  // AWS writes "last Friday" as 6L; croner as 6#L.
  const weekday = dow.replace(/^(\w+)L$/i, '$1#L');
  const pattern = ['0', minutes, hours, dom, month, weekday, year].join(' ');
  let cron: Cron;
  try {
    cron = new Cron(pattern, { ...CRON_OPTIONS, paused: true });
  } catch {
    throw invalid();
  }
  // Glue's schedules have a precision of 5 minutes: no two runs may be closer (checked over the next 300 runs, a
  // day of a 5-minute schedule; every listed minute of an hour shows up within it).
  const runs = cron.nextRuns(300, new Date(Date.UTC(2030, 0, 1)));
  cron.stop();
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_INTERVAL_MS) {
      throw CrawlerErrors.invalidInput(`Invalid schedule expression: ${expression}. A schedule cannot run more often than every 5 minutes.`);
    }
  }
  return pattern;
}

const MIN_INTERVAL_MS = 5 * 60 * 1000;

/** Runs `fire(name)` at each time of each registered crawler's schedule; runs nothing after `stopAll`. */
export class CrawlerScheduler {
  readonly #jobs = new Map<string, Cron>();

  constructor(private readonly fire: (crawlerName: string) => void) {}

  /** (Re)schedules a crawler. */
  schedule(name: string, expression: string): void {
    this.unschedule(name);
    const job = new Cron(croner(expression), { ...CRON_OPTIONS, unref: true, catch: true }, () => this.fire(name));
    this.#jobs.set(name, job);
  }

  unschedule(name: string): void {
    this.#jobs.get(name)?.stop();
    this.#jobs.delete(name);
  }

  isScheduled(name: string): boolean {
    return this.#jobs.has(name);
  }

  nextRun(name: string): Date | undefined {
    return this.#jobs.get(name)?.nextRun() ?? undefined;
  }

  stopAll(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }
}
