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
//   node --expose-gc benches/throughput.mjs [--events 100000] [--reps 5] [--jre-reps 3] [--pkg pkg/node]
//                               [--json target/bench/throughput.json] [--no-native]
//                               [--only wasm,wasmBatch]   (run only these implementations)
//                               [--compare target/before/pkg-node]  (also run the wasm rows of another
//                                build, e.g. the previous commit's, in the same run: keys get "base:")

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
const comparePkg = arg('compare', '');

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

// Which visitor each event belongs to (same grouping), computed once, untimed.
const visitorOf = new Uint32Array(n);
let visitorCount = 0;
{
  const g = grouper(() => ({ index: visitorCount++ }));
  for (let i = 0; i < n; i++) visitorOf[i] = g.get(objects[i]).index;
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
// The same chunks as the bytes a file read gives (encoded untimed, as the objects are parsed untimed).
const byteChunks = chunks.map((c) => Buffer.from(c, 'utf8'));

/** The wasm rows for one build of the package (`prefix` tells a compared build's rows apart). */
function wasmImpls(wasm, prefix = '', suffix = '') {
  const rows = [
    {
      key: 'wasm', label: 'wasm engine, Engine.ingest(object) per event', reps,
      run(limit = n) {
        const g = grouper(() => new wasm.Engine(model));
        for (let i = 0; i < limit; i++) {
          const e = objects[i];
          g.get(e).ingest(e, Date.parse(e.timestamp));
        }
        const s = engineSummary(g.all);
        for (const eng of g.all) eng.free();
        return s;
      },
    },
    {
      key: 'wasmPrebuilt', label: 'wasm engine, Engine.ingest(object) per event, engines built beforehand (untimed)', reps,
      run(limit = n) {
        const engines = [];
        for (let v = 0; v < visitorCount; v++) engines.push(new wasm.Engine(model));
        const t0 = performance.now();
        for (let i = 0; i < limit; i++) {
          const e = objects[i];
          engines[visitorOf[i]].ingest(e, Date.parse(e.timestamp));
        }
        const timedSecs = (performance.now() - t0) / 1000;
        const summary = engineSummary(engines);
        for (const eng of engines) eng.free();
        return { summary, timedSecs };
      },
    },
    {
      key: 'wasmText', label: 'wasm engine, Engine.ingest(JSON text) per event', reps,
      run(limit = n) {
        const g = grouper(() => new wasm.Engine(model));
        for (let i = 0; i < limit; i++) {
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
      run(limit = n) {
        const r = new wasm.BatchReplay(model);
        for (let c = 0; c * 4096 < limit; c++) r.pushNdjson(chunks[c]);
        const { visitors, known, mql, scoreSum } = r.summary(asOf);
        r.free();
        return { visitors, known, mql, scoreSum };
      },
    },
  ];
  // Builds that have it: the same chunks as UTF-8 bytes (what `fs` reads), copied in as they are.
  if (wasm.BatchReplay.prototype.pushNdjsonBytes) {
    rows.push({
      key: 'wasmBatchBytes', label: 'wasm engine, BatchReplay.pushNdjsonBytes (4096 lines per call, UTF-8 Buffers)', reps,
      run(limit = n) {
        const r = new wasm.BatchReplay(model);
        for (let c = 0; c * 4096 < limit; c++) r.pushNdjsonBytes(byteChunks[c]);
        const { visitors, known, mql, scoreSum } = r.summary(asOf);
        r.free();
        return { visitors, known, mql, scoreSum };
      },
    });
  }
  // Builds that have it: one `CompiledModel` (parsed once, in the timed region) shared by an
  // engine per visitor, `Engine.fromModel`: the per-event API as a replay or a server uses it.
  if (wasm.CompiledModel) {
    rows.splice(1, 0, {
      key: 'wasmShared', label: 'wasm engine, Engine.ingest(object) per event, Engine.fromModel(one CompiledModel) per visitor', reps,
      run(limit = n) {
        const compiled = new wasm.CompiledModel(model);
        const g = grouper(() => wasm.Engine.fromModel(compiled));
        for (let i = 0; i < limit; i++) {
          const e = objects[i];
          g.get(e).ingest(e, Date.parse(e.timestamp));
        }
        const s = engineSummary(g.all);
        for (const eng of g.all) eng.free();
        compiled.free();
        return s;
      },
    });
  }
  return rows.map((r) => ({ ...r, key: prefix + r.key, label: r.label + suffix }));
}

const impls = [
  ...wasmImpls(wasm),
  ...(comparePkg ? wasmImpls(loadWasm(comparePkg), 'base:', ` [${comparePkg}]`) : []),
  {
    key: 'plain', label: 'hand-written plain JavaScript', reps,
    run(limit = n) {
      const s = createPlainScorer();
      for (let i = 0; i < limit; i++) s.ingest(objects[i]);
      return s.summary(asOf);
    },
  },
  {
    key: 'jre', label: 'json-rules-engine 7.3.1 (+ same book-keeping)', reps: jreReps,
    async run(limit = n) {
      const s = createJreScorer();
      for (let i = 0; i < limit; i++) await s.ingest(objects[i]);
      return s.summary(asOf);
    },
  },
];

// One `new Engine(modelText)` (model parsed + validated per visitor, the per-event API's fixed cost).
let constructUs = null;
{
  const k = 200;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) new wasm.Engine(model).free();
  constructUs = ((performance.now() - t0) * 1000) / k;
}

const only = arg('only', '').split(',').filter(Boolean);
const chosen = impls.filter((i) => !only.length || only.includes(i.key.replace(/^base:/, '')));
const withNative = !process.argv.includes('--no-native') && (!only.length || only.includes('native'));

/**
 * One native repetition: `cargo bench` runs the bench binary once over the same log. Built at
 * `opt-level = 3`, like the wasm Node build it is compared with: the release profile's "z" is the
 * snippet's size setting and would make native look slower than it is.
 */
function nativeOnce() {
  const run = spawnSync('cargo', ['bench', '--bench', 'native_throughput'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, CARGO_PROFILE_BENCH_OPT_LEVEL: '3', BENCH_LOG: path, BENCH_MODEL: MODEL_PATH, BENCH_REPS: '1' },
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`cargo bench failed (exit ${run.status}): ${run.stderr.slice(-400)}`);
  return JSON.parse(last);
}

// Repetitions interleave the implementations (round r of each, then round r + 1), so a burst of
// load on this shared machine lands on all of them rather than on one.
const rates = Object.fromEntries(chosen.map((i) => [i.key, []]));
const summaries = {};
const failed = {};
const nativeRuns = [];
const rounds = Math.max(reps, ...chosen.map((i) => i.reps));
// Warm-up, untimed: each implementation on the first 5,000 events (JIT tiers, wasm tier-up).
for (const impl of chosen) {
  try { await impl.run(Math.min(n, 5000)); } catch { /* reported by the timed rounds */ }
}
for (let round = 0; round < rounds; round++) {
  for (const impl of chosen) {
    if (round >= impl.reps || failed[impl.key]) continue;
    try {
      // Collect the previous implementation's garbage (json-rules-engine leaves a lot) outside the
      // timed region, so no implementation pays for another's; needs `node --expose-gc`.
      globalThis.gc?.();
      const t0 = performance.now();
      const out = await impl.run();
      const secs = out.timedSecs ?? (performance.now() - t0) / 1000;
      summaries[impl.key] = out.summary ?? out;
      rates[impl.key].push(n / secs);
    } catch (e) {
      failed[impl.key] = String(e.message ?? e);
      console.error(`[throughput] ${impl.label}: FAILED ${e.stack ?? e}`);
      process.exitCode = 1;
    }
  }
  if (withNative && round < reps && !failed.native) {
    try { nativeRuns.push(nativeOnce()); } catch (e) { failed.native = String(e.message ?? e); console.error(`[throughput] native: ${failed.native}`); }
  }
  console.error(`[throughput] round ${round + 1}/${rounds} done`);
}

const results = {};
for (const impl of chosen) {
  results[impl.key] = failed[impl.key]
    ? { label: impl.label, error: failed[impl.key] }
    : { label: impl.label, perSec: median(rates[impl.key]), rates: rates[impl.key], summary: summaries[impl.key] };
  console.error(`[throughput] ${impl.label}: ${fmt(results[impl.key].perSec)} events/s ${JSON.stringify(summaries[impl.key])}`);
}
if (withNative) {
  if (failed.native || !nativeRuns.length) {
    results.native = { label: 'native Rust (cargo bench)', error: failed.native ?? 'no run' };
  } else {
    const med = (k) => median(nativeRuns.map((x) => x[k]));
    const detail = { ...nativeRuns.at(-1), reps: nativeRuns.length, decodePerSec: med('decodePerSec'), replayPerSec: med('replayPerSec'), decodeAndReplayPerSec: med('decodeAndReplayPerSec') };
    const summary = nativeRuns.at(-1).summary;
    results.native = { label: 'native Rust, decode JSON + replay', perSec: detail.decodeAndReplayPerSec, summary, detail };
    results.nativeReplay = { label: 'native Rust, replay of decoded events', perSec: detail.replayPerSec, summary };
    console.error(`[throughput] native: ${fmt(detail.decodeAndReplayPerSec)} events/s (replay only ${fmt(detail.replayPerSec)}) ${JSON.stringify(summary)}`);
  }
}

// Agreement: every implementation against the wasm engine's summary.
const ref = (results.wasm?.summary ? results.wasm : Object.values(results).find((x) => x.summary))?.summary;
const same = (s) => s && ref && s.visitors === ref.visitors && s.known === ref.known && s.mql === ref.mql && Math.abs(s.scoreSum - ref.scoreSum) < 0.05;
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
