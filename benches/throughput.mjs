// Throughput side by side: the same 30-rule model (benches/model30.json) over the same generated
// log, scored by
//   - the wasm engine in Node (pkg/node): per event `Engine.ingest(object)`, per event
//     `Engine.ingest(JSON text)`, and chunked `BatchReplay.pushNdjson` (one crossing per 4096 lines);
//   - json-rules-engine (npm) with the rules in its format   (benches/competitors/jre.mjs);
//   - hand-written plain JavaScript                            (benches/competitors/plain.mjs);
//   - the native Rust build                                    (benches/native_throughput.rs).
// Every implementation must reproduce the same summary (visitors, stage counts, summed scores);
// a disagreement is reported, never hidden. Medians of --reps repetitions; ratios to the wasm engine.
//
//   node benches/throughput.mjs [--events 100000] [--reps 5] [--jre-reps 3] [--pkg pkg/node]
//                               [--json target/bench/throughput.json] [--no-native]
//                               [--only wasm,wasmBatch]   (run only these implementations)

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { arg, fmt, loadWasm, logPath, median, modelText, MODEL_PATH, OUT, ROOT } from './lib.mjs';
import { createPlainScorer, round2 } from './competitors/plain.mjs';
import { createJreScorer } from './competitors/jre.mjs';

const events = Number(arg('events', '100000'));
const reps = Number(arg('reps', '5'));
const jreReps = Number(arg('jre-reps', '3'));
const jsonOut = arg('json', join(OUT, 'throughput.json'));
const pkgDir = arg('pkg', join(ROOT, 'pkg', 'node'));
const wasm = loadWasm(pkgDir);

const path = await logPath(events);
const text = readFileSync(path, 'utf8');
const lines = text.split('\n').filter((l) => l.trim() !== '');
const objects = lines.map((l) => JSON.parse(l));
const asOf = objects.reduce((m, e) => Math.max(m, Date.parse(e.timestamp)), 0);
const model = modelText();
const n = lines.length;
console.error(`[throughput] ${n} events (${path}), ${reps} reps, asOf ${new Date(asOf).toISOString()}`);

/** Replay grouping (userId, else anonymousId; both linked): what every JS driver of the engine does. */
function grouper(create) {
  const byId = new Map();
  const all = [];
  return {
    all,
    get(e) {
      const uk = e.userId != null ? `u:${e.userId}` : null;
      const ak = e.anonymousId != null ? `a:${e.anonymousId}` : null;
      let v = (uk && byId.get(uk)) ?? (ak && byId.get(ak));
      if (!v) all.push((v = create()));
      if (uk && !byId.has(uk)) byId.set(uk, v);
      if (ak && !byId.has(ak)) byId.set(ak, v);
      return v;
    },
  };
}

function engineSummary(engines) {
  let known = 0, mql = 0, scoreSum = 0;
  for (const eng of engines) {
    const s = eng.score(asOf);
    if (s.stage === 'known') known++;
    if (s.stage === 'mql') mql++;
    scoreSum += s.total;
  }
  return { visitors: engines.length, known, mql, scoreSum: round2(scoreSum) };
}

const chunks = [];
for (let i = 0; i < lines.length; i += 4096) chunks.push(lines.slice(i, i + 4096).join('\n'));

const impls = [
  {
    key: 'wasm', label: 'wasm engine, Engine.ingest(object) per event', reps,
    run() {
      const g = grouper(() => new wasm.Engine(model));
      for (const e of objects) g.get(e).ingest(e, Date.parse(e.timestamp));
      const s = engineSummary(g.all);
      for (const eng of g.all) eng.free();
      return s;
    },
  },
  {
    key: 'wasmText', label: 'wasm engine, Engine.ingest(JSON text) per event', reps,
    run() {
      const g = grouper(() => new wasm.Engine(model));
      for (let i = 0; i < n; i++) {
        const e = objects[i];
        g.get(e).ingest(lines[i], Date.parse(e.timestamp));
      }
      const s = engineSummary(g.all);
      for (const eng of g.all) eng.free();
      return s;
    },
  },
  {
    key: 'wasmBatch', label: 'wasm engine, BatchReplay.pushNdjson (4096 lines per call)', reps,
    run() {
      const r = new wasm.BatchReplay(model);
      for (const c of chunks) r.pushNdjson(c);
      const { visitors, known, mql, scoreSum } = r.summary(asOf);
      r.free();
      return { visitors, known, mql, scoreSum };
    },
  },
  {
    key: 'plain', label: 'hand-written plain JavaScript', reps,
    run() {
      const s = createPlainScorer();
      for (const e of objects) s.ingest(e);
      return s.summary(asOf);
    },
  },
  {
    key: 'jre', label: 'json-rules-engine 7.3.1 (+ same book-keeping)', reps: jreReps,
    async run() {
      const s = createJreScorer();
      for (const e of objects) await s.ingest(e);
      return s.summary(asOf);
    },
  },
];

const only = arg('only', '').split(',').filter(Boolean);
// One `new Engine(modelText)` (model parsed + validated per visitor, the per-event API's fixed cost).
let constructUs = null;
{
  const k = 200;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) new wasm.Engine(model).free();
  constructUs = ((performance.now() - t0) * 1000) / k;
}
const results = {};
for (const impl of impls.filter((i) => !only.length || only.includes(i.key))) {
  const rates = [];
  let summary;
  for (let r = 0; r < impl.reps; r++) {
    const t0 = performance.now();
    summary = await impl.run();
    const secs = (performance.now() - t0) / 1000;
    rates.push(n / secs);
  }
  results[impl.key] = { label: impl.label, perSec: median(rates), rates, summary };
  console.error(`[throughput] ${impl.label}: ${fmt(median(rates))} events/s ${JSON.stringify(summary)}`);
}

if (!process.argv.includes('--no-native') && (!only.length || only.includes('native'))) {
  const run = spawnSync('cargo', ['bench', '--bench', 'native_throughput'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, BENCH_LOG: path, BENCH_MODEL: MODEL_PATH, BENCH_REPS: String(reps) },
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !last.startsWith('{')) {
    console.error(run.stderr);
    results.native = { label: 'native Rust (cargo bench)', error: `cargo bench failed (exit ${run.status})` };
  } else {
    const nat = JSON.parse(last);
    results.native = {
      label: 'native Rust, decode JSON + replay', perSec: nat.decodeAndReplayPerSec, summary: nat.summary, detail: nat,
    };
    results.nativeReplay = { label: 'native Rust, replay of decoded events', perSec: nat.replayPerSec, summary: nat.summary };
    console.error(`[throughput] native: ${fmt(nat.decodeAndReplayPerSec)} events/s (replay only ${fmt(nat.replayPerSec)}) ${JSON.stringify(nat.summary)}`);
  }
}

// Agreement: every implementation against the wasm engine's summary.
const ref = (results.wasm ?? Object.values(results)[0]).summary;
const same = (s) => s && s.visitors === ref.visitors && s.known === ref.known && s.mql === ref.mql && Math.abs(s.scoreSum - ref.scoreSum) < 0.05;
for (const r of Object.values(results)) {
  r.agrees = r.summary ? same(r.summary) : null;
  r.ratioToWasm = r.perSec && results.wasm ? r.perSec / results.wasm.perSec : null;
}
const wasmFileBytes = statSync(join(pkgDir, 'baton_bg.wasm')).size;
const out = { events: n, rules: 30, reps, jreReps, log: path.replace(ROOT + '/', ''), asOf, wasmFileBytes, constructUs, results };
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(out, null, 2));

console.log(`| implementation | events/s (median) | × relative to wasm | same results |`);
console.log(`|---|---:|---:|:---:|`);
for (const r of Object.values(results)) {
  console.log(`| ${r.label} | ${fmt(r.perSec)} | ${fmt(r.ratioToWasm, 2)} | ${r.agrees === null ? '—' : r.agrees ? 'yes' : 'NO'} |`);
}
const disagree = Object.values(results).filter((r) => r.agrees === false);
if (disagree.length) {
  console.error(`[throughput] results differ from the wasm engine: ${disagree.map((r) => `${r.label} ${JSON.stringify(r.summary)}`).join('; ')} vs ${JSON.stringify(ref)}`);
  process.exitCode = 1;
}
