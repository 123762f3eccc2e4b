/**
 * Readers of the two snappy stream framings found in S3: Hadoop's BlockCompressorStream (Firehose HADOOP_SNAPPY,
 * Hadoop/Spark `SnappyCodec`, what Athena reads) and xerial snappy-java's stream format (Firehose `Snappy`).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { uncompressSync } from 'snappy';

export type SnappyFraming = 'hadoop' | 'snappy-java';

/** xerial snappy-java stream header: magic `0x82 "SNAPPY" 0x00`, then version and compatible version (8 bytes). */
const SNAPPY_JAVA_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const SNAPPY_JAVA_HEADER = 16;
/** Hadoop never writes blocks this large (its buffer is 256 KiB by default); larger lengths mean another format. */
const MAX_BLOCK = 256 * 1024 * 1024;

export class SnappyFormatError extends Error {
  override readonly name = 'SnappyFormatError';
}

/** Which framing `head` (the first bytes of a stream, ≥ 8) starts, if either. */
export function snappyFraming(head: Uint8Array): SnappyFraming | undefined {
  if (head.length >= 8 && SNAPPY_JAVA_MAGIC.equals(head.subarray(0, 8))) return 'snappy-java';
  if (head.length < 8) return undefined;
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const raw = view.readUInt32BE(0);
  const chunk = view.readUInt32BE(4);
  // A block's first chunk: compressed bytes are at most raw + raw/6 + 32 (snappy's bound), and a non-empty block has one.
  if (raw === 0 || raw > MAX_BLOCK || chunk === 0 || chunk > raw + Math.ceil(raw / 6) + 32) return undefined;
  return 'hadoop';
}

/** A Transform that decodes either framing (found from the first bytes) into the raw bytes. */
export class SnappyDecoder extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  #framing: SnappyFraming | undefined;
  /** Hadoop: raw bytes the current block still owes (0 between blocks). */
  #blockLeft = 0;
  /** Pieces received but not yet joined to `#pending`, and their size. */
  #waiting: Buffer[] = [];
  #waitingBytes = 0;
  /** Bytes `#pending` must hold before the next frame can be decoded. */
  #need = 8;
  /** snappy-java: whether the 16-byte stream header was consumed. */
  #headerSeen = false;

  /** The framing is detected from the first 8 bytes; one not in `accept` is refused with a SnappyFormatError. */
  constructor(private readonly accept: readonly SnappyFraming[] = ['hadoop', 'snappy-java']) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#waiting.push(chunk);
    this.#waitingBytes += chunk.length;
    // Pieces are joined only once the next frame is complete (joining every small piece would be quadratic).
    if (this.#pending.length + this.#waitingBytes < this.#need) {
      done();
      return;
    }
    this.#pending = Buffer.concat([this.#pending, ...this.#waiting]);
    this.#waiting = [];
    this.#waitingBytes = 0;
    try {
      this.#drain();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.#pending = Buffer.concat([this.#pending, ...this.#waiting]);
    this.#waiting = [];
    try {
      this.#drain();
      if (this.#pending.length > 0 || this.#blockLeft > 0) throw new SnappyFormatError('snappy stream ends inside a block');
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  #drain(): void {
    if (this.#framing === undefined) {
      if (this.#pending.length < 8) return;
      this.#framing = snappyFraming(this.#pending);
      if (this.#framing === undefined) throw new SnappyFormatError('not a snappy stream (neither Hadoop block framing nor snappy-java)');
      if (!this.accept.includes(this.#framing)) {
        throw new SnappyFormatError(
          this.#framing === 'snappy-java'
            ? "the data is in snappy-java's stream format (Firehose's Snappy compression), which Hadoop's SnappyCodec cannot read; deliver with HADOOP_SNAPPY for Athena"
            : "the data is in Hadoop's snappy block framing, not snappy-java's stream format",
        );
      }
    }
    if (this.#framing === 'snappy-java') this.#drainSnappyJava();
    else this.#drainHadoop();
  }

  /** Header once, then `[u32 length][snappy block]…`. */
  #drainSnappyJava(): void {
    let at = 0;
    const buf = this.#pending;
    this.#need = 4;
    if (!this.#headerSeen) {
      this.#need = SNAPPY_JAVA_HEADER;
      if (buf.length < SNAPPY_JAVA_HEADER) return;
      at = SNAPPY_JAVA_HEADER;
      this.#headerSeen = true;
      this.#need = 4;
    }
    while (buf.length - at >= 4) {
      const size = buf.readUInt32BE(at);
      if (size > MAX_BLOCK) throw new SnappyFormatError(`snappy-java block of ${size} bytes`);
      if (buf.length - at - 4 < size) {
        this.#need = 4 + size;
        break;
      }
      this.push(uncompress(buf.subarray(at + 4, at + 4 + size)));
      at += 4 + size;
      this.#need = 4;
    }
    this.#pending = buf.subarray(at);
  }

  /** Per block: `[u32 raw length]`, then `[u32 compressed length][snappy chunk]…` until the raw length is produced. */
  #drainHadoop(): void {
    let at = 0;
    const buf = this.#pending;
    this.#need = 4;
    for (;;) {
      if (this.#blockLeft === 0) {
        if (buf.length - at < 4) break;
        const raw = buf.readUInt32BE(at);
        if (raw > MAX_BLOCK) throw new SnappyFormatError(`Hadoop snappy block of ${raw} bytes`);
        at += 4;
        this.#blockLeft = raw;
        continue;
      }
      if (buf.length - at < 4) break;
      const size = buf.readUInt32BE(at);
      if (size > MAX_BLOCK) throw new SnappyFormatError(`Hadoop snappy chunk of ${size} bytes`);
      if (buf.length - at - 4 < size) {
        this.#need = 4 + size;
        break;
      }
      const out = uncompress(buf.subarray(at + 4, at + 4 + size));
      if (out.length > this.#blockLeft) throw new SnappyFormatError('Hadoop snappy chunk overruns its block');
      this.#blockLeft -= out.length;
      this.push(out);
      at += 4 + size;
      this.#need = 4;
    }
    this.#pending = buf.subarray(at);
  }
}

function uncompress(block: Buffer): Buffer {
  try {
    return uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new SnappyFormatError(`corrupt snappy block: ${(err as Error).message}`);
  }
}
