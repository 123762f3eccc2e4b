#!/usr/bin/env node
// Splits a Lakebox server .cpuprofile (node --cpu-prof) into the windows of a firehose-bench run (each closed-loop
// phase, the paced run, buffer drains, the final flush, verification reads) and, per window, prints where the main
// thread's time went: top functions by self time, and self time grouped as "leaf → nearest Lakebox function" (e.g.
// `parse (builtin) ← handle (aws-json-protocol.js)`), which says which Lakebox code paid for a builtin/native call.
//
//   node bench/firehose/profile-split.mjs /tmp/prof/CPU.*.cpuprofile --results bench/firehose/results/firehose-….json [--top 25]
//
// Both files use CLOCK_MONOTONIC microseconds (V8 profile timestamps; the bench's snapshot().mono), so the windows line up.
// Note: only the main (JavaScript) thread is sampled: gzip and fsync run on libuv threads and do not appear here,
// except as the JavaScript that schedules them.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { results: { type: 'string' }, top: { type: 'string', default: '25' }, target: { type: 'string', default: 'lakebox' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/firehose/profile-split.mjs FILE.cpuprofile [--results RUN.json] [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'nm:')
    .replace(/^.*\/dist\//, 'dist:');
const label = (n) => {
  const cf = n.callFrame;
  const url = shortUrl(cf.url);
  return `${cf.functionName || '(anonymous)'}${url ? ` ${url}:${cf.lineNumber + 1}` : ' (builtin/native)'}`;
};
const leafKind = (n) => {
  const cf = n.callFrame;
  if (!cf.url) return `${cf.functionName || '(anonymous)'} (builtin/native)`;
  const url = shortUrl(cf.url);
  if (url.startsWith('nm:')) return `${url.slice(3).split('/')[0].startsWith('@') ? url.slice(3).split('/').slice(0, 2).join('/') : url.slice(3).split('/')[0]} (package)`;
  if (url.startsWith('node:')) return `${url} (node)`;
  if (url.startsWith('dist:')) return `${cf.functionName || '(anonymous)'} (${basename(url)})`;
  return url;
};
/** The nearest frame at or above `id` that is Lakebox code (dist/), as "function (file)". */
const ownerCache = new Map();
const owner = (id) => {
  if (ownerCache.has(id)) return ownerCache.get(id);
  let out = '(no Lakebox frame)';
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = nodes.get(cur).callFrame;
    if (cf.url.includes('/dist/')) {
      out = `${cf.functionName || '(anonymous)'} (${basename(cf.url)})`;
      break;
    }
  }
  ownerCache.set(id, out);
  return out;
};

// Sample timestamps: startTime + running sum of timeDeltas; each sample's weight is the gap to the next one.
const times = new Float64Array(profile.samples.length);
{
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    times[i] = t;
  }
}
const weight = (i) => (i + 1 < times.length ? times[i + 1] - times[i] : 0);

const windows = [];
if (values.results) {
  const run = JSON.parse(readFileSync(values.results, 'utf8'));
  const t = run.targets.find((x) => x.target === values.target);
  if (!t) throw new Error(`no ${values.target} target in ${values.results}`);
  for (const p of t.phases) windows.push({ name: `closed loop, ${p.conc} in flight (${Math.round(p.recordsPerSec)} rec/s)`, from: p.cpu.monoStartUs, to: p.cpu.monoEndUs, records: p.records });
  if (t.latencyRun) windows.push({ name: `paced run (${Math.round(t.latencyRun.recordsPerSec)} rec/s)`, from: t.latencyRun.cpu.monoStartUs, to: t.latencyRun.cpu.monoEndUs, records: t.latencyRun.records });
  for (const d of t.drains ?? []) windows.push({ name: `drain before ${d.before} (${Math.round(d.bufferedMiB)} MiB)`, from: d.monoStartUs, to: d.monoEndUs, mib: d.bufferedMiB });
  if (t.flush?.cpu) windows.push({ name: `final flush (${Math.round(t.flush.bufferedMiB ?? 0)} MiB)`, from: t.flush.cpu.monoStartUs, to: t.flush.cpu.monoEndUs, mib: t.flush.bufferedMiB });
  if (t.verification?.cpu) windows.push({ name: 'verification reads (ListObjectsV2, GetObject)', from: t.verification.cpu.monoStartUs, to: t.verification.cpu.monoEndUs });
}
windows.push({ name: 'whole profile', from: -Infinity, to: Infinity });

process.stdout.on('error', () => process.exit(0));
const out = (s) => process.stdout.write(`${s}\n`);
out(`${positionals[0]}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${profile.samples.length} samples`);
for (const w of windows) {
  const self = new Map();
  const grouped = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < w.from || times[i] >= w.to) continue;
    const id = profile.samples[i];
    const us = weight(i);
    const n = nodes.get(id);
    total += us;
    if (n.callFrame.functionName === '(idle)') idle += us;
    const l = label(n);
    self.set(l, (self.get(l) ?? 0) + us);
    const g = `${leafKind(n)} ← ${owner(id)}`;
    grouped.set(g, (grouped.get(g) ?? 0) + us);
  }
  if (total === 0) continue;
  const busy = total - idle;
  const span = Number.isFinite(w.from) ? (w.to - w.from) / 1e6 : total / 1e6;
  out(`\n=== ${w.name}: ${span.toFixed(1)} s; main thread busy ${(busy / 1e6).toFixed(2)} s (${((100 * busy) / total).toFixed(0)}% of samples)` +
    `${w.records ? `, ${((busy / w.records) * 1000 / 1000).toFixed(2)} µs of main thread per record` : ''}${w.mib ? `, ${(busy / 1e6 / w.mib * 1024).toFixed(1)} s of main thread per GiB` : ''}`);
  const print = (title, map) => {
    out(`  ${title} (% of busy main-thread time)`);
    const rows = [...map.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, us] of rows) out(`  ${((100 * us) / busy).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  };
  print('Self time by function', self);
  print('Self time by leaf ← nearest Lakebox function', grouped);
  // Event-loop stalls: the longest runs of consecutive samples with the same Lakebox function on the stack (one
  // synchronous stretch of the main thread that no request could interrupt), and which Lakebox function it was.
  const runs = new Map();
  let current = new Map();
  for (let i = 0; i < times.length; i++) {
    if (times[i] < w.from || times[i] >= w.to) continue;
    const onStack = new Set();
    for (let cur = profile.samples[i]; cur !== undefined; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame;
      if (cf.url.includes('/dist/')) onStack.add(`${cf.functionName || '(anonymous)'} (${basename(cf.url)})`);
    }
    const next = new Map();
    for (const f of onStack) next.set(f, (current.get(f) ?? 0) + weight(i));
    for (const [f, us] of current) if (!next.has(f)) runs.set(f, Math.max(runs.get(f) ?? 0, us));
    current = next;
  }
  for (const [f, us] of current) runs.set(f, Math.max(runs.get(f) ?? 0, us));
  const longest = [...runs.entries()].filter(([, us]) => us >= 20_000).sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (longest.length) {
    out('  Longest uninterrupted main-thread stretches inside one Lakebox function (≥ 20 ms)');
    for (const [f, us] of longest) out(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${f}`);
  }
}
