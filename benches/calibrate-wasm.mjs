// Calibration speed in WebAssembly against native, on the UCI Bank Marketing table
// (45,211 rows × 16 attribute columns, `duration` excluded, stratified 70/30, seed 42).
//
//   node .ci/build.mjs node            # builds pkg/node (release, feature `analytics`)
//   node benches/calibrate-wasm.mjs    # add --no-native to skip the `cargo bench` run
//
// Prints the wasm median beside the native median from `cargo bench --bench calibrate`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = resolve(root, '../shared/data/uci-bank-marketing/bank-full.csv');
// BATON_NODE_PKG: time another Node build (e.g. one built into a private out-dir).
const pkgDir = resolve(process.env.BATON_NODE_PKG ?? join(root, 'pkg/node'));
const pkgPath = join(pkgDir, 'baton.js');
const RUNS = 7;

if (!existsSync(csvPath)) {
  console.log(`SKIPPED: ${csvPath} is absent`);
  process.exit(0);
}
if (!existsSync(pkgPath)) {
  console.error(`${pkgPath} is missing: run \`node .ci/build.mjs node\` first`);
  process.exit(1);
}

const { calibrate } = createRequire(import.meta.url)(pkgPath);
const csvText = readFileSync(csvPath, 'utf8');
const options = { outcomeColumn: 'y', positiveValues: ['yes'], exclude: ['duration'], split: 'stratified', seed: 42 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// One warm-up run (compiles the wasm tiers), then the timed runs.
let report = calibrate(csvText, options);
const times = [];
let progressCalls = 0;
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  report = calibrate(csvText, options, () => { progressCalls++; });
  times.push(performance.now() - start);
}
const wasmMs = median(times);
// A dev build (`--dev`) is several times larger and slower: the size shows which one was timed.
const wasmKb = statSync(join(pkgDir, 'baton_bg.wasm')).size / 1024;
const wasmLine =
  `calibrate wasm   (Node ${process.versions.node}, ${wasmKb.toFixed(0)} KB wasm, median of ${RUNS}): ${wasmMs.toFixed(1)} ms ` +
  `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}); ` +
  `test AUC ${report.evaluation.test.auc.toFixed(4)}, ${report.fit.parameters} parameters, ` +
  `${progressCalls / RUNS} progress calls per run`;

let nativeMs = null;
let nativeLine = 'calibrate native: skipped (--no-native)';
if (!process.argv.includes('--no-native')) {
  const run = spawnSync('cargo', ['bench', '--quiet', '--features', 'analytics', '--bench', 'calibrate'], {
    cwd: root,
    encoding: 'utf8',
  });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('calibrate native'));
  if (run.status === 0 && line) {
    nativeLine = line;
    const m = /calibrate\(csv\) total ([\d.]+) \(([\d.]+)\) ms/.exec(line);
    nativeMs = m && { median: Number(m[1]), min: Number(m[2]) };
  } else {
    nativeLine = `calibrate native: cargo bench failed (exit ${run.status})\n${run.stderr ?? ''}`;
  }
}

console.log(nativeLine);
console.log(wasmLine);
if (nativeMs) {
  console.log(
    `side by side, median (min): native ${nativeMs.median.toFixed(1)} (${nativeMs.min.toFixed(1)}) ms, ` +
      `wasm ${wasmMs.toFixed(1)} (${Math.min(...times).toFixed(1)}) ms; ` +
      `wasm/native ${(wasmMs / nativeMs.median).toFixed(2)}× (${(Math.min(...times) / nativeMs.min).toFixed(2)}×); ` +
      'target: wasm well under 2000 ms',
  );
}
