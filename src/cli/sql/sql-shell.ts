/** The `lakebox sql` loops: the interactive REPL (prompt, multi-line input, history, Ctrl-C cancel) and the script/pipe runner. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { SqlSession } from './sql-session.js';
import { StatementSplitter, type ScriptItem } from './statement-splitter.js';

export const CONTINUATION_PROMPT = '      -> ';
const HISTORY_SIZE = 1000;

/** `$LAKEBOX_SQL_HISTORY` (empty: no history) or `~/.lakebox_sql_history`. */
export function historyPath(env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.LAKEBOX_SQL_HISTORY;
  if (configured === undefined) return join(homedir(), '.lakebox_sql_history');
  return configured === '' ? undefined : configured;
}

/** History file lines (oldest first) as readline wants them (newest first). */
export function loadHistory(path: string | undefined): string[] {
  if (path === undefined) return [];
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

export function saveHistory(path: string | undefined, history: readonly string[]): void {
  if (path === undefined) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, history.length === 0 ? '' : `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // history is best effort
  }
}

/**
 * Runs items from a script, `-c` text or piped stdin in order; stops at the first failure (exit status 1) or `\q`.
 * A SIGINT cancels the running query (StopQueryExecution) and ends the run with status 130.
 */
export async function runScript(session: SqlSession, chunks: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const splitter = new StatementSplitter();
  let current: AbortController | undefined;
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    if (current) current.abort();
    else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  const run = async (items: ScriptItem[]): Promise<number | undefined> => {
    for (const item of items) {
      current = new AbortController();
      const outcome = await session.execute(item, current.signal);
      current = undefined;
      if (interrupted) return 130;
      if (outcome === 'quit') return 0;
      if (outcome === 'error') return 1;
    }
    return undefined;
  };
  try {
    for await (const chunk of chunks) {
      const code = await run(splitter.push(chunk));
      if (code !== undefined) return code;
    }
    return (await run(splitter.end())) ?? 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Lines of a stream, each with its `\n`, for `runScript`. */
export async function* streamLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const line of rl) yield `${line}\n`;
}

export interface ReplOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly historyFile: string | undefined;
}

/** The interactive shell; resolves with the exit status when the user quits (`\q`, Ctrl-D). */
export async function runRepl(session: SqlSession, options: ReplOptions): Promise<number> {
  const rl: Interface = createInterface({
    input: options.input,
    output: options.output,
    terminal: true,
    history: loadHistory(options.historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  rl.on('history', (history) => saveHistory(options.historyFile, history));
  const splitter = new StatementSplitter();
  const mainPrompt = (): string => `lakebox:${session.settings.database}> `;
  let current: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (current) {
      if (!current.signal.aborted) {
        options.output.write('\r\x1b[K^C cancelling…\n');
        current.abort();
      }
      return;
    }
    splitter.reset();
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    options.output.write('^C\n');
    rl.setPrompt(mainPrompt());
    rl.prompt();
  });
  options.output.write('lakebox sql: statements end with ";", \\h for help, \\q or Ctrl-D to quit.\n');
  rl.setPrompt(mainPrompt());
  rl.prompt();
  try {
    for await (const line of rl) {
      for (const item of splitter.push(`${line}\n`)) {
        current = new AbortController();
        const outcome = await session.execute(item, current.signal);
        current = undefined;
        if (outcome === 'quit') return 0;
      }
      rl.setPrompt(splitter.pending ? CONTINUATION_PROMPT : mainPrompt());
      rl.prompt();
    }
    options.output.write('\n');
    return 0;
  } finally {
    rl.close();
  }
}
