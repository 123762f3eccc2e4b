import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Base64Record, IntakeLog, InvalidRecordData } from './intake-log.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'intake-log-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const text = (bufs: Buffer[]) => bufs.map((b) => b.toString());
const none = () => 0;

describe('IntakeLog', () => {
  it('appends concurrently with ids in order and reads every batch back', async () => {
    const log = new IntakeLog(dir(), true);
    await log.open(none, 1);
    const batches = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(i % 2 ? 'b' : 'a', 1, 1000 + i, [Buffer.from(`r${i}-0`), Buffer.from(`r${i}-1`), Buffer.alloc(0)])));
    expect(batches.map((b) => b.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(batches[3]).toEqual({ id: 4, stream: 'b', version: 1, arrival: 1003, records: 3, bytes: 8 });
    for (const [i, b] of batches.entries()) expect(text(log.readBatch(b.id))).toEqual([`r${i}-0`, `r${i}-1`, '']);
    await log.close();
  });

  it('makes a new stream directory and each new segment file durable by name before acknowledging a batch in it', async () => {
    const d = join(dir(), 'intake');
    const events: string[] = [];
    const syncDir = async (path: string): Promise<void> => {
      events.push(`sync ${path === dirname(d) ? '(parent)' : path === d ? '(intake)' : path.slice(d.length + 1)}`);
      await Promise.resolve();
    };
    // Tiny segments: every append after the first rolls over to a new file.
    const log = new IntakeLog(d, true, 16, syncDir);
    await log.open(none, 1);
    for (let i = 0; i < 3; i++) {
      await log.append('s', 1, 0, [Buffer.from(`batch-${i}`)]);
      events.push(`acked ${i}`);
    }
    expect(events).toEqual(['sync (parent)', 'sync (intake)', 'sync s-s', 'acked 0', 'sync s-s', 'acked 1', 'sync s-s', 'acked 2']);
    expect(readdirSync(join(d, 's-s'))).toHaveLength(3);
    await log.close();
    // Without fsync (--no-fsync), no directory is synced.
    const quiet: string[] = [];
    const unsynced = new IntakeLog(join(dir(), 'intake'), false, 16, async (p) => {
      quiet.push(p);
    });
    await unsynced.open(none, 1);
    await unsynced.append('s', 1, 0, [Buffer.from('x')]);
    expect(quiet).toEqual([]);
    await unsynced.close();
  });

  it('replays undelivered batches after a restart, and keeps ids growing', async () => {
    const d = dir();
    const log = new IntakeLog(d, true);
    await log.open(none, 1);
    for (let i = 0; i < 10; i++) await log.append(i < 5 ? 'a' : 'b', 2, i, [Buffer.from(`x${i}`)]);
    await log.close();
    const again = new IntakeLog(d, true);
    await again.open((s) => (s === 'a' ? 3 : 0), 1);
    expect(again.pendingBatches().map((b) => [b.id, b.stream])).toEqual([
      [4, 'a'],
      [5, 'a'],
      [6, 'b'],
      [7, 'b'],
      [8, 'b'],
      [9, 'b'],
      [10, 'b'],
    ]);
    expect(text(again.readBatch(7))).toEqual(['x6']);
    expect((await again.append('a', 2, 0, [Buffer.from('y')])).id).toBe(11);
    await again.close();
  });

  it('cuts a torn or corrupt tail (an append that was never acknowledged)', async () => {
    const d = dir();
    const log = new IntakeLog(d, true);
    await log.open(none, 1);
    await log.append('s', 1, 0, [Buffer.from('kept')]);
    await log.append('s', 1, 0, [Buffer.from('torn-away')]);
    await log.close();
    const [file] = readdirSync(join(d, 's-s'));
    const path = join(d, 's-s', file!);
    truncateSync(path, statSync(path).size - 3);
    appendFileSync(path, Buffer.from('garbage'));
    const again = new IntakeLog(d, true);
    await again.open(none, 1);
    expect(again.pendingBatches().map((b) => text(again.readBatch(b.id)))).toEqual([['kept']]);
    // New appends go after the valid prefix and replay cleanly.
    await again.append('s', 1, 0, [Buffer.from('next')]);
    await again.close();
    const third = new IntakeLog(d, true);
    await third.open(none, 1);
    expect(third.pendingBatches().map((b) => text(third.readBatch(b.id))[0])).toEqual(['kept', 'next']);
    await third.close();
  });

  it('keeps each stream in its own segments and deletes those whose batches are all delivered', async () => {
    const d = dir();
    const log = new IntakeLog(d, true, 1024);
    await log.open(none, 1);
    for (let i = 0; i < 20; i++) await log.append(i % 2 ? 'a' : 'b', 1, 0, [Buffer.alloc(300, i)]);
    const count = (s: string) => readdirSync(join(d, `s-${s}`)).filter((n) => n !== 'spare.log').length;
    const before = { a: count('a'), b: count('b') };
    expect(before.a).toBeGreaterThan(2);
    expect(before.b).toBeGreaterThan(2);
    // Stream a delivered entirely: its segments go (but the one being appended to), b's stay.
    expect(log.purge((s) => (s === 'a' ? 20 : 0))).toBe(before.a - 1);
    await new Promise((r) => setTimeout(r, 50)); // files are unlinked off the event loop
    expect(count('a')).toBe(1);
    expect(count('b')).toBe(before.b);
    expect(log.purge((s) => (s === 'a' ? 20 : 9))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(count('b')).toBeLessThan(before.b);
    expect(log.pendingBatches().map((b) => b.id)).toEqual([11, 13, 15, 17, 19]);
    expect(log.readBatch(19)[0]![0]).toBe(18);
    await log.close();
    const again = new IntakeLog(d, true, 1024);
    await again.open((s) => (s === 'a' ? 20 : 9), 1);
    expect(again.pendingBatches().map((b) => b.id)).toEqual([11, 13, 15, 17, 19]);
    await again.dropStream('b');
    expect(readdirSync(d)).toEqual(['s-a']);
    expect(again.pendingBatches()).toEqual([]);
    await again.close();
  });

  it('reuses a delivered segment file as the next segment and never replays the batches it held before', async () => {
    const d = dir();
    const sdir = join(d, 's-s');
    // 300-byte records: 343-byte frames, three to a 1 KiB segment.
    const log = new IntakeLog(d, true, 1024);
    await log.open(none, 1);
    for (let i = 1; i <= 7; i++) await log.append('s', 1, 0, [Buffer.alloc(300, i)]);
    const segments = () => readdirSync(sdir).filter((n) => n !== 'spare.log').sort();
    expect(segments()).toHaveLength(3);
    const first = join(sdir, segments()[0]!);
    const inode = statSync(first).ino;
    expect(log.purge(() => 6)).toBe(2);
    const spare = join(sdir, 'spare.log');
    for (let i = 0; i < 100 && !existsSync(spare); i++) await new Promise((r) => setTimeout(r, 10));
    // The first delivered segment became the spare (header zeroed, blocks kept); the second was deleted.
    expect(statSync(spare).ino).toBe(inode);
    expect(statSync(spare).size).toBe(3 * 343);
    expect(readFileSync(spare).subarray(0, 38).every((b) => b === 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(segments()).toHaveLength(1);
    // Batches 8 and 9 fill the tail segment; batch 10 goes to a new segment, which is the spare renamed.
    for (let i = 8; i <= 10; i++) await log.append('s', 1, 0, [Buffer.alloc(300, i)]);
    expect(existsSync(spare)).toBe(false);
    const reused = join(sdir, segments()[1]!);
    expect(statSync(reused).ino).toBe(inode);
    expect(statSync(reused).size).toBe(3 * 343);
    await log.close();
    // Behind batch 10, at a frame boundary, lie batches 2 and 3 from the file's first use: replay stops there.
    const again = new IntakeLog(d, true, 1024);
    await again.open(() => 6, 1);
    expect(again.pendingBatches().map((b) => b.id)).toEqual([7, 8, 9, 10]);
    expect(again.readBatch(10)[0]![0]).toBe(10);
    expect(statSync(reused).size).toBe(343);
    expect(again.diskBytes).toBe(4 * 343);
    await again.close();
  });

  it('reads nothing from a spare that became a segment before anything was written to it', async () => {
    const d = dir();
    const sdir = join(d, 's-s');
    const log = new IntakeLog(d, true, 1024);
    await log.open(none, 1);
    for (let i = 1; i <= 4; i++) await log.append('s', 1, 0, [Buffer.alloc(300, i)]);
    log.purge(() => 3);
    await log.close(); // waits for the spare
    // A crash right after the spare was renamed to the next segment's name.
    renameSync(join(sdir, 'spare.log'), join(sdir, '0000000000000099.log'));
    const again = new IntakeLog(d, true, 1024);
    await again.open(() => 3, 1);
    expect(again.pendingBatches().map((b) => b.id)).toEqual([4]);
    expect(again.diskBytes).toBe(343);
    expect(statSync(join(sdir, '0000000000000099.log')).size).toBe(0);
    expect((await again.append('s', 1, 0, [Buffer.from('next')])).id).toBe(5);
    await again.close();
  });

  it('creates the next segment while the tail fills, and still cuts a torn tail when that segment is empty', async () => {
    const d = dir();
    const sdir = join(d, 's-s');
    const log = new IntakeLog(d, true, 1024);
    await log.open(none, 1);
    await log.append('s', 1, 0, [Buffer.alloc(300, 1)]);
    await log.append('s', 1, 0, [Buffer.alloc(300, 2)]);
    // Half full: the next segment's file is created (and its name synced) off the append path.
    for (let i = 0; i < 100 && readdirSync(sdir).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const [first, next] = readdirSync(sdir).sort();
    expect(statSync(join(sdir, next!)).size).toBe(0);
    await log.close();
    appendFileSync(join(sdir, first!), Buffer.from('torn'));
    const again = new IntakeLog(d, true, 1024);
    await again.open(none, 1);
    expect(statSync(join(sdir, first!)).size).toBe(2 * 343);
    await again.append('s', 1, 0, [Buffer.alloc(300, 3)]);
    await again.append('s', 1, 0, [Buffer.alloc(300, 4)]);
    await again.close();
    // Appends went on in the segment made ahead of need.
    expect(statSync(join(sdir, first!)).size).toBe(2 * 343);
    expect(statSync(join(sdir, next!)).size).toBe(2 * 343);
    const third = new IntakeLog(d, true, 1024);
    await third.open(none, 1);
    expect(third.pendingBatches().map((b) => third.readBatch(b.id)[0]![0])).toEqual([1, 2, 3, 4]);
    await third.close();
  });

  it('keeps stream names like .. inside the log directory', async () => {
    const d = dir();
    const log = new IntakeLog(d, true);
    await log.open(none, 1);
    await log.append('..', 1, 0, [Buffer.from('x')]);
    expect(readdirSync(d)).toEqual(['s-..']);
    await log.close();
  });

  it('decodes base64 records straight into the log and refuses text outside the alphabet', async () => {
    const log = new IntakeLog(dir(), true);
    await log.open(none, 1);
    const b64 = (t: string) => new Base64Record(Buffer.from(t).toString('base64'), Buffer.byteLength(t));
    const batch = await log.append('s', 1, 0, [b64('hello'), new Base64Record('', 0), Buffer.from('raw'), b64('wörld')]);
    expect(text(log.readBatch(batch.id))).toEqual(['hello', '', 'raw', 'wörld']);
    expect(batch.bytes).toBe(5 + 0 + 3 + Buffer.byteLength('wörld'));
    for (const [bad, length] of [
      ['ab!c', 3],
      ['ab=c', 3],
      ['YW Jjabc', 6],
    ] as const) {
      expect(() => log.append('s', 1, 0, [b64('ok'), new Base64Record(bad, length)])).toThrow(InvalidRecordData);
    }
    try {
      void log.append('s', 1, 0, [b64('ok'), b64('fine'), new Base64Record('****', 3)]);
    } catch (err) {
      expect((err as InvalidRecordData).index).toBe(2);
    }
    // Nothing of a refused batch reaches the log.
    expect(log.pendingBatches().map((b) => b.id)).toEqual([batch.id]);
    await log.close();
  });
});
