// Snippet weight and in-page cost (a benchmark, not a test: it prints, it asserts nothing).
//
//   node .ci/build.mjs snippet && node benches/snippet.mjs [--runs 15] [--events 2000]
//
// Weight: embed code + loader + JS glue + wasm, raw / gzip -9 / brotli, against the budget
// (≤ 30 KB gzip, the published @segment/analytics-next bundle; aim 20 KB).
// Cost, in headless Chromium (Debian's, via playwright-core): wasm init (fetch + compile +
// instantiate, a fresh browser context each run), model load (`new Tracker`), and per event
// `track` → scored → persisted to localStorage, median and p95.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/browser/harness.mjs';
import { root, startDemo, testModel } from '../tests/browser/snippet-support.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 15);
const EVENTS = arg('--events', 2000);
const BUDGET_GZIP = 30 * 1024;

// ---- weight ------------------------------------------------------------------------------------
const embedHtml = readFileSync(join(root, 'www/snippet/embed.html'), 'utf8');
const embed = embedHtml.slice(embedHtml.indexOf('<script>'), embedHtml.indexOf('</script>') + 9);
const parts = [
  ['embed (inline)', Buffer.from(embed)],
  ['www/snippet/baton.js', readFileSync(join(root, 'www/snippet/baton.js'))],
  ['www/pkg-snippet/baton.js', readFileSync(join(root, 'www/pkg-snippet/baton.js'))],
  ['www/pkg-snippet/baton_bg.wasm', readFileSync(join(root, 'www/pkg-snippet/baton_bg.wasm'))],
];
const kb = (n) => (n / 1024).toFixed(1).padStart(8);
const sizes = (b) => [
  b.length,
  gzipSync(b, { level: 9 }).length,
  brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
];
console.log('snippet weight                      raw KB   gzip-9 KB  brotli KB');
const total = [0, 0, 0];
for (const [name, bytes] of parts) {
  const s = sizes(bytes);
  s.forEach((v, i) => (total[i] += v));
  console.log(`${name.padEnd(32)} ${kb(s[0])}   ${kb(s[1])}   ${kb(s[2])}`);
}
console.log(`${'total'.padEnd(32)} ${kb(total[0])}   ${kb(total[1])}   ${kb(total[2])}`);
console.log(
  `budget: gzip ${(total[1] / 1024).toFixed(1)} KB of ${BUDGET_GZIP / 1024} KB ` +
    `(${total[1] <= BUDGET_GZIP ? 'within' : 'OVER'}; aim 20 KB)\n`,
);

// ---- cost --------------------------------------------------------------------------------------
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => `${x.toFixed(2)} ms`;

const srv = await startDemo();
const browser = await launchBrowser();
try {
  const model = testModel(srv);
  const inits = [];
  const loads = [];
  let perEvent = [];
  let batchMean = 0;
  for (let run = 0; run < RUNS; run++) {
    const ctx = await browser.newContext();
    await ctx.route(srv.url + '/bench.html', (r) =>
      r.fulfill({ contentType: 'text/html', body: '<!doctype html><link rel="icon" href="data:,"><title>bench</title>' }),
    );
    const page = await ctx.newPage();
    await page.goto(srv.url + '/bench.html');
    const out = await page.evaluate(
      async ({ model, events, measureEvents }) => {
        const t0 = performance.now();
        const glue = await import('/pkg-snippet/baton.js');
        await glue.default();
        const t1 = performance.now();
        const tracker = new glue.Tracker({ model, endpoint: '/api/handoff' });
        const t2 = performance.now();
        if (!measureEvents) return { init: t1 - t0, load: t2 - t1 };
        // A realistic mix: page views, downloads, an identify now and then.
        const make = (i) =>
          i % 10 === 9
            ? { type: 'identify', traits: { email: `v${i}@example.com`, title: 'Manager', employees: 120 + i } }
            : i % 3 === 0
              ? { type: 'track', event: 'Asset Downloaded', properties: { path: `/resources/doc-${i}.pdf` } }
              : { type: 'page', properties: { path: i % 2 ? '/pricing' : `/blog/post-${i}`, url: location.href } };
        const each = [];
        for (let i = 0; i < events; i++) {
          const e = make(i);
          const a = performance.now();
          tracker.track(e);
          each.push(performance.now() - a);
        }
        const b0 = performance.now();
        for (let i = 0; i < events; i++) tracker.track(make(i));
        const mean = (performance.now() - b0) / events;
        return { init: t1 - t0, load: t2 - t1, each, mean, stored: localStorage.getItem('baton:v1:visitor').length };
      },
      { model, events: EVENTS, measureEvents: run === RUNS - 1 },
    );
    inits.push(out.init);
    loads.push(out.load);
    if (out.each) {
      perEvent = out.each;
      batchMean = out.mean;
      console.log(`stored visitor record after ${2 * EVENTS} events: ${out.stored} chars`);
    }
    await ctx.close();
  }
  console.log(`wasm init (fetch + compile + instantiate), ${RUNS} fresh contexts: median ${ms(quantile(inits, 0.5))}, p95 ${ms(quantile(inits, 0.95))}`);
  console.log(`new Tracker (model parse + validate + restore): median ${ms(quantile(loads, 0.5))}, p95 ${ms(quantile(loads, 0.95))}`);
  console.log(
    `track → scored → persisted, ${EVENTS} events: median ${ms(quantile(perEvent, 0.5))}, p95 ${ms(quantile(perEvent, 0.95))}, ` +
      `mean of a batch ${ms(batchMean)} (timer resolution is coarsened in the page, so the batch mean is the precise one)`,
  );
} finally {
  await browser.close();
  await srv.close();
}
