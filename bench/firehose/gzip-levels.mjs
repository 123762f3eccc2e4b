#!/usr/bin/env node
// Single-thread gzip speed and ratio per zlib level on delivered Firehose data (what one delivery costs).
//
//   node bench/firehose-bench.mjs --target lakebox --conc 8 --duration 4 --latency-duration 0 --keep-data
//   node bench/firehose/gzip-levels.mjs "$(find /tmp/firehose-bench-*/lakebox-data/s3/blobs -type f -size +5M | head -1)"
//
// The input may be gzip (a delivered object) or raw records; the first 64 MiB (the bench's buffer size) are used.
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/firehose/gzip-levels.mjs FILE [LEVELS, default 1,2,3,4,6,9]\n');
  process.exit(2);
}
const levels = (process.argv[3] ?? '1,2,3,4,6,9').split(',').map(Number);
let data = readFileSync(file);
if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
data = data.subarray(0, 64 * 1024 * 1024);
const mib = data.length / 1024 / 1024;
process.stdout.write(`${mib.toFixed(1)} MiB of input\n`);
for (const level of levels) {
  const before = process.cpuUsage();
  const out = gzipSync(data, { level });
  const used = process.cpuUsage(before);
  const cpu = (used.user + used.system) / 1e6;
  process.stdout.write(`level ${level}: ${(mib / cpu).toFixed(0).padStart(4)} MiB/s per core, ratio ${(data.length / out.length).toFixed(2)}×, ${cpu.toFixed(2)} CPU-s for ${mib.toFixed(0)} MiB\n`);
}
