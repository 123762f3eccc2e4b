/** The Glue Data Catalog through @aws-sdk/client-glue against the real server: databases, tables, versions, partitions with expressions, errors, restart persistence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchDeleteTableCommand,
  BatchGetPartitionCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeletePartitionCommand,
  DeleteTableVersionCommand,
  GetDatabaseCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GetTableVersionCommand,
  GetTableVersionsCommand,
  GlueClient,
  paginateGetDatabases,
  paginateGetPartitions,
  paginateGetTables,
  SearchTablesCommand,
  UpdateDatabaseCommand,
  UpdatePartitionCommand,
  UpdateTableCommand,
  type Partition,
  type PartitionInput,
  type TableInput,
} from '@aws-sdk/client-glue';
import { errorName } from '../helpers/errors.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
let server: LakeboxProcess;
let glue: GlueClient;

beforeAll(async () => {
  server = await startLakebox();
  glue = new GlueClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

/** The error a call fails with: SDK name, message and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const eventsTable = (description: string): TableInput => ({
  Name: 'Events',
  Description: description,
  Owner: 'lake-team',
  TableType: 'EXTERNAL_TABLE',
  Retention: 7,
  Parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
  PartitionKeys: [
    { Name: 'Year', Type: 'int' },
    { Name: 'month', Type: 'string' },
    { Name: 'region', Type: 'string' },
  ],
  StorageDescriptor: {
    Columns: [
      { Name: 'EventId', Type: 'string', Comment: 'id' },
      { Name: 'payload', Type: 'struct<a:int,b:array<string>>' },
    ],
    Location: 's3://lake/events/',
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
    Compressed: false,
    NumberOfBuckets: -1,
    BucketColumns: [],
    SortColumns: [{ Column: 'eventid', SortOrder: 1 }],
  },
});

const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-south-1'];
/** 10 years x 12 months x 4 regions = 480 partitions. */
const ALL_VALUES: string[][] = [];
for (let y = 2015; y < 2025; y++) for (let m = 1; m <= 12; m++) for (const r of REGIONS) ALL_VALUES.push([String(y), String(m).padStart(2, '0'), r]);

const partitionInput = (values: string[]): PartitionInput => ({
  Values: values,
  Parameters: { n: values.join('|') },
  StorageDescriptor: { Columns: [{ Name: 'eventid', Type: 'string' }], Location: `s3://lake/events/year=${values[0]}/month=${values[1]}/region=${values[2]}/` },
});

async function partitions(expression?: string, extra: { MaxResults?: number; Segment?: { SegmentNumber: number; TotalSegments: number } } = {}): Promise<Partition[]> {
  const out: Partition[] = [];
  for await (const page of paginateGetPartitions({ client: glue, pageSize: extra.MaxResults ?? 1000 }, { DatabaseName: 'lake', TableName: 'events', Expression: expression, Segment: extra.Segment })) {
    out.push(...(page.Partitions ?? []));
  }
  return out;
}

const keysOf = (ps: Partition[]): string[] => ps.map((p) => p.Values!.join('/')).sort();
const expectedKeys = (pred: (year: number, month: string, region: string) => boolean): string[] =>
  ALL_VALUES.filter(([y, m, r]) => pred(Number(y), m!, r!))
    .map((v) => v.join('/'))
    .sort();

describe('Glue Data Catalog through @aws-sdk/client-glue', () => {
  it('creates, pages, updates and reads databases with names folded to lower case', async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'Lake', Description: 'the lake', LocationUri: 's3://lake/', Parameters: { owner: 'me' } } }));
    for (const n of ['db_a', 'db_b', 'db_c', 'db_d']) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: n } }));
    const got = await glue.send(new GetDatabaseCommand({ Name: 'LAKE' }));
    expect(got.Database).toMatchObject({ Name: 'lake', Description: 'the lake', LocationUri: 's3://lake/', Parameters: { owner: 'me' }, CatalogId: '000000000000' });
    expect(got.Database?.CreateTime).toBeInstanceOf(Date);
    expect(Math.abs(got.Database!.CreateTime!.getTime() - Date.now())).toBeLessThan(60_000);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateGetDatabases({ client: glue, pageSize: 2 }, {})) {
      pages++;
      names.push(...(page.DatabaseList ?? []).map((d) => d.Name!));
    }
    expect(names).toEqual(['db_a', 'db_b', 'db_c', 'db_d', 'lake']);
    expect(pages).toBe(3);
    expect(await failure(glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'LAKE' } })))).toMatchObject({ name: 'AlreadyExistsException', status: 400 });
    await glue.send(new UpdateDatabaseCommand({ Name: 'db_a', DatabaseInput: { Name: 'db_a', Description: 'changed' } }));
    expect((await glue.send(new GetDatabaseCommand({ Name: 'db_a' }))).Database?.Description).toBe('changed');
    await glue.send(new DeleteDatabaseCommand({ Name: 'db_d' }));
    expect(await failure(glue.send(new GetDatabaseCommand({ Name: 'db_d' })))).toEqual({ name: 'EntityNotFoundException', message: 'Database db_d not found.', status: 400 });
  });

  it('creates a table and returns every TableInput field with Glue additions', async () => {
    await glue.send(new CreateTableCommand({ DatabaseName: 'Lake', TableInput: eventsTable('v0') }));
    const { Table: t } = await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'EVENTS' }));
    const input = eventsTable('v0');
    expect(t).toMatchObject({
      Name: 'events',
      DatabaseName: 'lake',
      CatalogId: '000000000000',
      Description: 'v0',
      Owner: 'lake-team',
      TableType: 'EXTERNAL_TABLE',
      Retention: 7,
      Parameters: input.Parameters,
      IsRegisteredWithLakeFormation: false,
      VersionId: '0',
      PartitionKeys: [
        { Name: 'year', Type: 'int' },
        { Name: 'month', Type: 'string' },
        { Name: 'region', Type: 'string' },
      ],
    });
    expect(t?.StorageDescriptor).toMatchObject({ ...input.StorageDescriptor, Columns: [{ Name: 'eventid', Type: 'string', Comment: 'id' }, input.StorageDescriptor!.Columns![1]] });
    expect(t?.CreateTime).toBeInstanceOf(Date);
    expect(t?.UpdateTime).toBeInstanceOf(Date);
    expect(await failure(glue.send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: 'events' } })))).toMatchObject({ name: 'AlreadyExistsException', status: 400 });
  });

  it('lists tables matching a Glue name pattern, page by page', async () => {
    for (const n of ['ev_a', 'ev_b', 'ev_c', 'other']) await glue.send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: { Name: n, TableType: 'EXTERNAL_TABLE' } }));
    const names: string[] = [];
    for await (const page of paginateGetTables({ client: glue, pageSize: 2 }, { DatabaseName: 'lake', Expression: 'ev*' })) names.push(...(page.TableList ?? []).map((t) => t.Name!));
    expect(names).toEqual(['ev_a', 'ev_b', 'ev_c', 'events']);
    const alt = await glue.send(new GetTablesCommand({ DatabaseName: 'lake', Expression: 'other|ev_b' }));
    expect(alt.TableList?.map((t) => t.Name)).toEqual(['ev_b', 'other']);
    expect(alt.NextToken).toBeUndefined();
    const search = await glue.send(new SearchTablesCommand({ SearchText: 'ev_' }));
    expect(search.TableList?.map((t) => t.Name)).toEqual(['ev_a', 'ev_b', 'ev_c']);
    const del = await glue.send(new BatchDeleteTableCommand({ DatabaseName: 'lake', TablesToDelete: ['ev_a', 'missing'] }));
    expect(del.Errors).toEqual([{ TableName: 'missing', ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Table missing not found.' } }]);
  });

  it('creates a new table version on UpdateTable and serves older versions', async () => {
    await glue.send(new UpdateTableCommand({ DatabaseName: 'lake', TableInput: eventsTable('v1') }));
    await glue.send(new UpdateTableCommand({ DatabaseName: 'lake', TableInput: eventsTable('v2'), VersionId: '1' }));
    const current = (await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'events' }))).Table!;
    expect([current.VersionId, current.Description]).toEqual(['2', 'v2']);
    const versions = await glue.send(new GetTableVersionsCommand({ DatabaseName: 'lake', TableName: 'events' }));
    expect(versions.TableVersions?.map((v) => [v.VersionId, v.Table?.Description])).toEqual([
      ['0', 'v0'],
      ['1', 'v1'],
      ['2', 'v2'],
    ]);
    const v0 = await glue.send(new GetTableVersionCommand({ DatabaseName: 'lake', TableName: 'events', VersionId: '0' }));
    expect(v0.TableVersion?.Table?.Description).toBe('v0');
    await glue.send(new DeleteTableVersionCommand({ DatabaseName: 'lake', TableName: 'events', VersionId: '1' }));
    expect((await failure(glue.send(new GetTableVersionCommand({ DatabaseName: 'lake', TableName: 'events', VersionId: '1' })))).name).toBe('EntityNotFoundException');
    expect((await failure(glue.send(new UpdateTableCommand({ DatabaseName: 'lake', TableInput: eventsTable('v3'), VersionId: '1' })))).name).toBe('ConcurrentModificationException');
  });

  it('creates hundreds of partitions in batches and reports per-entry errors', async () => {
    for (let i = 0; i < ALL_VALUES.length; i += 100) {
      const out = await glue.send(new BatchCreatePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionInputList: ALL_VALUES.slice(i, i + 100).map(partitionInput) }));
      expect(out.Errors).toEqual([]);
    }
    const dup = await glue.send(
      new BatchCreatePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionInputList: [partitionInput(['2015', '01', 'eu-west-1']), { Values: ['1'] }] }),
    );
    expect(dup.Errors?.map((e) => [e.PartitionValues, e.ErrorDetail?.ErrorCode])).toEqual([
      [['2015', '01', 'eu-west-1'], 'AlreadyExistsException'],
      [['1'], 'InvalidInputException'],
    ]);
    expect(await failure(glue.send(new CreatePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionInput: partitionInput(ALL_VALUES[5]!) })))).toMatchObject({
      name: 'AlreadyExistsException',
    });
    const got = (await glue.send(new GetPartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionValues: ['2020', '06', 'us-west-2'] }))).Partition!;
    expect(got).toMatchObject({ ...partitionInput(['2020', '06', 'us-west-2']), DatabaseName: 'lake', TableName: 'events', CatalogId: '000000000000' });
    expect(got.CreationTime).toBeInstanceOf(Date);
  });

  it('filters partitions with typed expressions exactly like an independent filter', async () => {
    const cases: [string, (y: number, m: string, r: string) => boolean][] = [
      ["year = 2020 AND month = '06'", (y, m) => y === 2020 && m === '06'],
      ['year > 2022 OR year < 2016', (y) => y > 2022 || y < 2016],
      ["year BETWEEN 2017 AND 2019 AND region LIKE 'us-%'", (y, _m, r) => y >= 2017 && y <= 2019 && r.startsWith('us-')],
      ["month IN ('01', '12') AND NOT region = 'eu-west-1'", (_y, m, r) => (m === '01' || m === '12') && r !== 'eu-west-1'],
      ["(year >= 2023 OR month >= '11') AND region <> 'ap-south-1' AND year <= 2023", (y, m, r) => (y >= 2023 || m >= '11') && r !== 'ap-south-1' && y <= 2023],
      ['year > 999', () => true],
      ["region = 'nowhere'", () => false],
    ];
    for (const [expression, pred] of cases) expect(keysOf(await partitions(expression, { MaxResults: 37 })), expression).toEqual(expectedKeys(pred));
    expect(keysOf(await partitions(undefined, { MaxResults: 100 }))).toEqual(expectedKeys(() => true));
    const segments = await Promise.all([0, 1, 2, 3].map((n) => partitions('year >= 2020', { Segment: { SegmentNumber: n, TotalSegments: 4 } })));
    expect(segments.every((s) => s.length > 0)).toBe(true);
    expect(keysOf(segments.flat())).toEqual(expectedKeys((y) => y >= 2020));
    const bad = await failure(glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'events', Expression: "year = '2020" })));
    expect([bad.name, bad.status]).toEqual(['InvalidInputException', 400]);
    expect((await failure(glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'events', Expression: "nokey = '1'" })))).name).toBe('InvalidInputException');
  });

  it('gets, updates and deletes partitions singly and in batches', async () => {
    const got = await glue.send(
      new BatchGetPartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionsToGet: [{ Values: ['2016', '02', 'us-east-1'] }, { Values: ['1999', '01', 'x'] }] }),
    );
    expect([got.Partitions?.map((p) => p.Values), got.UnprocessedKeys]).toEqual([[['2016', '02', 'us-east-1']], []]);
    await glue.send(
      new UpdatePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionValueList: ['2016', '02', 'us-east-1'], PartitionInput: { ...partitionInput(['2016', '02', 'us-east-1']), Parameters: { updated: 'yes' } } }),
    );
    const updated = await glue.send(new GetPartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionValues: ['2016', '02', 'us-east-1'] }));
    expect(updated.Partition?.Parameters).toEqual({ updated: 'yes' });
    await glue.send(new DeletePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionValues: ['2016', '02', 'us-east-1'] }));
    const missing = await failure(glue.send(new GetPartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionValues: ['2016', '02', 'us-east-1'] })));
    expect([missing.name, missing.status]).toEqual(['EntityNotFoundException', 400]);
    const del = await glue.send(
      new BatchDeletePartitionCommand({ DatabaseName: 'lake', TableName: 'events', PartitionsToDelete: [{ Values: ['2016', '03', 'us-east-1'] }, { Values: ['2016', '02', 'us-east-1'] }] }),
    );
    expect(del.Errors?.map((e) => [e.PartitionValues, e.ErrorDetail?.ErrorCode])).toEqual([[['2016', '02', 'us-east-1'], 'EntityNotFoundException']]);
    expect((await partitions("year = 2016 AND region = 'us-east-1' AND month IN ('02', '03')")).length).toBe(0);
  });

  it('answers missing entities with AWS codes and messages', async () => {
    expect(await failure(glue.send(new CreateTableCommand({ DatabaseName: 'nope', TableInput: { Name: 't' } })))).toEqual({
      name: 'EntityNotFoundException',
      message: 'Database nope not found.',
      status: 400,
    });
    expect(await failure(glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'Nope' })))).toEqual({ name: 'EntityNotFoundException', message: 'Table nope not found.', status: 400 });
    expect(await errorName(glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'nope' })))).toBe('EntityNotFoundException');
    expect(await errorName(glue.send(new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'events', MaxResults: 5000 })))).toBe('InvalidInputException');
  });

  it('keeps everything across a restart and DeleteDatabase drops its tables and partitions', async () => {
    const before = keysOf(await partitions());
    await server.stop();
    server = await startLakebox({ dataDir: server.dataDir });
    glue = new GlueClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'events' }))).Table!;
    expect([t.VersionId, t.Description]).toEqual(['2', 'v2']);
    expect(keysOf(await partitions())).toEqual(before);
    await glue.send(new DeleteDatabaseCommand({ Name: 'lake' }));
    expect((await failure(glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'events' })))).message).toBe('Database lake not found.');
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    expect((await glue.send(new GetTablesCommand({ DatabaseName: 'lake' }))).TableList).toEqual([]);
    await glue.send(new CreateTableCommand({ DatabaseName: 'lake', TableInput: eventsTable('again') }));
    expect(await partitions()).toEqual([]);
  });
});
