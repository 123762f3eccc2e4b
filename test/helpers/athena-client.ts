/** Shared Athena test helpers: start a query, wait for a final state, and read every result page. */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type QueryExecution,
  type Row,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { TableInput } from '@aws-sdk/client-glue';

export async function waitForQuery(athena: AthenaClient, id: string, timeoutMs = 30_000): Promise<QueryExecution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const qe = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
    if (!['QUEUED', 'RUNNING'].includes(qe.Status!.State!)) return qe;
    if (Date.now() > deadline) throw new Error(`query ${id} still ${qe.Status!.State}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs `sql` to completion; `rows` holds every result row (header row first for SELECT) when it SUCCEEDED. */
export async function runQuery(athena: AthenaClient, input: StartQueryExecutionCommandInput): Promise<{ qe: QueryExecution; rows: (string | undefined)[][] }> {
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand(input));
  const qe = await waitForQuery(athena, QueryExecutionId!);
  if (qe.Status!.State !== 'SUCCEEDED') return { qe, rows: [] };
  const rows: Row[] = [];
  let token: string | undefined;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId, NextToken: token }));
    rows.push(...(page.ResultSet!.Rows ?? []));
    token = page.NextToken;
  } while (token);
  return { qe, rows: rows.map((r) => (r.Data ?? []).map((d) => d.VarCharValue)) };
}

/** A Glue TableInput for an unpartitioned Parquet table, as Athena's DDL would store it. */
export function parquetTableInput(name: string, location: string, columns: readonly { Name: string; Type: string }[]): TableInput {
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    PartitionKeys: [],
    StorageDescriptor: {
      Location: location,
      Columns: [...columns],
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}
