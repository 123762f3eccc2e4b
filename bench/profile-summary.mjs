#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): top functions by self and by inclusive time, and self time per file.
//
//   node bench/profile-summary.mjs /tmp/prof/CPU.*.cpuprofile [--top 30] [--filter substring]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, filter: { type: 'string' } },
});
if (positionals.length === 0) {
  process.stderr.write('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--filter TEXT]\n');
  process.exit(2);
}
const top = Number(values.top);

const COMPONENTS = [
  [/dist\/protocols\/sigv4\/|@smithy\/signature-v4|@smithy\/core|@smithy\/hash-node/, 'SigV4 verification (src/protocols/sigv4, @smithy)'],
  [/dist\/protocols\/s3-rest-xml\//, 'S3 protocol (src/protocols/s3-rest-xml)'],
  [/dist\/storage\/fs\/|better-sqlite3/, 'fs store + SQLite (src/storage/fs, better-sqlite3)'],
  [/dist\/storage\//, 'S3 service (src/storage/*.ts)'],
  [/dist\/server\/|prom-client|pino/, 'server: routing, metrics, logs (src/server, prom-client, pino)'],
  [/node:internal\/crypto|node:crypto/, 'Node crypto (hashes, HMAC, randomBytes)'],
  [/node:internal\/streams|node:stream/, 'Node streams'],
  [/node:_http|node:http|node:net|node:internal\/stream_base|node:internal\/http/, 'Node HTTP / net'],
  [/node:internal\/fs|node:fs/, 'Node fs'],
  [/node:/, 'Node (other)'],
];

/** The nearest application frame (Lakebox's dist/ or a dependency) from the leaf up, as a component; undefined if none. */
function callerOf(node, nodes, parent) {
  for (let cur = node.id; cur !== undefined; cur = parent.get(cur)) {
    const url = nodes.get(cur).callFrame.url;
    if (!/\/dist\/|node_modules/.test(url)) continue;
    for (const [re, name] of COMPONENTS) if (re.test(url)) return name;
    return 'other JS';
  }
  return undefined;
}

/** The component of a sample: the first frame from the leaf up whose script matches a rule (so native frames count for their caller). */
function componentOf(node, nodes, parent) {
  const special = node.callFrame.functionName;
  if (!node.callFrame.url && ['(idle)', '(garbage collector)', '(program)', '(root)'].includes(special)) return special;
  for (let cur = node.id; cur !== undefined; cur = parent.get(cur)) {
    const url = nodes.get(cur).callFrame.url;
    if (!url) continue;
    for (const [re, name] of COMPONENTS) if (re.test(url)) return name;
    return 'other JS';
  }
  return `(native: ${special})`;
}

process.stdout.on("error", () => process.exit(0));
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample: timeDeltas[i] is the gap before sample i.
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const label = (n) => {
    const cf = n.callFrame;
    const url = cf.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^.*\/dist\//, 'dist:');
    return `${cf.functionName || '(anonymous)'} ${url}${url ? `:${cf.lineNumber + 1}` : ''}`;
  };
  const self = new Map();
  const inclusive = new Map();
  const byFile = new Map();
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    const l = label(n);
    self.set(l, (self.get(l) ?? 0) + us);
    const fileKey = n.callFrame.url ? label({ callFrame: { ...n.callFrame, functionName: '', lineNumber: -1 } }).trim().replace(/:0$/, '') : `(${n.callFrame.functionName})`;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
    // Inclusive: count each distinct function once per stack.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(nodes.get(cur));
      if (seen.has(cl)) continue;
      seen.add(cl);
      inclusive.set(cl, (inclusive.get(cl) ?? 0) + us);
    }
  }
  const print = (title, map) => {
    process.stdout.write(`\n${title}\n`);
    const rows = [...map.entries()].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, us] of rows) process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
  };
  // Self time by component: which layer of the server the CPU went to, and which application code caused it.
  const byComponent = new Map();
  const byCaller = new Map();
  for (const [id, us] of selfUs) {
    const c = componentOf(nodes.get(id), nodes, parent);
    byComponent.set(c, (byComponent.get(c) ?? 0) + us);
    const a = callerOf(nodes.get(id), nodes, parent) ?? c;
    byCaller.set(a, (byCaller.get(a) ?? 0) + us);
  }
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
  print('Self time by component (native frames charged to the nearest JS caller)', byComponent);
  print('Self time by the application component on the stack (Node internals charged to the code that called them)', byCaller);
  print('Self time by function', self);
  print('Inclusive time by function', inclusive);
  print('Self time by file', byFile);
}
