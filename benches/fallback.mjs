// The snippet's no-WebAssembly fallback (binaryen's wasm2js translation of the snippet's wasm)
// against the wasm it comes from: weight, and in headless Chromium, start-up and per-event cost
// side by side in one run. A benchmark, not a test: it prints, it asserts nothing.
//
//   node .ci/build.mjs snippet && node benches/fallback.mjs [--runs 9] [--events 2000]
//
// Each run opens two fresh contexts, one per engine, same page, same model, same events:
// start (fetch + compile/parse + instantiate), `new Tracker` (model parse + validate + restore),
// and per event `track` → scored → persisted to localStorage (median, p95, batch mean).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/browser/harness.mjs';
import { root, startDemo, testModel } from '../tests/browser/snippet-support.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 9);
const EVENTS = arg('--events', 2000);

// ---- weight ------------------------------------------------------------------------------------
const sizes = (b) => [
  b.length,
  gzipSync(b, { level: 9 }).length,
  brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
];
const kb = (n) => (n / 1024).toFixed(1).padStart(8);
const wasm = sizes(readFileSync(join(root, 'www/pkg-snippet/baton_bg.wasm')));
const fallback = sizes(readFileSync(join(root, 'www/pkg-snippet/baton_fallback.js')));
console.log('engine file                           raw KB   gzip-9 KB  brotli KB');
console.log(`${'pkg-snippet/baton_bg.wasm'.padEnd(34)} ${kb(wasm[0])}   ${kb(wasm[1])}   ${kb(wasm[2])}`);
console.log(`${'pkg-snippet/baton_fallback.js'.padEnd(34)} ${kb(fallback[0])}   ${kb(fallback[1])}   ${kb(fallback[2])}`);
console.log(
  `fallback / wasm: raw ${(fallback[0] / wasm[0]).toFixed(2)}x, gzip ${(fallback[1] / wasm[1]).toFixed(2)}x, ` +
    `brotli ${(fallback[2] / wasm[2]).toFixed(2)}x (downloaded only where WebAssembly cannot run)\n`,
);

// ---- cost --------------------------------------------------------------------------------------
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => `${x.toFixed(2)} ms`;

/** One engine in one fresh context: timings, and per-event samples when `measureEvents`. */
async function once(browser, srv, model, engine, measureEvents) {
  const ctx = await browser.newContext();
  await ctx.route(srv.url + '/bench.html', (r) =>
    r.fulfill({ contentType: 'text/html', body: '<!doctype html><link rel="icon" href="data:,"><title>bench</title>' }),
  );
  const page = await ctx.newPage();
  await page.goto(srv.url + '/bench.html');
  await page.addScriptTag({ path: join(root, 'benches/inpage-events.js') });
  await page.addScriptTag({ path: join(root, 'tests/browser/tracker-replay.js') });
  const out = await page.evaluate(
    async ({ model, events, measureEvents, engine }) => {
      const t0 = performance.now();
      const glue = await import('/pkg-snippet/baton.js');
      if (engine === 'wasm') await glue.default();
      else (await import('/pkg-snippet/baton_fallback.js')).init(glue);
      const t1 = performance.now();
      const tracker = new glue.Tracker({ model, endpoint: '/api/handoff' });
      const t2 = performance.now();
      if (!measureEvents) return { init: t1 - t0, load: t2 - t1 };
      const make = window.benchEvent;
      const { each, mean } = window.benchTrack(tracker, events);
      // Same engine, same answers: a replay through the Tracker with a fixed clock.
      const replay = window.trackerReplay(glue, model, make, 500, Date.parse('2026-11-02T09:00:00Z'), 60_000);
      return { init: t1 - t0, load: t2 - t1, each, mean, replay };
    },
    { model, events: EVENTS, measureEvents, engine },
  );
  await ctx.close();
  return out;
}

const srv = await startDemo();
const browser = await launchBrowser();
try {
  const model = testModel(srv);
  const res = { wasm: { init: [], load: [] }, fallback: { init: [], load: [] } };
  for (let run = 0; run < RUNS; run++) {
    // Alternate which engine goes first, so neither always gets the warmer machine.
    const order = run % 2 ? ['fallback', 'wasm'] : ['wasm', 'fallback'];
    for (const engine of order) {
      const out = await once(browser, srv, model, engine, run === RUNS - 1);
      res[engine].init.push(out.init);
      res[engine].load.push(out.load);
      if (out.each) Object.assign(res[engine], { each: out.each, mean: out.mean, replay: out.replay });
    }
  }
  const same = res.wasm.replay === res.fallback.replay;
  console.log(`identical results (500-event replay through the Tracker: every score, stage and handoff, the final score and explanation): ${same ? 'yes' : 'NO'} (${res.wasm.replay.length} chars)`);
  for (const [label, key] of [
    ['start (fetch + compile/parse + instantiate)', 'init'],
    ['new Tracker (model parse + validate + restore)', 'load'],
  ]) {
    const w = quantile(res.wasm[key], 0.5);
    const f = quantile(res.fallback[key], 0.5);
    console.log(`${label}, ${RUNS} fresh contexts: wasm median ${ms(w)}, fallback median ${ms(f)} (${(f / w).toFixed(1)}x)`);
  }
  const w = res.wasm;
  const f = res.fallback;
  console.log(`track → scored → persisted, ${EVENTS} events:`);
  console.log(`  wasm      median ${ms(quantile(w.each, 0.5))}, p95 ${ms(quantile(w.each, 0.95))}, batch mean ${ms(w.mean)}`);
  console.log(`  fallback  median ${ms(quantile(f.each, 0.5))}, p95 ${ms(quantile(f.each, 0.95))}, batch mean ${ms(f.mean)}`);
  console.log(`  fallback / wasm (batch mean): ${(f.mean / w.mean).toFixed(1)}x`);
} finally {
  await browser.close();
  await srv.close();
}
