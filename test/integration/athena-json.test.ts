/** Athena over OpenX / Hive JSON-lines tables through @aws-sdk/client-athena: mixed key spellings, mappings, malformed and irregular lines, repeated keys, answers checked against a JavaScript model of the SerDe, on the first (census) and later (cached) queries. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runQuery } from '../helpers/athena-client.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
let server: LakeboxProcess;
let athena: AthenaClient;
let s3: S3Client;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const REGIONS = ['eu', 'us', 'ap'];
const rec = (i: number, spell: (k: string) => string, extra: Record<string, Json> = {}): string =>
  JSON.stringify({ [spell('userid')]: 1000 + i, [spell('amount')]: Math.round(((i * 37) % 1000) * 1.25) / 100, [spell('region')]: REGIONS[i % 3]!, [spell('tags')]: ['t', `x${i % 4}`].slice(0, (i % 3) + 1), ...extra });

/** Object key → file text (gzipped when the key ends in .gz); keys spelled differently per file, some files irregular. */
const TEXTS: Record<string, string> = {
  'json/dt=2024-05-01/a.gz': Array.from({ length: 40 }, (_, i) => rec(i, (k) => k[0]!.toUpperCase() + k.slice(1))).join('\n') + '\n',
  'json/dt=2024-05-01/b.json': Array.from({ length: 25 }, (_, i) => rec(100 + i, (k) => (k === 'amount' ? 'AMOUNT' : k))).join('\r\n') + '\r\n',
  'json/dt=2024-05-02/c.gz': [...Array.from({ length: 30 }, (_, i) => rec(200 + i, (k) => (i % 2 === 0 ? k.toUpperCase() : k))), '{"UserID": 1, "Amount": 3.5}'].join('\n') + '\n',
  'json/dt=2024-05-03/d.gz': [rec(300, (k) => k), '{oops', '[1,2]', '42', '', '   ', '\t', rec(301, (k) => k), '{"userid": 7, "amount": 1.5}\r{"userid": 8, "amount": 2.5}', '{"userid": 9,\r"amount": 3}', rec(302, (k) => k)].join('\n'),
  'json/dt=2024-05-03/e.json': ['{"userid": "33", "amount": "12.5", "region": {"a": 1}}', '{"userid": 1.0, "amount": null, "region": 5, "tags": "solo"}', '{"USERID": 34, "extra": true}'].join('\n') + '\n',
  // Repeated keys (exactly, or once lower-cased) and JSON values that are not objects: malformed lines.
  'json/dt=2024-05-04/f.json': [rec(400, (k) => k), '{"userid": 401, "amount": 1.5, "userid": 402}', '{"UserId": 403, "userid": 404, "amount": 2.5}', '"text"', 'null', rec(405, (k) => k)].join('\n') + '\n',
};

/** Files outside the `events` table, each read by the tables of the last describe block. */
const OTHER: Record<string, string> = {
  'dups/exact/x.json': ['{"id": 1, "v": "a"}', '{"id": 2, "v": "b", "id": 3}', '{"id": 4, "v": "c"}'].join('\n') + '\n',
  'dups/case/x.json': ['{"id": 1, "v": "a"}', '{"Id": 2, "id": 3, "v": "b"}', '{"id": 4, "v": "c"}'].join('\n') + '\n',
  'nonobj/x.json': ['{"id": 1}', '[1,2]', '42', '"text"', 'null', '{"id": 2}'].join('\n') + '\n',
};

const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The top-level keys of a JSON object text in order, repeats included (JSON.parse keeps only the last one). */
function topKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let key = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && key) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      key = false;
      i = j;
    } else if (c === '{' || c === '[') key = ++depth === 1;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',') key = depth === 1;
  }
  return keys;
}

/** A row as the OpenX SerDe model reads it: lines split on \n, \r\n and \r; blank lines skipped; a line that is not an object or repeats a key (case-insensitively) malformed. */
interface ModelRow {
  readonly malformed: boolean;
  readonly userId: number | null;
  readonly amount: number | null;
  readonly region: string | null;
  readonly tags: number | null;
}

function model(text: string): ModelRow[] {
  const out: ModelRow[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/^[ \t\v\f]+|[ \t\v\f]+$/g, '');
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    const keys = isObj(v) ? topKeys(line).map((k) => k.toLowerCase()) : [];
    if (!isObj(v) || new Set(keys).size < keys.length) {
      out.push({ malformed: true, userId: null, amount: null, region: null, tags: null });
      continue;
    }
    const get = (key: string): Json | undefined => {
      const k = Object.keys(v).find((x) => x.toLowerCase() === key);
      return k === undefined ? undefined : v[k];
    };
    const num = (x: Json | undefined): number | null => (typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : null);
    const r = get('region');
    const t = get('tags');
    out.push({
      malformed: false,
      userId: num(get('userid')),
      amount: num(get('amount')),
      region: r === undefined || r === null ? null : typeof r === 'string' ? r : JSON.stringify(r),
      tags: Array.isArray(t) ? t.length : null,
    });
  }
  return out;
}

const FILES = Object.fromEntries(Object.entries(TEXTS).map(([k, t]) => [k, k.endsWith('.gz') ? gzipSync(t) : Buffer.from(t)]));
const MODEL: Record<string, ModelRow[]> = Object.fromEntries(Object.entries(TEXTS).map(([k, t]) => [k, model(t)]));

async function q(sql: string): Promise<(string | undefined)[][]> {
  const { qe, rows } = await runQuery(athena, { QueryString: sql, QueryExecutionContext: { Database: 'jsondb' }, ResultConfiguration: { OutputLocation: 's3://results/json/' } });
  expect(qe.Status!.State, `${sql}: ${qe.Status!.StateChangeReason}`).toBe('SUCCEEDED');
  return rows.slice(1);
}

async function failure(sql: string): Promise<string> {
  return (await failed(sql)).reason;
}

/** The StateChangeReason and AthenaError of a query that must fail. */
async function failed(sql: string): Promise<{ reason: string; category: number | undefined; type: number | undefined }> {
  const { qe } = await runQuery(athena, { QueryString: sql, QueryExecutionContext: { Database: 'jsondb' }, ResultConfiguration: { OutputLocation: 's3://results/json/' } });
  expect(qe.Status!.State, sql).toBe('FAILED');
  return { reason: qe.Status!.StateChangeReason ?? '', category: qe.Status!.AthenaError?.ErrorCategory, type: qe.Status!.AthenaError?.ErrorType };
}

beforeAll(async () => {
  server = await startLakebox();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials };
  athena = new AthenaClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  for (const [key, body] of Object.entries(FILES)) await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
  for (const [key, body] of Object.entries(OTHER)) await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
  expect((await runQuery(athena, { QueryString: 'CREATE DATABASE jsondb', ResultConfiguration: { OutputLocation: 's3://results/json/' } })).qe.Status!.State).toBe('SUCCEEDED');
  const create = async (sql: string): Promise<void> => void (await q(sql));
  await create(`CREATE EXTERNAL TABLE events (user_id bigint, amount double, region string, tags array<string>) PARTITIONED BY (dt string)
    ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('ignore.malformed.json'='true', 'mapping.user_id'='UserId')
    LOCATION 's3://lake/json/'`);
  await create('MSCK REPAIR TABLE events');
  await create(`CREATE EXTERNAL TABLE strict_events (userid bigint, amount double) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/json/dt=2024-05-01/'`);
  await create(`CREATE EXTERNAL TABLE strict_bad (userid bigint, amount double) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/json/dt=2024-05-03/'`);
  await create(`CREATE EXTERNAL TABLE hive_events (userid bigint, amount double, region string) ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe' LOCATION 's3://lake/json/dt=2024-05-02/'`);
  const openx = (name: string, columns: string, location: string, props = ''): Promise<void> =>
    create(`CREATE EXTERNAL TABLE ${name} (${columns}) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'${props === '' ? '' : ` WITH SERDEPROPERTIES (${props})`} LOCATION 's3://lake/${location}/'`);
  for (const dir of ['exact', 'case']) {
    await openx(`dup_${dir}`, 'id bigint, v string', `dups/${dir}`);
    await openx(`dup_${dir}_cs`, 'id bigint, id_upper bigint, v string', `dups/${dir}`, `'case.insensitive'='false', 'mapping.id_upper'='Id'`);
    await openx(`dup_${dir}_ignore`, 'id bigint, v string', `dups/${dir}`, `'ignore.malformed.json'='true'`);
    await create(`CREATE EXTERNAL TABLE dup_${dir}_hive (id bigint, v string) ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe' LOCATION 's3://lake/dups/${dir}/'`);
  }
  await openx('nonobj', 'id bigint', 'nonobj');
  await openx('nonobj_ignore', 'id bigint', 'nonobj', `'ignore.malformed.json'='true'`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const dtOf = (key: string): string => /dt=([^/]+)/.exec(key)![1]!;
const rowsOf = (pred: (key: string) => boolean) => Object.keys(FILES).filter(pred).flatMap((k) => MODEL[k]!);
/** A floating-point sum matcher (the engine adds in a different order). */
const close = (n: number): unknown => expect.closeTo(n, 6) as unknown;
const sum = (xs: (number | null)[]): number => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

describe('OpenX JSON tables', () => {
  it('aggregates per partition as the SerDe model does, on the first and on later queries', async () => {
    const days = [...new Set(Object.keys(FILES).map(dtOf))].sort();
    const expected = days.map((dt) => {
      const r = rowsOf((k) => dtOf(k) === dt);
      return [dt, r.length, r.filter((x) => x.userId !== null).length, sum(r.map((x) => x.userId)), sum(r.map((x) => x.amount)), r.filter((x) => x.region !== null).length, sum(r.map((x) => x.tags))];
    });
    for (let run = 0; run < 2; run++) {
      const got = await q('SELECT dt, count(*), count(user_id), sum(user_id), sum(amount), count(region), sum(cardinality(tags)) FROM events GROUP BY dt ORDER BY dt');
      expect(got.map((r) => [r[0], Number(r[1]), Number(r[2]), Number(r[3] ?? 0), Number(r[4] ?? 0), Number(r[5]), Number(r[6] ?? 0)])).toEqual(
        expected.map((e) => [e[0], e[1], e[2], e[3], close(e[4] as number), e[5], e[6]]),
      );
    }
  });

  it('reads irregular files row by row as the model does: malformed lines NULL, lone \\r splits, type conversions', async () => {
    const model = rowsOf((k) => dtOf(k) === '2024-05-03').map((r) => [r.userId === null ? undefined : String(r.userId), r.amount, r.region ?? undefined]);
    const order = (a: (string | number | null | undefined)[], b: (string | number | null | undefined)[]): number => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
    for (let run = 0; run < 2; run++) {
      const got = await q(`SELECT user_id, amount, region FROM events WHERE dt = '2024-05-03'`);
      expect(got.map((r) => [r[0], r[1] === undefined ? null : Number(r[1]), r[2]]).sort(order)).toEqual(model.sort(order));
    }
  });

  it('counts per file through "$path", and filters on a column', async () => {
    const perFile = Object.keys(FILES).sort().map((k) => [`s3://lake/${k}`, String(MODEL[k]!.length)]);
    const eu = rowsOf(() => true).filter((r) => r.region === 'eu').length;
    for (let run = 0; run < 2; run++) {
      expect(await q('SELECT "$path", count(*) FROM events GROUP BY 1 ORDER BY 1')).toEqual(perFile);
      expect(await q(`SELECT count(*) FROM events WHERE region = 'eu'`)).toEqual([[String(eu)]]);
    }
  });

  it('strict tables: clean files read, a malformed line fails the query every time', async () => {
    const r = rowsOf((k) => dtOf(k) === '2024-05-01');
    for (let run = 0; run < 2; run++) {
      const [row] = await q('SELECT count(*), sum(userid), sum(amount) FROM strict_events');
      expect([Number(row![0]), Number(row![1]), Number(row![2])]).toEqual([r.length, sum(r.map((x) => x.userId)), close(sum(r.map((x) => x.amount)))]);
      expect(await failure('SELECT userid, amount FROM strict_bad')).toMatch(/^HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: /);
    }
  });

  it('Hive JSON SerDe: keys matched case-insensitively', async () => {
    const r = rowsOf((k) => dtOf(k) === '2024-05-02');
    for (let run = 0; run < 2; run++) {
      const [row] = await q('SELECT count(*), count(userid), sum(userid), sum(amount) FROM hive_events');
      expect([Number(row![0]), Number(row![1]), Number(row![2]), Number(row![3])]).toEqual([r.length, r.filter((x) => x.userId !== null).length, sum(r.map((x) => x.userId)), close(sum(r.map((x) => x.amount)))]);
    }
    expect(await q('SELECT userid, amount FROM hive_events WHERE amount = 3.5')).toEqual([['1', '3.5']]);
  });
});

describe('lines repeating a key, and lines that are JSON but not objects', () => {
  const MALFORMED = 'HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: ';
  const HIVE_MALFORMED = 'HIVE_CURSOR_ERROR: org.apache.hadoop.hive.serde2.SerDeException: Row is not a valid JSON Object - JSONException: ';

  it('a key twice in a line fails the query with Duplicate key, reported as other malformed lines are, every time', async () => {
    const bad = await failed('SELECT userid, amount FROM strict_bad');
    for (let run = 0; run < 2; run++) {
      for (const table of ['dup_exact', 'dup_exact_cs', 'dup_case']) {
        const f = await failed(`SELECT id, v FROM ${table}`);
        expect(f.reason).toBe(`${MALFORMED}Duplicate key "id"`);
        expect([f.category, f.type]).toEqual([bad.category, bad.type]);
        expect(f.category).toBe(2);
      }
      for (const table of ['dup_exact_hive', 'dup_case_hive']) expect(await failure(`SELECT id, v FROM ${table}`)).toBe(`${HIVE_MALFORMED}Duplicate key "id"`);
      // An aggregate over the column fails too, and a key repeated without case.insensitive=false whichever column is read.
      expect(await failure('SELECT count(id) FROM dup_case')).toBe(`${MALFORMED}Duplicate key "id"`);
      expect(await failure('SELECT max(v) FROM dup_case')).toBe(`${MALFORMED}Duplicate key "id"`);
    }
  });

  it("with 'case.insensitive'='false' keys differing in case are two keys, both readable", async () => {
    for (let run = 0; run < 2; run++) {
      expect(await q('SELECT id, id_upper, v FROM dup_case_cs ORDER BY v')).toEqual([
        ['1', undefined, 'a'],
        ['3', '2', 'b'],
        ['4', undefined, 'c'],
      ]);
    }
  });

  it("with 'ignore.malformed.json'='true' such lines read as all-NULL rows", async () => {
    for (let run = 0; run < 2; run++) {
      for (const table of ['dup_exact_ignore', 'dup_case_ignore']) {
        expect(await q(`SELECT id, v FROM ${table} ORDER BY id NULLS LAST`)).toEqual([
          ['1', 'a'],
          ['4', 'c'],
          [undefined, undefined],
        ]);
      }
      expect(await q('SELECT count(*), count(id), sum(id) FROM nonobj_ignore')).toEqual([['6', '2', '3']]);
    }
  });

  it('a line that is an array, a number, a string or null fails the query', async () => {
    for (let run = 0; run < 2; run++) expect(await failure('SELECT id FROM nonobj')).toMatch(new RegExp(`^${MALFORMED}(\\[1,2\\]|42|"text"|null)$`));
  });
});
