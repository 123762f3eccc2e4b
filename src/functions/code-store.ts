/** Durable storage of function zips (atomic temp+fsync+rename) and their extraction, one directory per CodeSha256. */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { fsyncDir } from '../shared/fsync-dir.js';
import { LambdaErrors } from './errors.js';
import { LIMITS } from './model.js';

export interface StoredCode {
  /** Base64 SHA-256 of the zip (CodeSha256). */
  readonly sha256: string;
  readonly size: number;
}

/** File-system-safe id of a CodeSha256 (hex of the same digest). */
export function codeId(sha256: string): string {
  return Buffer.from(sha256, 'base64').toString('hex');
}

export class CodeStore {
  readonly #zips: string;
  readonly #extracted: string;
  readonly #extracting = new Map<string, Promise<string>>();

  constructor(
    root: string,
    private readonly fsync: boolean,
  ) {
    this.#zips = join(root, 'code');
    this.#extracted = join(root, 'extracted');
  }

  async init(): Promise<void> {
    await mkdir(this.#zips, { recursive: true });
    await mkdir(this.#extracted, { recursive: true });
    // Leftovers of interrupted writes and extractions.
    for (const dir of [this.#zips, this.#extracted]) {
      for (const name of await readdir(dir)) {
        if (name.includes('.tmp-')) await rm(join(dir, name), { recursive: true, force: true });
      }
    }
  }

  zipPath(sha256: string): string {
    return join(this.#zips, `${codeId(sha256)}.zip`);
  }

  async readZip(sha256: string): Promise<Buffer> {
    return readFile(this.zipPath(sha256));
  }

  /** Validates and extracts the zip, then stores it durably. Throws InvalidParameterValueException for bad zips. */
  async put(zip: Buffer): Promise<StoredCode> {
    const sha256 = createHash('sha256').update(zip).digest('base64');
    await this.#extractTo(zip, sha256);
    const path = this.zipPath(sha256);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(zip);
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      if (this.fsync) await fsyncDir(this.#zips);
    }
    return { sha256, size: zip.length };
  }

  /** The extracted code directory, re-extracting from the stored zip if needed (e.g. after a restart). */
  async codeDir(sha256: string): Promise<string> {
    const dir = join(this.#extracted, codeId(sha256));
    const ok = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (ok) return dir;
    return this.#extractTo(await this.readZip(sha256), sha256);
  }

  async remove(sha256: string): Promise<void> {
    const id = codeId(sha256);
    await rm(join(this.#zips, `${id}.zip`), { force: true });
    await rm(join(this.#extracted, id), { recursive: true, force: true });
  }

  /** Removes zips and directories no function references any more. */
  async collect(referenced: ReadonlySet<string>): Promise<void> {
    const keep = new Set([...referenced].map(codeId));
    for (const name of await readdir(this.#zips)) {
      if (!keep.has(name.replace(/\.zip$/, ''))) await rm(join(this.#zips, name), { force: true });
    }
    for (const name of await readdir(this.#extracted)) {
      if (!keep.has(name)) await rm(join(this.#extracted, name), { recursive: true, force: true });
    }
  }

  #extractTo(zip: Buffer, sha256: string): Promise<string> {
    const id = codeId(sha256);
    let pending = this.#extracting.get(id);
    if (pending === undefined) {
      pending = this.#extract(zip, id).finally(() => this.#extracting.delete(id));
      this.#extracting.set(id, pending);
    }
    return pending;
  }

  async #extract(zip: Buffer, id: string): Promise<string> {
    const final = join(this.#extracted, id);
    if (await stat(final).then(() => true, () => false)) return final;
    const tmp = `${final}.tmp-${randomBytes(6).toString('hex')}`;
    await mkdir(tmp, { recursive: true });
    try {
      await unzipInto(zip, tmp);
      await rename(tmp, final).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      });
      return final;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}

/** Extracts every entry under `root`; entries escaping it, encrypted entries and oversize content are rejected. */
export async function unzipInto(zip: Buffer, root: string): Promise<void> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    throw LambdaErrors.badZip();
  }
  const base = resolve(root);
  let total = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      const target = resolve(base, entry.fileName);
      if (target !== base && !target.startsWith(base + sep)) throw LambdaErrors.badZip();
      if (entry.fileName.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (entry.isEncrypted()) throw LambdaErrors.badZip();
      total += entry.uncompressedSize;
      if (total > LIMITS.unzippedBytes) {
        throw LambdaErrors.invalidParameter(`Unzipped size must be smaller than ${LIMITS.unzippedBytes} bytes`);
      }
      await mkdir(dirname(target), { recursive: true });
      const unixMode = (entry.externalFileAttributes >>> 16) & 0o777;
      const stream = await zipfile.openReadStreamPromise(entry);
      await pipeline(stream, createWriteStream(target, { mode: unixMode & 0o111 ? 0o755 : 0o644 }));
    }
  } catch (err) {
    if (err instanceof Error && err.name.endsWith('Exception')) throw err;
    throw LambdaErrors.badZip();
  } finally {
    zipfile.close();
  }
}
