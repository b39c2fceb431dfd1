// Measures a 1,000,000-event import through the dashboard in headless Chromium: wall time of the
// import (the Worker streams the File in ~1 MiB pieces into the wasm parser and compact store),
// the main thread's longest frame gap and longest long task while it runs (is the page still
// responsive?), the main thread's peak JS heap, the Worker's wasm memory (linear memory only
// grows, so its size at the end is the peak), and the time to the first leads page (the replay
// of every visitor). A measurement, not a test: it prints figures and asserts nothing.
//
//   node .ci/build.mjs dashboard && node benches/dashboard-import.mjs [events] [visitors] [jsonl|json|csv]
import { mkdtempSync, createWriteStream, statSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../www/server.mjs';
import { launchBrowser, newPage } from '../tests/browser/harness.mjs';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const VISITORS = Number(process.argv[3] ?? 100_000);
const FORMAT = process.argv[4] ?? 'jsonl';
const CSV_COLUMNS = ['type', 'event', 'messageId', 'anonymousId', 'userId', 'timestamp', 'path', 'category', 'email', 'title', 'employees', 'industry', 'utm_source', 'utm_campaign'];

/** One event as a line of the chosen format. */
function line(e, first) {
  if (FORMAT === 'json') return `${first ? '[' : ',\n'}${JSON.stringify(e)}`;
  if (FORMAT !== 'csv') return `${JSON.stringify(e)}\n`;
  const p = { ...e.properties, ...e.traits, utm_source: e.context?.campaign?.source, utm_campaign: e.context?.campaign?.name };
  const cells = CSV_COLUMNS.map((c) => String(e[c] ?? p[c] ?? '')).map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v));
  return `${first ? `${CSV_COLUMNS.join(',')}\n` : ''}${cells.join(',')}\n`;
}
const PATHS = ['/', '/pricing', '/blog/speed-to-lead', '/blog/mql-vs-sql', '/product', '/customers', '/careers'];

async function generate(file) {
  const out = createWriteStream(file);
  const start = Date.parse('2026-08-01T00:00:00Z');
  const step = Math.floor((90 * 86_400_000) / EVENTS);
  let buf = '';
  for (let i = 0; i < EVENTS; i++) {
    const v = (i * 7919) % VISITORS; // spreads each visitor's events over the whole period
    const ts = new Date(start + i * step).toISOString();
    let e;
    if (i % 10 === 3) e = { type: 'track', event: 'Asset Downloaded', messageId: `b-${i}`, anonymousId: `v-${v}`, timestamp: ts, properties: { path: '/resources/pipeline-guide.pdf', category: 'guide' } };
    else if (i % 97 === 5) e = { type: 'identify', messageId: `b-${i}`, anonymousId: `v-${v}`, userId: `u${v}@corp${v % 300}.example`, timestamp: ts, traits: { email: `u${v}@corp${v % 300}.example`, title: v % 3 ? 'Marketing Manager' : 'VP Sales', employees: 50 + (v % 20) * 100, industry: 'Software' } };
    else e = { type: 'page', messageId: `b-${i}`, anonymousId: `v-${v}`, timestamp: ts, properties: { path: PATHS[i % PATHS.length] }, context: { campaign: i % 13 === 0 ? { source: 'linkedin', name: 'q3' } : undefined } };
    buf += line(e, i === 0);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(FORMAT === 'json' ? `${buf}]\n` : buf);
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
const file = join(dir, `events.${FORMAT}`);
const tGen = performance.now();
await generate(file);
const size = statSync(file).size;
console.log(`generated ${EVENTS.toLocaleString()} events (${VISITORS.toLocaleString()} visitors) as ${FORMAT}, ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);

const srv = await startServer({ port: 0 });
const browser = await launchBrowser(['--js-flags=--max-old-space-size=4096']);
try {
  const page = await newPage(browser);
  page.setDefaultTimeout(30 * 60_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${srv.url}/dashboard/#imports`);
  await page.waitForSelector('.bt-view[data-view="imports"][data-ready="1"]');
  await page.setInputFiles('#bt-events-file', file);
  // Longest gap between animation frames and longest long task on the main thread while the
  // Worker imports.
  await page.evaluate(() => {
    window.__gap = 0;
    window.__longTask = 0;
    let last = performance.now();
    const tick = (t) => { window.__gap = Math.max(window.__gap, t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTask = Math.max(window.__longTask, e.duration);
    });
    window.__observer.observe({ type: 'longtask' });
  });
  let peakHeap = 0;
  const sampler = setInterval(async () => {
    try {
      const { metrics } = await cdp.send('Performance.getMetrics');
      peakHeap = Math.max(peakHeap, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
    } catch { /* page closing */ }
  }, 250);
  const t0 = performance.now();
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report, #bt-events-result .bt-problems');
  const importMs = performance.now() - t0;
  const report = await page.$eval('#bt-events-result', (el) => el.textContent.slice(0, 200));
  const { gap, longTask } = await page.evaluate(() => {
    window.__stop = true;
    window.__observer.disconnect();
    return { gap: window.__gap, longTask: window.__longTask };
  });
  const t1 = performance.now();
  await page.click('#bt-nav button[data-view="leads"]');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const leadsMs = performance.now() - t1;
  clearInterval(sampler);
  const wasm = await page.evaluate(async () => {
    const { call } = await import('./client.js');
    return call('memory');
  });
  console.log(`import: ${(importMs / 1000).toFixed(1)} s (${((size / 1e6) / (importMs / 1000)).toFixed(1)} MB/s, ${Math.round(EVENTS / (importMs / 1000)).toLocaleString()} events/s)`);
  console.log(`report: ${report}`);
  console.log(`main thread: longest frame gap during import ${gap.toFixed(0)} ms, longest long task ${longTask.toFixed(0)} ms; peak JS heap ${(peakHeap / 1e6).toFixed(1)} MB`);
  console.log(`worker: wasm memory ${(wasm.wasmBytes / 1e6).toFixed(0)} MB${wasm.jsHeap ? `, JS heap ${(wasm.jsHeap / 1e6).toFixed(1)} MB` : ''}`);
  console.log(`first leads page (replay of every visitor): ${(leadsMs / 1000).toFixed(1)} s after the import; ${((importMs + leadsMs) / 1000).toFixed(1)} s from the import click`);
  if (page.errors.length) console.log('page errors:', page.errors);
} finally {
  await browser.close();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
}
