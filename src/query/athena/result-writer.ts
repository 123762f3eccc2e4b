/** Writes Athena result objects through the S3 object layer: `<id>.csv` + `<id>.csv.metadata` (DML), `<id>.txt` (+ `.txt.metadata`) for UTILITY/DDL. */
import { Readable } from 'node:stream';
import type { ObjectService } from '../../storage/object-service.js';
import { WholeBody } from '../../storage/whole-body.js';
import type { ColumnInfo } from './model.js';

/** `s3://bucket/prefix/` → bucket and key prefix (ending in `/` unless empty). */
export function parseOutputLocation(location: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location);
  if (!m || m[1] === undefined || m[1] === '') return undefined;
  const rest = m[2] ?? '';
  return { bucket: m[1], prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function field(no: number, value: string | number | Buffer): Buffer {
  if (typeof value === 'number') return Buffer.concat([varint((no << 3) | 0), varint(value)]);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
}

const NULLABLE_CODE = { NOT_NULL: 0, NULLABLE: 1, UNKNOWN: 3 } as const;

/** The `.metadata` companion (protobuf as Athena JDBC reads it, docs §B): query id, update type and count (writes), then one message per column; zero values omitted. */
export function metadataFile(queryId: string, columns: readonly ColumnInfo[], update?: { type: string; count: number }): Buffer {
  const parts: Buffer[] = [field(1, queryId)];
  if (update) parts.push(field(2, update.type), ...(update.count > 0 ? [field(3, update.count)] : []));
  for (const c of columns) {
    const sub: Buffer[] = [];
    if (c.CatalogName) sub.push(field(1, c.CatalogName));
    if (c.SchemaName) sub.push(field(2, c.SchemaName));
    if (c.TableName) sub.push(field(3, c.TableName));
    sub.push(field(4, c.Name), field(5, c.Label), field(6, c.Type));
    if (c.Precision) sub.push(field(7, c.Precision));
    if (c.Scale) sub.push(field(8, c.Scale));
    sub.push(field(9, NULLABLE_CODE[c.Nullable]));
    if (c.CaseSensitive) sub.push(field(10, 1));
    parts.push(field(4, Buffer.concat(sub)));
  }
  return Buffer.concat(parts);
}

export class ResultWriter {
  constructor(private readonly objects: ObjectService) {}

  async put(bucket: string, key: string, body: Readable | Buffer | string, size?: number): Promise<void> {
    // A body in memory goes as a WholeBody: the store takes its bytes and digests them in one call each.
    const stream = body instanceof Readable ? body : WholeBody.of(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
    await this.objects.putObject({
      bucket,
      key,
      body: stream,
      headers: { contentType: 'application/octet-stream' },
      userMetadata: {},
      tags: [],
      integrity: size === undefined ? {} : { expectedSize: size },
      conditions: {},
    });
  }
}
