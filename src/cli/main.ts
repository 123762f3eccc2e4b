/** The `lakebox` command line: server, env, firehose, sql, version. */
import { Command, Option } from 'commander';
import {
  configFromEnv,
  configFromFile,
  ConfigError,
  ENV_VARS,
  resolveConfig,
  SETTING_DOCS,
  type ConfigInput,
  type LakeboxConfig,
} from '../config/config.js';
import { ConfigRefusedError, LakeboxServer } from '../server/lakebox-server.js';
import { VERSION } from '../version.js';
import { AdminCallError, adminCall } from './admin-client.js';
import { registerSqlCommand } from './sql/sql-command.js';

interface CommonOptions {
  config?: string;
  host?: string;
  port?: string;
  dataDir?: string;
  region?: string;
}

function loadConfig(opts: CommonOptions, extra: ConfigInput = {}): LakeboxConfig {
  const cwd = process.cwd();
  const env = configFromEnv(process.env);
  const file = configFromFile(opts.config ?? process.env.LAKEBOX_CONFIG, cwd);
  const flags: ConfigInput = { host: opts.host, port: opts.port, dataDir: opts.dataDir, region: opts.region, ...extra };
  return resolveConfig([file, env, flags], cwd);
}

function envHelp(): string {
  const rows: [string, string, string][] = (Object.entries(ENV_VARS) as [keyof ConfigInput, string][]).map(([key, name]) => [name, key, SETTING_DOCS[key]]);
  rows.push(['LAKEBOX_CONFIG', '-', 'path of the JSON config file (default ./lakebox.config.json if present)']);
  const width = Math.max(...rows.map(([n]) => n.length));
  const lines = rows.map(([name, key, doc]) => `  ${name.padEnd(width)}  ${doc}${key === '-' ? '' : ` [config key: ${key}]`}`);
  return `\nEnvironment variables (flags win over them; they win over the config file):\n${lines.join('\n')}\n\nExamples:\n  npx lakebox server                                  # 127.0.0.1:4566, data in ./.lakebox\n  LAKEBOX_ACCESS_KEY_ID=k LAKEBOX_SECRET_ACCESS_KEY=s npx lakebox server --host 0.0.0.0\n  eval "$(npx lakebox env)" && aws s3 ls\n`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command();
  program
    .name('lakebox')
    .description('The AWS serverless data lake (S3, Firehose, Glue, Athena) as one self-hosted server.')
    .version(VERSION, '-v, --version', 'print the version')
    .showHelpAfterError();

  const common = (cmd: Command): Command =>
    cmd
      .option('-c, --config <file>', 'JSON config file (default ./lakebox.config.json)')
      .option('--host <host>', 'address to listen on / connect to (default 127.0.0.1)')
      .option('-p, --port <port>', 'port (default 4566)')
      .option('-d, --data-dir <dir>', 'where data and metadata live (default ./.lakebox)')
      .option('--region <region>', 'default region (default us-east-1)');

  common(program.command('server'))
    .description('start the server on embedded defaults: objects on local disk, metadata in SQLite')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .addOption(new Option('--storage <kind>', 'object storage backend').choices(['fs', 's3']))
    .option('--no-fsync', 'do not fsync writes before acknowledging them (faster, not crash-safe on power loss)')
    .addHelpText('after', envHelp())
    .action(async (opts: CommonOptions & { logLevel?: string; storage?: string; fsync?: boolean }) => {
      const config = loadConfig(opts, {
        logLevel: opts.logLevel,
        storage: opts.storage,
        fsync: opts.fsync === false ? false : undefined,
      });
      const server = new LakeboxServer(config);
      const address = await server.start();
      process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://${address.address}:${address.port}` })}\n`);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, 'shutting down');
        server.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });

  common(program.command('env'))
    .description('print `export AWS_…` lines that point the AWS CLI, boto3 and the SDKs at Lakebox: eval "$(npx lakebox env)"')
    .action((opts: CommonOptions) => {
      const config = loadConfig(opts);
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      const hostPart = host.includes(':') ? `[${host}]` : host;
      const vars: [string, string][] = [
        ['AWS_ENDPOINT_URL', `http://${hostPart}:${config.port}`],
        ['AWS_ACCESS_KEY_ID', config.accessKeyId],
        ['AWS_SECRET_ACCESS_KEY', config.secretAccessKey],
        ['AWS_DEFAULT_REGION', config.region],
        ['AWS_REGION', config.region],
      ];
      for (const [k, v] of vars) process.stdout.write(`export ${k}=${shellQuote(v)}\n`);
    });

  const firehose = program.command('firehose').description('operate Firehose delivery streams');
  common(firehose.command('flush'))
    .argument('[stream]', 'delivery stream name (default: every stream)')
    .description('deliver buffered records now instead of waiting for the buffering hints')
    .action(async (stream: string | undefined, opts: CommonOptions) => {
      const config = loadConfig(opts);
      const result = await adminCall(config, 'POST', '/_lakebox/firehose/flush', stream === undefined ? {} : { stream });
      process.stdout.write(`${result}\n`);
    });

  registerSqlCommand(program, loadConfig);

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`${VERSION}\n`);
    });

  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ConfigRefusedError || err instanceof AdminCallError) {
      process.stderr.write(`lakebox: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
