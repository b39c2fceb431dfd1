// Snippet weight and in-page cost (a benchmark, not a test: it prints, it asserts nothing).
//
//   node .ci/build.mjs snippet && node benches/snippet.mjs [--runs 15] [--events 2000] [--pkg DIR]...
//
// Weight: what ships (embed code + minified loader + minified JS glue + wasm), raw / gzip -9 /
// brotli, against the issue's budget (≤ 30 KB gzip, the published @segment/analytics-next bundle;
// aim 20 KB).
// Cost, in headless Chromium (Debian's, via playwright-core): wasm init (fetch + compile +
// instantiate, a fresh browser context each run), model load (`new Tracker`; then a second one on
// the same page, which V8's lazy compilation no longer slows: the model's own cost), and per event
// `track` → scored → persisted to localStorage, median and p95. The bench page is cross-origin
// isolated (COOP + COEP), which gives `performance.now()` 5 µs resolution instead of 100 µs.
// Beside it, the same events scored in memory only (a tracker whose consent is pending: nothing
// stored) and one `localStorage.setItem` alone, so what persisting costs shows.
// The tracker writes the visitor's state off the event's path (an idle callback, once for a burst):
// the events-in-one-task line then holds one write per 32 events (the bound on what waits), and
// the rest of each write runs after the loop. So, in the same run: events one at a time, each in
// its own task followed by its write (the time inside `track`, the idle write's own cost timed by
// wrapping `requestIdleCallback` in the page, and their sum per event: the issue's
// track → scored → persisted for a visitor who does one thing at a time), and bursts of 10 events
// in one task followed by their write (per event). A build that writes inside `track` shows its
// whole cost inside `track` and no idle write. Beside each isolated event, in tasks of their own
// at the same cadence: the event scored in memory only and one `setItem` alone, the floor under
// any build that stores each event (a lone `setItem` costs several times what one in a tight loop
// does, so the loop's `setItem` line is no floor for an isolated event).
// `--pkg DIR` (repeatable) measures other builds of the snippet (a wasm-bindgen `web` output:
// baton.js + baton_bg.wasm) in the same run beside this checkout's www/pkg-snippet, runs
// interleaved: this checkout's is the one reported (its weight, the lines without a tag).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/browser/harness.mjs';
import { root, startDemo, testModel } from '../tests/browser/snippet-support.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 15);
const EVENTS = arg('--events', 2000);
const ISOLATED = arg('--isolated', 500);
const BURSTS = arg('--bursts', 200);
const BURST = 10;
// This checkout's build first (the one reported), then each `--pkg` build beside it.
const own = join(root, 'www/pkg-snippet');
const pkgs = [own, ...process.argv.flatMap((a, i) => (a === '--pkg' && resolve(process.argv[i + 1]) !== own ? [resolve(process.argv[i + 1])] : []))];
const BUDGET_GZIP = 30 * 1024;

// ---- weight ------------------------------------------------------------------------------------
const embedHtml = readFileSync(join(root, 'www/snippet/embed.html'), 'utf8');
const embed = embedHtml.slice(embedHtml.indexOf('<script>'), embedHtml.indexOf('</script>') + 9);
const parts = [
  ['embed (inline)', Buffer.from(embed)],
  ['www/snippet/baton.min.js', readFileSync(join(root, 'www/snippet/baton.min.js'))],
  ['glue baton.js', readFileSync(join(pkgs[0], 'baton.js'))],
  ['baton_bg.wasm', readFileSync(join(pkgs[0], 'baton_bg.wasm'))],
];
const kb = (n) => (n / 1024).toFixed(1).padStart(8);
const sizes = (b) => [
  b.length,
  gzipSync(b, { level: 9 }).length,
  brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
];
console.log(`snippet weight (${pkgs[0]})`);
console.log('                                    raw KB   gzip-9 KB  brotli KB');
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
const ms = (x) => `${x.toFixed(3)} ms`;

const srv = await startDemo();
const browser = await launchBrowser();
try {
  const model = testModel(srv);
  const results = pkgs.map((dir) => ({ dir, inits: [], loads: [], reloads: [], perEvent: [], batchMean: 0, stored: 0, isolated: false }));
  for (let run = 0; run < RUNS; run++) {
    for (const res of results) await measure(res, run === RUNS - 1);
  }
  results.forEach((res, i) => {
    const tag = i === 0 ? '' : `[${res.dir}] `;
    if (!res.isolated) console.log(`${tag}NOTE: the page was not cross-origin isolated: timer resolution 100 µs`);
    console.log(`${tag}stored visitor record after ${2 * EVENTS} events: ${res.stored} chars`);
    console.log(`${tag}wasm init (fetch + compile + instantiate), ${RUNS} fresh contexts: median ${ms(quantile(res.inits, 0.5))}, p95 ${ms(quantile(res.inits, 0.95))}`);
    console.log(`${tag}new Tracker (model parse + validate + restore): median ${ms(quantile(res.loads, 0.5))}, p95 ${ms(quantile(res.loads, 0.95))}`);
    console.log(`${tag}a second new Tracker, same page (code compiled; consent pending, so nothing restored): median ${ms(quantile(res.reloads, 0.5))}, p95 ${ms(quantile(res.reloads, 0.95))}`);
    console.log(
      `${tag}track, ${EVENTS} events one after another in one task (a build that writes off the path: its write every 32 events only): median ${ms(quantile(res.perEvent, 0.5))}, p95 ${ms(quantile(res.perEvent, 0.95))}, ` +
        `mean of a batch ${ms(res.batchMean)}`,
    );
    console.log(`${tag}the same events scored in memory only (a tracker with consent pending: nothing stored), ${EVENTS} events: median ${ms(quantile(res.inMemory, 0.5))}, p95 ${ms(quantile(res.inMemory, 0.95))}`);
    console.log(`${tag}floor under each event: localStorage.setItem of the visitor record alone, same page: median ${ms(quantile(res.writes, 0.5))}, p95 ${ms(quantile(res.writes, 0.95))}`);
    const iso = res.isolatedEvents;
    const wrote = iso.write.filter((w) => w > 0);
    console.log(`${tag}one event at a time (${ISOLATED} events, each in its own task, then its write): inside track (scored; a deferred state write not included): median ${ms(quantile(iso.onPath, 0.5))}, p95 ${ms(quantile(iso.onPath, 0.95))}`);
    console.log(
      `${tag}  the deferred write (idle callback body), ${wrote.length} of ${ISOLATED} events: ` +
        (wrote.length ? `median ${ms(quantile(wrote, 0.5))}, p95 ${ms(quantile(wrote, 0.95))}` : 'none (written inside track)'),
    );
    console.log(`${tag}  track → scored → persisted, per event (inside track + its write): median ${ms(quantile(iso.total, 0.5))}, p95 ${ms(quantile(iso.total, 0.95))}`);
    if (iso.floor) {
      const f = iso.floor;
      const mp = (xs) => `median ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}`;
      console.log(`${tag}  the floor beside each event, each in a task of its own: the event scored in memory only ${mp(f.memory)}; one localStorage.setItem of the record alone ${mp(f.setRecord)}; one setItem of 256 characters alone ${mp(f.setSmall)}`);
      console.log(`${tag}  least any build that stores each event can take (in memory + one setItem of the record), per event: ${mp(f.least)}`);
    }
    console.log(
      `${tag}bursts of ${BURST} events in one task, then their write (${BURSTS} bursts): per event (the burst's track + write, / ${BURST}): ` +
        `median ${ms(quantile(res.bursts.perEvent, 0.5))}, p95 ${ms(quantile(res.bursts.perEvent, 0.95))}; each track alone: median ${ms(quantile(res.bursts.each, 0.5))}, p95 ${ms(quantile(res.bursts.each, 0.95))}`,
    );
  });
  // Side by side, so the ratios show.
  const rows = [
    ['track, events in one task', (r) => r.perEvent],
    ['one at a time: inside track', (r) => r.isolatedEvents.onPath],
    ['one at a time: deferred write', (r) => r.isolatedEvents.write.filter((w) => w > 0)],
    ['one at a time: track+write', (r) => r.isolatedEvents.total],
    ['one at a time: in memory only', (r) => r.isolatedEvents.floor?.memory ?? []],
    ['one at a time: setItem of record alone', (r) => r.isolatedEvents.floor?.setRecord ?? []],
    ['one at a time: setItem of 256 chars', (r) => r.isolatedEvents.floor?.setSmall ?? []],
    ['one at a time: in memory + setItem', (r) => r.isolatedEvents.floor?.least ?? []],
    [`burst of ${BURST}: per event incl. write`, (r) => r.bursts.perEvent],
    ['scored in memory only', (r) => r.inMemory],
  ];
  const cell = (xs) => (xs.length ? `${quantile(xs, 0.5).toFixed(3)} / ${quantile(xs, 0.95).toFixed(3)}` : '—').padStart(15);
  console.log(`\nper event, ms (median / p95)${' '.repeat(11)}${results.map((r, i) => `   ${String.fromCharCode(65 + i).padStart(15)}`).join('')}`);
  for (const [name, pick] of rows) console.log(`${name.padEnd(40)}${results.map((r) => `   ${cell(pick(r))}`).join('')}`);
  results.forEach((r, i) => console.log(`  ${String.fromCharCode(65 + i)} = ${r.dir}`));

  /** One fresh context: init and model load; on the last run also the per-event costs. */
  async function measure(res, measureEvents) {
    const ctx = await browser.newContext();
    await ctx.route(srv.url + '/bench.html', (r) =>
      r.fulfill({
        contentType: 'text/html',
        // Cross-origin isolation: 5 µs timers. Everything the page loads is same-origin.
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
        body: '<!doctype html><link rel="icon" href="data:,"><title>bench</title>',
      }),
    );
    await ctx.route(srv.url + '/bench-pkg/*', (r) => {
      const file = new URL(r.request().url()).pathname.split('/').pop();
      r.fulfill({
        contentType: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
        body: readFileSync(join(res.dir, file)),
      });
    });
    const page = await ctx.newPage();
    await page.goto(srv.url + '/bench.html');
    await page.addScriptTag({ path: join(root, 'benches/inpage-events.js') });
    const out = await page.evaluate(
      async ({ model, events, measureEvents, isolated, burstCount, burst }) => {
        const t0 = performance.now();
        const glue = await import('/bench-pkg/baton.js');
        await glue.default();
        const t1 = performance.now();
        const tracker = new glue.Tracker({ model, endpoint: '/api/handoff' });
        const t2 = performance.now();
        // The first construction also pays V8's lazy compilation of every function it reaches;
        // a second one on the same page (consent pending: nothing restored or stored) is the
        // model's parse and validation alone.
        const again = new glue.Tracker({ model, consent: 'required' });
        const reload = performance.now() - t2;
        again.free();
        if (!measureEvents) return { init: t1 - t0, load: t2 - t1, reload, isolated: crossOriginIsolated };
        const make = window.benchEvent;
        const { each, mean } = window.benchTrack(tracker, events);
        // What the loop left unwritten is written in the next idle period: not in what follows.
        if (window.benchIdle) await window.benchIdle();
        // The floor under "persisted": the one localStorage write per event, alone, same page.
        const record = localStorage.getItem('baton:v1:visitor');
        const writes = [];
        for (let i = 0; i < events; i++) {
          const a = performance.now();
          localStorage.setItem('baton:bench:probe', record + i);
          writes.push(performance.now() - a);
        }
        localStorage.removeItem('baton:bench:probe');
        // The same events scored in memory only (a second tracker, consent 'required' and never
        // granted: nothing stored, nothing sent): what persisting adds is the difference.
        const pending = new glue.Tracker({ model, consent: 'required' });
        const inMemory = [];
        for (let i = 0; i < events; i++) {
          const e = make(i);
          const a = performance.now();
          pending.track(e);
          inMemory.push(performance.now() - a);
        }
        pending.free();
        const stored = localStorage.getItem('baton:v1:visitor').length;
        // One event at a time, then bursts: the same tracker, events the loops above did not use.
        // Beside each, at the same cadence: the floor any build stores an event above.
        const floorTracker = new glue.Tracker({ model, consent: 'required' });
        const isolatedEvents = await window.benchIsolated(tracker, isolated, 2 * events, {
          pending: floorTracker,
          record: localStorage.getItem('baton:v1:visitor'),
        });
        floorTracker.free();
        const bursts = await window.benchBursts(tracker, burstCount, burst, 2 * events + isolated);
        return {
          isolatedEvents,
          bursts,
          inMemory,
          init: t1 - t0,
          load: t2 - t1,
          reload,
          isolated: crossOriginIsolated,
          each,
          mean,
          writes,
          stored,
        };
      },
      { model, events: EVENTS, measureEvents, isolated: ISOLATED, burstCount: BURSTS, burst: BURST },
    );
    res.inits.push(out.init);
    res.loads.push(out.load);
    res.reloads.push(out.reload);
    res.isolated = out.isolated;
    if (out.each) {
      res.perEvent = out.each;
      res.writes = out.writes;
      res.inMemory = out.inMemory;
      res.batchMean = out.mean;
      res.stored = out.stored;
      res.isolatedEvents = out.isolatedEvents;
      res.bursts = out.bursts;
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await srv.close();
}
