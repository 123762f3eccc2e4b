#!/usr/bin/env node
// Microbenchmarks of the per-call steps of Lakebox's PutRecordBatch path, on a 500 × ~300-byte record body, to size the
// proposed optimizations (see RESULTS.md). Run from the repository root: node bench/firehose/put-path-micro.mjs
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
const recs = Array.from({ length: 500 }, (_, i) => Buffer.from(`{"eventId":"000000001${String(i).padStart(3,'0')}","ts":"2026-11-22T05:00:00.000Z","type":"page_view","user":"user-123456","session":"${randomBytes(8).toString('hex')}","path":"/catalog/shoes?item=${i}","country":"DE","ua":"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Firefox/125.0","ms":123,"amount":12.5,"note":"alpha bravo charlie delta echo"}\n`));
const body = Buffer.from(JSON.stringify({ DeliveryStreamName: 'bench-stream', Records: recs.map((r) => ({ Data: r.toString('base64') })) }));
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const N = 400;
const time = (name, fn) => { for (let i = 0; i < 30; i++) fn(); const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(); const us = Number(process.hrtime.bigint() - t) / 1e3 / N; console.log(`${name.padEnd(62)} ${us.toFixed(0).padStart(6)} µs/call  ${(us / 500 * 1000).toFixed(0).padStart(5)} ns/record`); return us; };
console.log(`body ${body.length} bytes`);
const parsed = JSON.parse(body.toString('utf8'));
time('sha256(body)', () => createHash('sha256').update(body).digest('hex'));
time('body.toString(utf8)', () => body.toString('utf8'));
time('body.toString(latin1)', () => body.toString('latin1'));
time('JSON.parse(body.toString())', () => JSON.parse(body.toString('utf8')));
time('500 × BASE64 regex test', () => { for (const r of parsed.Records) BASE64.test(r.Data); });
time('500 × Buffer.from(base64)', () => { for (const r of parsed.Records) Buffer.from(r.Data, 'base64'); });
time('500 × Buffer.from(base64) + decoded-length check (validation)', () => { for (const r of parsed.Records) { const s = r.Data; const b = Buffer.from(s, 'base64'); const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0; if (s.length % 4 !== 0 || b.length !== (s.length / 4) * 3 - pad) throw new Error('bad'); } });
time('500 × decode straight into one framed buffer (write base64)', () => { const out = Buffer.allocUnsafe(500 * 400); let off = 0; for (const r of parsed.Records) { off += 4; const n = out.write(r.Data, off, 'base64'); out.writeUInt32BE(n, off - 4); off += n; } });
const created = Date.now();
time('500 record ids (current template strings)', () => { const base = (12345).toString(16).padStart(12, '0'); return recs.map((_, i) => `${base}${i.toString(16).padStart(4, '0')}${created.toString(16)}`); });
const suffix = created.toString(16); const hex4 = Array.from({ length: 500 }, (_, i) => i.toString(16).padStart(4, '0'));
time('500 record ids (cached suffix + precomputed hex)', () => { const base = (12345).toString(16).padStart(12, '0'); const out = new Array(500); for (let i = 0; i < 500; i++) out[i] = base + hex4[i] + suffix; return out; });
const toWire = (value) => { if (value instanceof Date) return value.getTime() / 1000; if (Array.isArray(value)) return value.map(toWire); if (value !== null && typeof value === 'object') { const out = {}; for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v); return out; } return value; };
const ids = recs.map((_, i) => `00000000303900${i.toString(16).padStart(4, '0')}${created.toString(16)}`);
const output = { FailedPutCount: 0, Encrypted: false, RequestResponses: ids.map((RecordId) => ({ RecordId })) };
time('response: JSON.stringify(toWire(output)) (current)', () => JSON.stringify(toWire(output)));
time('response: JSON.stringify(output)', () => JSON.stringify(output));
time('response: string concatenation of ids', () => { let s = '{"FailedPutCount":0,"Encrypted":false,"RequestResponses":['; for (let i = 0; i < 500; i++) s += `${i ? ',' : ''}{"RecordId":"${ids[i]}"}`; return s + ']}'; });
const dir = mkdtempSync(join(tmpdir(), 'put-path-micro-'));
const frame = Buffer.concat(recs.flatMap((r) => { const h = Buffer.alloc(4); h.writeUInt32BE(r.length); return [h, r]; }));
for (const ckpt of [1000, 0]) {
  const db = new Database(join(dir, `f${ckpt}.sqlite`));
  db.pragma('locking_mode = EXCLUSIVE'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536'); db.pragma(`wal_autocheckpoint = ${ckpt}`);
  db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT, version INT, arrival INT, records INT, bytes INT, data BLOB)');
  const ins = db.prepare('INSERT INTO p (stream, version, arrival, records, bytes, data) VALUES (?, ?, ?, ?, ?, ?)');
  time(`SQLite INSERT of the ${frame.length}-byte framed batch (wal_autocheckpoint=${ckpt})`, () => ins.run('bench-stream', 1, Date.now(), 500, frame.length, frame));
  db.close();
}
const fd = openSync(join(dir, 'segment.log'), 'a');
time('append the framed batch to a segment file (writeSync, no fsync)', () => writeSync(fd, frame));
closeSync(fd);
rmSync(dir, { recursive: true, force: true });
