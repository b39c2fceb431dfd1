// Builds the wasm outputs declared in wasm-pack.toml (our build matrix; wasm-pack itself never
// reads that file) and vendors the dashboard's browser dependencies from node_modules.
//
//   node .ci/build.mjs                 every entry
//   node .ci/build.mjs snippet node    only those entries
//   node .ci/build.mjs --dev ...       unoptimised, for iterating
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { buildFallback } from './fallback.mjs';
import { guardCall } from './free-guard.mjs';
import { minifySnippet } from './minify-snippet.mjs';
import { shortenNames } from './short-names.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dev = args.includes('--dev');
const wanted = args.filter((a) => !a.startsWith('--'));

const matrix = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8')).build ?? [];
const unknown = wanted.filter((w) => !matrix.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown build(s): ${unknown.join(', ')}; wasm-pack.toml declares: ${matrix.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

// wasm-pack picks up the first `wasm-opt` on PATH: make it binaryen's from npm, never Debian's.
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };
if (!existsSync(join(root, 'node_modules', '.bin', 'wasm-opt'))) {
  console.error('node_modules/.bin/wasm-opt is missing: run `bash .ci/install` first');
  process.exit(1);
}

for (const entry of matrix.filter((b) => !wanted.length || wanted.includes(b.name))) {
  const profile = dev ? 'dev' : entry.profile ?? 'release';
  const cmd = [
    'build', '--mode', 'no-install', `--${profile}`,
    '--target', entry.target,
    '--out-dir', join(root, entry['out-dir']),
    '--out-name', 'baton',
    '--no-pack',
    root,
  ];
  const features = entry.features ?? [];
  if (features.length) cmd.push('--', '--features', features.join(','));
  // Cargo reads profile overrides from the environment, so one matrix entry can trade bytes for
  // speed without a second cargo profile (wasm-pack only knows dev/release/profiling).
  const entryEnv = { ...env };
  if (entry['opt-level'] !== undefined && !dev) entryEnv.CARGO_PROFILE_RELEASE_OPT_LEVEL = String(entry['opt-level']);
  console.log(`[build] ${entry.name}: wasm-pack ${cmd.join(' ')}${entryEnv.CARGO_PROFILE_RELEASE_OPT_LEVEL ? ` (opt-level ${entryEnv.CARGO_PROFILE_RELEASE_OPT_LEVEL})` : ''}`);
  const run = spawnSync('wasm-pack', cmd, { cwd: root, env: entryEnv, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`[build] ${entry.name} failed (exit ${run.status})`);
    process.exit(run.status ?? 1);
  }
  // `--no-pack` writes no package.json, and the repository's own says "type": "module": mark
  // each output's module format so Node loads the nodejs target's CommonJS glue as CommonJS.
  const format = { type: entry.target === 'nodejs' ? 'commonjs' : 'module', private: true };
  writeFileSync(join(root, entry['out-dir'], 'package.json'), JSON.stringify(format, null, 2) + '\n');
  if (entry.target === 'nodejs') {
    // The raw Node build is loaded as it is (the demo receiver, the JS tests, servers following
    // the README): the same guard against use after free() as the npm package's entries.
    const glue = join(root, entry['out-dir'], 'baton.js');
    const source = readFileSync(glue, 'utf8');
    const classes = [...source.matchAll(/^class (\w+) \{/gm)].map((m) => m[1]);
    if (!classes.length || !source.includes('this.__wbg_ptr = 0;')) {
      console.error(`[build] ${entry.name}: no wasm-bindgen classes with __wbg_ptr in baton.js; update .ci/free-guard.mjs`);
      process.exit(1);
    }
    writeFileSync(glue, `${source}\n// Added by .ci/build.mjs (.ci/free-guard.mjs).${guardCall(classes)}`);
  }
  if (entry.name === 'snippet') {
    // The names the wasm and its glue share, shortened in both (before the fallback reads the wasm).
    const [before, after] = shortenNames(join(root, entry['out-dir']));
    console.log(`[build] snippet names shortened: baton_bg.wasm ${before} → ${after} B`);
  }
  // The snippet's no-WebAssembly fallback: the same wasm through binaryen's wasm2js.
  if (entry.name === 'snippet') console.log(`[build] snippet fallback: ${buildFallback({ root, outDir: join(root, entry['out-dir']), dev })}`);
}

// What a site visitor downloads ships minified: the snippet's loader and glue.
if (!wanted.length || wanted.includes('snippet')) {
  for (const [path, before, after] of minifySnippet(root)) console.log(`[build] minified ${path}: ${before} → ${after} B`);
}

// The dashboard is static files with no runtime build step: vendor uPlot beside it.
const vendor = join(root, 'www', 'dashboard', 'vendor');
mkdirSync(vendor, { recursive: true });
for (const f of ['uPlot.esm.js', 'uPlot.min.css']) {
  copyFileSync(join(root, 'node_modules', 'uplot', 'dist', f), join(vendor, f));
}
// The example models are test fixtures (shared by Rust and JS tests); the demo pages load copies.
const models = join(root, 'www', 'models');
mkdirSync(models, { recursive: true });
const fixtureModels = join(root, 'tests', 'fixtures', 'models');
for (const f of existsSync(fixtureModels) ? readdirSync(fixtureModels) : []) {
  if (f.endsWith('.json')) copyFileSync(join(fixtureModels, f), join(models, f));
}
console.log('[build] done');
