// Snippet weight beside published trackers: raw, gzip -9 and brotli (quality 11) bytes.
//
//   node benches/weight.mjs [--json target/bench/weight.json] [--trackers-dir DIR]
//
// Ours, as shipped: the inline embed code (www/snippet/embed.html's <script>), the minified loader
// (www/snippet/baton.min.js, built from www/snippet/baton.js), the minified wasm-bindgen glue and
// the wasm of the snippet build (www/pkg-snippet, `node .ci/build.mjs snippet`) — the same four
// parts benches/snippet.mjs weighs. Theirs: installed from npm into a
// temporary directory in this same run (never into the repository), naming the exact file measured:
// the file a site loads from the vendor's CDN or script tag, without lazily loaded extras.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { arg, fmt, OUT, ROOT } from './lib.mjs';

const jsonOut = arg('json', join(OUT, 'weight.json'));

export function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const embedHtml = readFileSync(join(ROOT, 'www/snippet/embed.html'), 'utf8');
const embed = embedHtml.slice(embedHtml.indexOf('<script>'), embedHtml.indexOf('</script>') + '</script>'.length);
const oursParts = [
  ['embed code (inline <script> of www/snippet/embed.html)', Buffer.from(embed)],
  ['loader www/snippet/baton.min.js (minified)', readFileSync(join(ROOT, 'www/snippet/baton.min.js'))],
  ['glue www/pkg-snippet/baton.js (minified)', readFileSync(join(ROOT, 'www/pkg-snippet/baton.js'))],
  ['wasm www/pkg-snippet/baton_bg.wasm', readFileSync(join(ROOT, 'www/pkg-snippet/baton_bg.wasm'))],
].map(([name, bytes]) => ({ name, ...sizes(bytes) }));
const sum = (rows, k) => rows.reduce((s, r) => s + r[k], 0);
const ours = { parts: oursParts, raw: sum(oursParts, 'raw'), gzip: sum(oursParts, 'gzip'), brotli: sum(oursParts, 'brotli') };

/** [package, file inside it, why this file]. */
const TRACKERS = [
  ['@segment/analytics-next', 'dist/umd/standalone.js', 'the analytics.js standalone bundle a site loads (lazy plugin chunks not counted)'],
  ['@snowplow/browser-tracker', 'dist/index.umd.min.js', 'the minified UMD bundle (core tracker, no plugins)'],
  ['posthog-js', 'dist/array.js', 'the bundle the posthog snippet loads from the CDN (recorder, surveys etc. load lazily, not counted)'],
  ['@plausible-analytics/tracker', 'plausible.js', 'the npm package\'s only module (already minified)'],
];

let dir = arg('trackers-dir', '');
let installError = null;
if (!dir) {
  dir = mkdtempSync(join(tmpdir(), 'baton-trackers-'));
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  const run = spawnSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', ...TRACKERS.map((t) => t[0])], {
    cwd: dir, encoding: 'utf8',
  });
  if (run.status !== 0) installError = `npm install failed (exit ${run.status}): ${run.stderr.slice(-400)}`;
}

const theirs = TRACKERS.map(([pkg, file, why]) => {
  try {
    const base = join(dir, 'node_modules', pkg);
    const version = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')).version;
    return { pkg, version, file, why, ...sizes(readFileSync(join(base, file))) };
  } catch (e) {
    return { pkg, file, why, error: installError ?? String(e.message ?? e) };
  }
});

const out = { ours, theirs, budgetGzip: 30 * 1024, stretchGzip: 20 * 1024 };
// The temporary install is only for measuring: remove it (a --trackers-dir given by the caller stays).
if (!arg('trackers-dir', '')) rmSync(dir, { recursive: true, force: true });
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(out, null, 2));

const kb = (n) => fmt(n / 1024, 1);
console.log('| what | file | raw KB | gzip -9 KB | brotli KB |');
console.log('|---|---|---:|---:|---:|');
for (const p of ours.parts) console.log(`| baton part | ${p.name} | ${kb(p.raw)} | ${kb(p.gzip)} | ${kb(p.brotli)} |`);
console.log(`| **baton snippet, total** | 4 files above | **${kb(ours.raw)}** | **${kb(ours.gzip)}** | **${kb(ours.brotli)}** |`);
for (const t of theirs) {
  if (t.error) console.log(`| ${t.pkg} | ${t.file} | — | — | — (${t.error}) |`);
  else console.log(`| ${t.pkg} ${t.version} | ${t.file} | ${kb(t.raw)} | ${kb(t.gzip)} | ${kb(t.brotli)} |`);
}
