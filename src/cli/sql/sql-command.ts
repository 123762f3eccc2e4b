/** Registers `lakebox sql` on the CLI: options, endpoint and credential resolution, the Athena client, and which loop to run. */
import { readFileSync } from 'node:fs';
import { AthenaClient } from '@aws-sdk/client-athena';
import { Option, type Command } from 'commander';
import type { LakeboxConfig } from '../../config/config.js';
import { AthenaRunner, athenaApi } from './athena-runner.js';
import { OUTPUT_FORMATS, type OutputFormat } from './result-formatter.js';
import { SqlSession } from './sql-session.js';
import { historyPath, runRepl, runScript, streamLines } from './sql-shell.js';

/** The options main.ts's config loader understands. */
export interface ConfigOptions {
  config?: string;
  host?: string;
  port?: string;
  region?: string;
}

interface SqlOptions extends ConfigOptions {
  endpoint?: string;
  database: string;
  workgroup?: string;
  outputLocation?: string;
  format: OutputFormat;
}

/** A `-c` text or `-f` file, kept in command-line order. */
type ScriptSource = { readonly kind: 'command' | 'file'; readonly value: string };

/** The endpoint other CLI commands use: http://host:port (a wildcard listen address means this machine). */
export function endpointOf(config: LakeboxConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function readSource(source: ScriptSource): string {
  if (source.kind === 'command') return source.value;
  return readFileSync(source.value === '-' ? 0 : source.value, 'utf8');
}

export function registerSqlCommand(program: Command, loadConfig: (opts: ConfigOptions) => LakeboxConfig): void {
  // -c and -f share one list so that they run in command-line order.
  const sources: ScriptSource[] = [];
  const collect = (kind: ScriptSource['kind']) => (value: string): ScriptSource[] => {
    sources.push({ kind, value });
    return sources;
  };
  program
    .command('sql')
    .description('SQL shell over the Athena API: interactive when stdin is a terminal, else runs -c/-f/piped statements')
    .option('--config <file>', 'JSON config file (default ./lakebox.config.json)')
    .option('--host <host>', 'server address (default 127.0.0.1)')
    .option('-p, --port <port>', 'server port (default 4566)')
    .option('--endpoint <url>', 'server URL, instead of --host/--port (e.g. http://127.0.0.1:4566)')
    .option('--region <region>', 'region to sign requests for (default us-east-1)')
    .option('--database <db>', 'current database (QueryExecutionContext.Database)', 'default')
    .option('--workgroup <name>', 'Athena work group (default primary)')
    .option('--output-location <s3uri>', 'where results are written, s3://bucket/prefix/ (default $LAKEBOX_SQL_OUTPUT_LOCATION, else the work group\'s)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-c, --command <sql>', 'run these statements and exit (repeatable)', collect('command'))
    .option('-f, --file <path>', 'run the statements in this file ("-" for stdin) and exit (repeatable)', collect('file'))
    .addHelpText(
      'after',
      `\nStatements end with ";". Exit status: 0, or 1 at the first failing statement (-c, -f, piped stdin).
History: $LAKEBOX_SQL_HISTORY (default ~/.lakebox_sql_history; empty disables it).

Examples:
  npx lakebox sql --output-location s3://results/athena/
  npx lakebox sql --database logs --format csv -c "SELECT level, count(*) FROM events GROUP BY 1"
  echo "SHOW TABLES; SELECT 1 AS x;" | npx lakebox sql --format json
`,
    )
    .action(async (opts: SqlOptions) => {
      process.exitCode = await runSql(opts, sources, loadConfig);
    });
}

async function runSql(opts: SqlOptions, sources: readonly ScriptSource[], loadConfig: (opts: ConfigOptions) => LakeboxConfig): Promise<number> {
  const config = loadConfig({ config: opts.config, host: opts.host, port: opts.port, region: opts.region });
  const endpoint = opts.endpoint ?? endpointOf(config);
  // Lakebox supports Node 20; the SDK's "will require Node 22 in 2027" warning would only clutter stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new AthenaClient({
    endpoint,
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 2,
  });
  const runner = new AthenaRunner(athenaApi(client), { endpoint });
  const interactive = sources.length === 0 && process.stdin.isTTY === true;
  const outputLocation = opts.outputLocation ?? (process.env.LAKEBOX_SQL_OUTPUT_LOCATION || undefined);
  const session = new SqlSession(
    runner,
    { database: opts.database.toLowerCase(), workGroup: opts.workgroup, outputLocation, format: opts.format, timing: interactive },
    {
      stdout: process.stdout,
      stderr: process.stderr,
      interactive,
      progress: process.stderr.isTTY === true,
      columns: () => (process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined),
    },
  );
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    if (interactive) {
      // Prompts go to the terminal even when results are redirected to a file.
      const output = process.stdout.isTTY === true ? process.stdout : process.stderr;
      return await runRepl(session, { input: process.stdin, output, historyFile: historyPath(process.env) });
    }
    if (sources.length > 0) {
      let texts: string[];
      try {
        texts = sources.map(readSource);
      } catch (err) {
        process.stderr.write(`lakebox sql: ${(err as Error).message}\n`);
        return 1;
      }
      return await runScript(session, texts.map((t) => `${t}\n`));
    }
    return await runScript(session, streamLines(process.stdin));
  } finally {
    client.destroy();
  }
}
