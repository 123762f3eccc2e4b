/** Executes script items for `lakebox sql`: statements through the runner, meta-commands locally, results and errors printed. */
import { once } from 'node:events';
import { AthenaRunner, describeError, type Progress } from './athena-runner.js';
import {
  formatBytes,
  formatTable,
  OUTPUT_FORMATS,
  streamingFormatter,
  summaryLine,
  type Cell,
  type OutputFormat,
  type ResultColumn,
} from './result-formatter.js';
import type { ScriptItem } from './statement-splitter.js';
import type { QueryExecution } from '@aws-sdk/client-athena';

export interface SessionSettings {
  database: string;
  workGroup: string | undefined;
  outputLocation: string | undefined;
  format: OutputFormat;
  /** Adds elapsed time and data scanned to the summary line. */
  timing: boolean;
}

export interface SessionIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Interactive session: summaries of non-table formats go to stderr, informational messages are shown. */
  readonly interactive: boolean;
  /** Draw the progress indicator on stderr (stderr is a terminal). */
  readonly progress: boolean;
  /** Terminal width for tables, undefined when stdout is not a terminal. */
  readonly columns: () => number | undefined;
  readonly now?: () => number;
}

export type ItemOutcome = 'ok' | 'error' | 'quit';

export const HELP = `Statements end with ";" and may span lines. Meta-commands (one line, no ";" needed):
  \\q                 quit (also Ctrl-D)
  \\c DB  or  USE DB   switch the current database (local to this shell)
  \\d                 list tables (SHOW TABLES)
  \\d TABLE           describe a table (DESCRIBE TABLE)
  \\l                 list databases (SHOW DATABASES)
  \\timing [on|off]   toggle elapsed time and data scanned after each result
  \\format FORMAT     output format: table, csv, json or tsv
  \\h                 this help
Ctrl-C cancels the running query (StopQueryExecution) or discards the current input.
`;

const USE = /^use\s+(?:"([^"]+)"|`([^`]+)`|([A-Za-z0-9_]+))$/i;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Strips comments around a statement, for recognising locally handled ones such as `USE db`. */
function bare(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim();
}

/** Quotes an identifier for SHOW/DESCRIBE unless it is a plain (optionally db-qualified) name. */
function quoteName(name: string): string {
  return /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/.test(name) || /^[`"]/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}

export class SqlSession {
  readonly settings: SessionSettings;
  readonly #runner: AthenaRunner;
  readonly #io: SessionIo;
  readonly #now: () => number;

  constructor(runner: AthenaRunner, settings: SessionSettings, io: SessionIo) {
    this.#runner = runner;
    this.settings = settings;
    this.#io = io;
    this.#now = io.now ?? Date.now;
  }

  async #out(text: string): Promise<void> {
    if (text !== '' && !this.#io.stdout.write(text)) await once(this.#io.stdout, 'drain');
  }

  #err(text: string): void {
    this.#io.stderr.write(text);
  }

  #info(text: string): void {
    if (this.#io.interactive) this.#err(`${text}\n`);
  }

  async execute(item: ScriptItem, signal?: AbortSignal): Promise<ItemOutcome> {
    if (item.kind === 'meta') return this.#meta(item.command, item.args, signal);
    const use = USE.exec(bare(item.text));
    if (use) {
      this.settings.database = (use[1] ?? use[2] ?? use[3]!).toLowerCase();
      this.#info(`Database: ${this.settings.database}`);
      return 'ok';
    }
    return this.query(item.text, signal);
  }

  async #meta(command: string, args: readonly string[], signal: AbortSignal | undefined): Promise<ItemOutcome> {
    switch (command) {
      case 'q':
      case 'quit':
        return 'quit';
      case 'h':
      case '?':
      case 'help':
        await this.#out(HELP);
        return 'ok';
      case 'c':
      case 'connect':
        if (args[0] === undefined) {
          this.#err(`Database: ${this.settings.database}\n`);
          return 'ok';
        }
        this.settings.database = args[0].replace(/^[`"]|[`"]$/g, '').toLowerCase();
        this.#info(`Database: ${this.settings.database}`);
        return 'ok';
      case 'd':
        return this.query(args[0] === undefined ? 'SHOW TABLES' : `DESCRIBE ${quoteName(args[0])}`, signal);
      case 'l':
        return this.query('SHOW DATABASES', signal);
      case 'timing': {
        const v = args[0]?.toLowerCase();
        this.settings.timing = v === 'on' ? true : v === 'off' ? false : !this.settings.timing;
        this.#err(`Timing is ${this.settings.timing ? 'on' : 'off'}.\n`);
        return 'ok';
      }
      case 'format':
      case 'f': {
        const f = args[0]?.toLowerCase();
        if (f === undefined) {
          this.#err(`Output format is ${this.settings.format}.\n`);
          return 'ok';
        }
        if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) {
          this.#err(`\\format: unknown format "${f}" (use ${OUTPUT_FORMATS.join(', ')})\n`);
          return 'error';
        }
        this.settings.format = f as OutputFormat;
        this.#err(`Output format is ${f}.\n`);
        return 'ok';
      }
      default:
        this.#err(`invalid command \\${command}; try \\h for help\n`);
        return 'error';
    }
  }

  /** Runs one statement and prints its result; errors go to stderr. */
  async query(sql: string, signal?: AbortSignal): Promise<ItemOutcome> {
    const started = this.#now();
    const progress = this.#progress(started);
    let execution: QueryExecution;
    try {
      execution = await this.#runner.run(
        { sql, database: this.settings.database, workGroup: this.settings.workGroup, outputLocation: this.settings.outputLocation },
        { signal, onProgress: (p) => progress.update(p) },
      );
    } catch (err) {
      progress.stop();
      this.#reportError(err);
      return 'error';
    }
    progress.stop();
    try {
      await this.#print(execution, signal, started);
      return 'ok';
    } catch (err) {
      this.#reportError(err);
      return 'error';
    }
  }

  #reportError(err: unknown): void {
    const message = describeError(err);
    this.#err(`${message}\n`);
    if (message.includes('No output location provided')) {
      this.#err('hint: pass --output-location s3://bucket/prefix/ (or set LAKEBOX_SQL_OUTPUT_LOCATION), or give the work group an output location\n');
    }
  }

  async #print(execution: QueryExecution, signal: AbortSignal | undefined, started: number): Promise<void> {
    const stats = execution.Statistics;
    const timing = this.settings.timing
      ? { millis: stats?.TotalExecutionTimeInMillis ?? this.#now() - started, scannedBytes: stats?.DataScannedInBytes ?? 0 }
      : undefined;
    const format = this.settings.format;
    let columns: readonly ResultColumn[] = [];
    let rowCount = 0;
    let updateCount: number | undefined;
    const buffered: Cell[][] = [];
    const streaming = format === 'table' ? undefined : streamingFormatter(format);
    let first = true;
    for await (const page of this.#runner.results(execution, signal)) {
      if (first) {
        columns = page.columns;
        if (streaming) await this.#out(streaming.header(columns));
        first = false;
      }
      updateCount = page.updateCount ?? updateCount;
      rowCount += page.rows.length;
      if (streaming) await this.#out(streaming.rows(columns, page.rows));
      else for (const r of page.rows) buffered.push(r);
    }
    const sub = execution.SubstatementType ?? '';
    const writes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE_TABLE_AS_SELECT'].includes(sub);
    let summary: string;
    if (writes) summary = summaryLine(updateCount ?? 0, timing, 'row', ' affected');
    else if (columns.length === 0) summary = timing === undefined ? 'OK' : `OK (${(timing.millis / 1000).toFixed(3)} s${timing.scannedBytes > 0 ? `, ${formatBytes(timing.scannedBytes)} scanned` : ''})`;
    else summary = summaryLine(rowCount, timing);
    if (format === 'table') {
      if (columns.length > 0 && !writes) await this.#out(formatTable(columns, buffered, { maxWidth: this.#io.columns() }));
      await this.#out(`${summary}\n${this.#io.interactive ? '\n' : ''}`);
    } else if (this.#io.interactive) {
      this.#err(`${summary}\n`);
    }
  }

  /** The stderr progress line: appears after 0.5 s, redrawn every 100 ms, erased when the query ends. */
  #progress(started: number): { update(p: Progress): void; stop(): void } {
    if (!this.#io.progress) return { update: () => undefined, stop: () => undefined };
    let last: Progress | undefined;
    let frame = 0;
    let drawn = false;
    const draw = (): void => {
      const elapsed = this.#now() - started;
      if (elapsed < 500 || last === undefined) return;
      const scanned = last.scannedBytes === undefined ? '' : `, ${formatBytes(last.scannedBytes)} scanned`;
      this.#err(`\r\x1b[K${SPINNER[frame++ % SPINNER.length]!} ${last.state} ${(elapsed / 1000).toFixed(1)} s${scanned}  (Ctrl-C to cancel)`);
      drawn = true;
    };
    const timer = setInterval(draw, 100);
    timer.unref();
    return {
      update: (p) => {
        last = p;
      },
      stop: () => {
        clearInterval(timer);
        if (drawn) this.#err('\r\x1b[K');
      },
    };
  }
}
