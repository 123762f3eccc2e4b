/** The intake log's batch frame (a header: magic, length, CRC, id, version, arrival, counts; the stream name; length-prefixed records), written and read back. */
import { readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A record still in its wire form: base64 text and its decoded length; decoded straight into the log buffer. */
export class Base64Record {
  constructor(
    readonly base64: string,
    readonly length: number,
  ) {}
}

/** A record's bytes, or its base64 text (the PutRecordBatch path, which then allocates no buffer per record). */
export type RecordData = Uint8Array | Base64Record;

/** A Base64Record whose text is not valid base64 (characters outside the alphabet). */
export class InvalidRecordData extends Error {
  constructor(readonly index: number) {
    super(`record ${index} is not valid base64`);
  }
}

export const MAGIC = 0x4c4b4631; // "LKF1"
/** magic u32 | payload length u32 | crc32 of payload u32 | id f64 | version u32 | arrival f64 | records u32 | name length u16 */
export const HEADER = 4 + 4 + 4 + 8 + 4 + 8 + 4 + 2;

/** Records framed as `u32 length | bytes` each, back to buffers (views into `data`). */
export function unframe(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < data.length) {
    const len = data.readUInt32BE(off);
    off += 4;
    out.push(data.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** One contiguous buffer per batch (header, stream name, length-prefixed records): one copy, one CRC, one iovec. */
export function encodeBatch(
  stream: string,
  id: number,
  version: number,
  arrival: number,
  records: readonly RecordData[],
): { buffer: Buffer; nameLength: number; bytes: number } {
  const nameLength = Buffer.byteLength(stream, 'utf8');
  let bytes = 0;
  for (const r of records) bytes += r.length;
  const payloadLength = nameLength + 4 * records.length + bytes;
  const buffer = Buffer.allocUnsafe(HEADER + payloadLength);
  buffer.write(stream, HEADER, 'utf8');
  let off = HEADER + nameLength;
  for (const [i, r] of records.entries()) {
    buffer.writeUInt32BE(r.length, off);
    if (r instanceof Base64Record) {
      // Node's decoder skips characters outside the alphabet, so bad input shows up as a short write.
      if (r.length > 0 && buffer.write(r.base64, off + 4, r.length, 'base64') !== r.length) throw new InvalidRecordData(i);
    } else buffer.set(r, off + 4);
    off += 4 + r.length;
  }
  buffer.writeUInt32BE(MAGIC, 0);
  buffer.writeUInt32BE(payloadLength, 4);
  buffer.writeUInt32BE(crc32(buffer.subarray(HEADER)) >>> 0, 8);
  buffer.writeDoubleBE(id, 12);
  buffer.writeUInt32BE(version, 20);
  buffer.writeDoubleBE(arrival, 24);
  buffer.writeUInt32BE(records.length, 32);
  buffer.writeUInt16BE(nameLength, 36);
  return { buffer, nameLength, bytes };
}

/** A frame's header fields, as read back. `length` is the payload's (stream name + framed records). */
export interface FrameHeader {
  readonly id: number;
  readonly version: number;
  readonly arrival: number;
  readonly records: number;
  readonly nameLength: number;
  readonly length: number;
}

/** The frame at `pos` of a segment file, or undefined when there is none whole (bad magic, short read, CRC, other stream). */
export function readFrame(fd: number, pos: number, stream: string): FrameHeader | undefined {
  const header = Buffer.alloc(HEADER);
  if (readSync(fd, header, 0, HEADER, pos) < HEADER || header.readUInt32BE(0) !== MAGIC) return undefined;
  const length = header.readUInt32BE(4);
  const payload = Buffer.allocUnsafe(length);
  if (readSync(fd, payload, 0, length, pos + HEADER) < length || crc32(payload) !== header.readUInt32BE(8)) return undefined;
  const nameLength = header.readUInt16BE(36);
  if (payload.toString('utf8', 0, nameLength) !== stream) return undefined;
  return { id: header.readDoubleBE(12), version: header.readUInt32BE(20), arrival: header.readDoubleBE(24), records: header.readUInt32BE(32), nameLength, length };
}
