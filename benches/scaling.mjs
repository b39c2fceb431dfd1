// Scaling of the wasm replay: 10k, 100k and 1M events (same generator, seed 42), each replayed in
// its own child Node process so that its peak memory is its own: time, events/s, the process's
// peak RSS (`process.resourceUsage().maxRSS`) and the wasm linear memory size at the end (it only
// grows, so that is its peak). The log is streamed from disk in 1 MiB reads and fed to
// `BatchReplay.pushNdjson` line-aligned, so the log itself is never held whole.
//
//   node benches/scaling.mjs [--sizes 10000,100000,1000000] [--pkg pkg/node] [--json target/bench/scaling.json]

import { spawnSync } from 'node:child_process';
import { createReadStream, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { arg, fmt, loadWasm, logPath, modelText, OUT, ROOT } from './lib.mjs';

const pkg = arg('pkg', join(ROOT, 'pkg', 'node'));

async function child(path) {
  const wasm = loadWasm(pkg);
  const replay = new wasm.BatchReplay(modelText());
  const t0 = performance.now();
  let rest = '';
  let events = 0;
  let lastLine = '';
  for await (const buf of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + buf;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) { rest = text; continue; }
    const whole = text.slice(0, cut);
    rest = text.slice(cut + 1);
    events += replay.pushNdjson(whole);
    lastLine = whole.slice(whole.lastIndexOf('\n') + 1);
  }
  if (rest.trim()) { events += replay.pushNdjson(rest); lastLine = rest.trim(); }
  const replaySecs = (performance.now() - t0) / 1000;
  // The log is in time order: its last event is the latest, the replay is read as of then.
  const asOf = Date.parse(JSON.parse(lastLine).timestamp);
  const summary = replay.summary(asOf);
  const secs = (performance.now() - t0) / 1000;
  const out = {
    events, secs, replaySecs, perSec: events / secs,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    wasmMemoryMiB: wasm.BatchReplay.wasmMemoryBytes() / 2 ** 20,
    summary,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function parent() {
  const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
  const jsonOut = arg('json', join(OUT, 'scaling.json'));
  const rows = [];
  for (const size of sizes) {
    const path = await logPath(size);
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, '--pkg', pkg], {
      encoding: 'utf8', maxBuffer: 1 << 24,
    });
    const last = (run.stdout ?? '').trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !last.startsWith('{')) {
      rows.push({ size, error: `child exited ${run.status}${run.signal ? ` (${run.signal})` : ''}: ${(run.stderr ?? '').slice(-300)}` });
    } else {
      rows.push({ size, ...JSON.parse(last) });
    }
    console.error(`[scaling] ${size}: ${JSON.stringify(rows.at(-1))}`);
  }
  // Linearity: time per event at each size relative to the smallest size.
  const base = rows.find((r) => !r.error);
  for (const r of rows) if (!r.error && base) r.usPerEvent = (r.secs / r.events) * 1e6;
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify({ rows }, null, 2));
  console.log('| events | visitors | time s | events/s | µs per event | peak RSS MiB | wasm memory MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.error) console.log(`| ${fmt(r.size)} | — | — | — | — | — | — (${r.error.replace(/\|/g, '/').replace(/\n/g, ' ')}) |`);
    else console.log(`| ${fmt(r.events)} | ${fmt(r.summary.visitors)} | ${fmt(r.secs, 2)} | ${fmt(r.perSec)} | ${fmt(r.usPerEvent, 1)} | ${fmt(r.maxRssMiB, 1)} | ${fmt(r.wasmMemoryMiB, 1)} |`);
  }
}

if (process.argv.includes('--child')) await child(arg('child'));
else await parent();
