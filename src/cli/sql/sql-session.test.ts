/** Unit tests of the session and script loop: meta-commands, USE, output formats, errors and exit statuses (fake Athena API). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GetQueryResultsOutput, StartQueryExecutionInput } from '@aws-sdk/client-athena';
import { AthenaRunner, type AthenaApi } from './athena-runner.js';
import { SqlSession, type SessionSettings } from './sql-session.js';
import { runScript } from './sql-shell.js';

/** Answers every statement at once: `SELECT …` → one row (x=1, y=NULL), `SHOW TABLES` → t1, anything containing `bad` → FAILED. */
class ScriptedAthena implements AthenaApi {
  readonly started: StartQueryExecutionInput[] = [];

  async startQueryExecution(input: StartQueryExecutionInput) {
    this.started.push(input);
    return { QueryExecutionId: String(this.started.length) };
  }

  async getQueryExecution(input: { QueryExecutionId?: string | undefined }) {
    const q = this.started[Number(input.QueryExecutionId) - 1]!.QueryString!;
    const failed = q.includes('bad');
    const show = /^(SHOW|DESCRIBE)/i.test(q);
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        StatementType: show ? 'UTILITY' : /^CREATE/i.test(q) ? 'DDL' : 'DML',
        Status: { State: failed ? 'FAILED' : 'SUCCEEDED', StateChangeReason: failed ? "COLUMN_NOT_FOUND: line 1:8: Column 'bad' cannot be resolved" : undefined },
        Statistics: { TotalExecutionTimeInMillis: 84, DataScannedInBytes: 1258291 },
      },
    } as const;
  }

  async getQueryResults(input: { QueryExecutionId?: string | undefined }): Promise<GetQueryResultsOutput> {
    const q = this.started[Number(input.QueryExecutionId) - 1]!.QueryString!;
    if (/^(SHOW|DESCRIBE)/i.test(q)) return { ResultSet: { Rows: [{ Data: [{ VarCharValue: 't1' }] }], ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] } } };
    if (/^CREATE/i.test(q)) return { ResultSet: { Rows: [] } };
    return {
      ResultSet: {
        Rows: [{ Data: [{ VarCharValue: 'x' }, { VarCharValue: 'y' }] }, { Data: [{ VarCharValue: '1' }, {}] }],
        ResultSetMetadata: { ColumnInfo: [{ Name: 'x', Type: 'integer' }, { Name: 'y', Type: 'varchar' }] },
      },
    };
  }

  async stopQueryExecution() {
    return {};
  }
}

function setup(settings: Partial<SessionSettings> = {}, interactive = false) {
  const api = new ScriptedAthena();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const session = new SqlSession(
    new AthenaRunner(api, { sleep: async () => undefined }),
    { database: 'default', workGroup: undefined, outputLocation: 's3://out/', format: 'table', timing: false, ...settings },
    { stdout, stderr, interactive, progress: false, columns: () => undefined },
  );
  return { api, session, out: () => out, err: () => err };
}

describe('SqlSession + runScript', () => {
  it('prints a table with a row count, and the timing line when timing is on', async () => {
    const s = setup();
    expect(await runScript(s.session, ['SELECT 1 AS x, NULL AS y;\n\\timing\nSELECT 1 AS x, NULL AS y;'])).toBe(0);
    expect(s.out()).toBe(' x | y\n---+------\n 1 | NULL\n(1 row)\n x | y\n---+------\n 1 | NULL\n(1 row, 0.084 s, 1.2 MB scanned)\n');
    expect(s.err()).toBe('Timing is on.\n');
  });

  it('switches database with \\c and USE, and runs \\d as SHOW TABLES / DESCRIBE in that database', async () => {
    const s = setup({ format: 'csv' });
    expect(await runScript(s.session, ['\\c Logs\n\\d\nUSE "other";\n\\d events\n'])).toBe(0);
    expect(s.api.started.map((q) => [q.QueryString, q.QueryExecutionContext?.Database, q.ResultConfiguration?.OutputLocation])).toEqual([
      ['SHOW TABLES', 'logs', 's3://out/'],
      ['DESCRIBE events', 'other', 's3://out/'],
    ]);
    expect(s.out()).toBe('tab_name\nt1\ntab_name\nt1\n');
  });

  it('stops at the first failure with status 1 and prints Athena’s message to stderr', async () => {
    const s = setup({ format: 'json' });
    expect(await runScript(s.session, ['SELECT 1; SELECT bad; SELECT 2;'])).toBe(1);
    expect(s.api.started).toHaveLength(2);
    expect(s.out()).toBe('{"x":1,"y":null}\n');
    expect(s.err()).toBe("FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'bad' cannot be resolved\n");
  });

  it('fails on an unknown meta-command, stops at \\q, and prints OK for DDL', async () => {
    const a = setup();
    expect(await runScript(a.session, ['\\nope\nSELECT 1;'])).toBe(1);
    expect(a.err()).toMatch(/invalid command \\nope/);
    const b = setup();
    expect(await runScript(b.session, ['CREATE DATABASE d;\n\\q\nSELECT 1;'])).toBe(0);
    expect(b.api.started).toHaveLength(1);
    expect(b.out()).toBe('OK\n');
  });

  it('switches the output format with \\format', async () => {
    const s = setup();
    expect(await runScript(s.session, ['\\format tsv\nSELECT 1;\n\\format xml\n'])).toBe(1);
    expect(s.out()).toBe('x\ty\n1\t\n');
    expect(s.err()).toMatch(/unknown format "xml"/);
  });
});
