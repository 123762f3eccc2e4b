/** ListCrawls `Filters`: comparisons on CRAWL_ID, STATE, START_TIME, END_TIME and DPU_HOUR, all of which must hold. */
import type { CrawlsFilter } from '@aws-sdk/client-glue';
import { CrawlerErrors } from './errors.js';
import type { CrawlRecord } from './model.js';

const FIELDS = ['CRAWL_ID', 'STATE', 'START_TIME', 'END_TIME', 'DPU_HOUR'] as const;
const OPERATORS = ['GT', 'GE', 'LT', 'LE', 'EQ', 'NE'] as const;

function timeValue(text: string): number {
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw CrawlerErrors.invalidInput(`Invalid time value in filter: ${text}`);
  return t;
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps the crawls matching every filter (InvalidInputException for unknown fields or operators). */
export function filterCrawls(runs: readonly CrawlRecord[], filters: readonly CrawlsFilter[] | undefined): CrawlRecord[] {
  if (!filters || filters.length === 0) return [...runs];
  const tests = filters.map((f) => {
    if (!FIELDS.includes(f.FieldName as (typeof FIELDS)[number])) throw CrawlerErrors.invalidInput(`Invalid filter field: ${String(f.FieldName)}`);
    if (!OPERATORS.includes(f.FilterOperator as (typeof OPERATORS)[number])) throw CrawlerErrors.invalidInput(`Invalid filter operator: ${String(f.FilterOperator)}`);
    const raw = f.FieldValue ?? '';
    const want: number | string = f.FieldName === 'START_TIME' || f.FieldName === 'END_TIME' ? timeValue(raw) : f.FieldName === 'DPU_HOUR' ? Number(raw) : raw;
    return (r: CrawlRecord): boolean => {
      const have: number | string | undefined =
        f.FieldName === 'CRAWL_ID' ? r.CrawlId
        : f.FieldName === 'STATE' ? r.State
        : f.FieldName === 'START_TIME' ? r.StartTime?.getTime()
        : f.FieldName === 'END_TIME' ? r.EndTime?.getTime()
        : (r.DPUHour ?? 0);
      if (have === undefined) return f.FilterOperator === 'NE';
      const c = compare(have, want);
      switch (f.FilterOperator) {
        case 'GT': return c > 0;
        case 'GE': return c >= 0;
        case 'LT': return c < 0;
        case 'LE': return c <= 0;
        case 'EQ': return c === 0;
        default: return c !== 0;
      }
    };
  });
  return runs.filter((r) => tests.every((t) => t(r)));
}
