// Shared by the snippet browser tests: a demo server with a fresh handoff file, fixture pages that
// embed the real embed code (www/snippet/embed.html) with a test configuration, test models derived
// from the demo model, and polling helpers bounded in time.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/server.mjs';
import { launchBrowser } from './harness.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const demoModel = JSON.parse(readFileSync(join(root, 'tests/fixtures/models/demo.model.json'), 'utf8'));

/** A server for one test file: static www/, the receiver with its own JSONL file. */
export async function startDemo(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-snippet-'));
  return startServer({ port: 0, dataFile: join(dir, 'handoffs.jsonl'), ...options });
}

/**
 * A test file's demo server (`options` as for `startDemo`) and Chromium, for `before`:
 * `before(async () => ({ srv, browser } = await openDemo()))`, `after(() => closeDemo({ srv, browser }))`.
 */
export async function openDemo(options) {
  const srv = await startDemo(options);
  try {
    return { srv, browser: await launchBrowser() };
  } catch (e) {
    await srv.close();
    throw e;
  }
}

/** Closes what `openDemo` started (either may be missing when `before` failed). */
export async function closeDemo({ srv, browser }) {
  await browser?.close();
  await srv?.close();
}

/** The embed code from www/snippet/embed.html, with `config` in place of its example config. */
export function embed(config) {
  const html = readFileSync(join(root, 'www/snippet/embed.html'), 'utf8');
  const script = html.slice(html.indexOf('<script>'), html.indexOf('</script>') + '</script>'.length);
  const replaced = script.replace(/\(window,document,\{[\s\S]*\}\);/, () => `(window,document,${JSON.stringify(config)});`);
  if (replaced === script) throw new Error('embed.html: config object not found');
  return replaced;
}

/** Serves `body` with the embed in <head> at `srv.url + path` (for every page of `ctx`). */
export async function fixture(ctx, srv, path, { config, body = '', head = '' }) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>fixture ${path}</title>${head}${embed({ src: '/snippet/baton.min.js', ...config })}</head>
<body>${body}</body></html>`;
  await ctx.route(srv.url + path, (route) => route.fulfill({ contentType: 'text/html', body: html }));
}

/** Answers downloads with 204 (no navigation): the click is what the snippet sees, not the file. */
export async function stubFiles(ctx, srv, pattern = /\.(pdf|pptx|docx|zip)(\?|#|$)/i) {
  await ctx.route(
    (url) => url.href.startsWith(srv.url) && pattern.test(url.pathname + url.search),
    (route) => route.fulfill({ status: 204, body: '' }),
  );
}

/**
 * A model for tests: the demo model with `patch` applied per top-level key, the endpoint of this
 * server, and short retry settings (the minimums the model accepts) so retries happen in seconds.
 */
export function testModel(srv, patch = {}) {
  const m = structuredClone(demoModel);
  m.handoff.endpoint = srv.url + '/api/handoff';
  m.handoff.retry = { maxAttempts: 100, maxAgeMinutes: 60, baseDelaySeconds: 1, maxDelaySeconds: 2, leaseSeconds: 3 };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'handoff') Object.assign(m.handoff, v);
    else m[k] = v;
  }
  return m;
}

/** Waits until the snippet has replaced the stub (or failed), bounded. */
export async function ready(page, timeout = 10_000) {
  await page.waitForFunction(() => window.baton && window.baton.loaded === true, null, { timeout });
  // The loader swaps in its API before the wasm is ready, and queues calls until then. A queued
  // call runs while the queue drains, before the automatic page view; the second `score`, one task
  // later, sees the page as it is once the snippet is fully started.
  return page.evaluate(
    () => new Promise((ok) => window.baton('score', () => setTimeout(() => window.baton('score', ok), 0))),
  );
}

export const score = (page) => page.evaluate(() => new Promise((ok) => window.baton('score', ok)));
export const explain = (page) => page.evaluate(() => new Promise((ok) => window.baton('explain', ok)));

/** Polls `fn` until it returns a truthy value or `timeout` passes (then throws with `what`). */
export async function until(fn, what, timeout = 10_000, every = 100) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** `baton:` keys in the page's localStorage, parsed where they are JSON. */
export function stored(page) {
  return page.evaluate(() => {
    const out = {};
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k.startsWith('baton:')) out[k] = localStorage.getItem(k);
    }
    return out;
  });
}

/** Console messages of a type, recorded on the page from now on. */
export function recordConsole(page, type = 'warning') {
  const out = [];
  page.on('console', (m) => m.type() === type && out.push(m.text()));
  return out;
}

/** Fills the demo-request form as the seed's visitor: a Director of Marketing at a 500-person company. */
export async function fillDemoRequest(page) {
  const fields = {
    '#first_name': 'Dana',
    '#last_name': 'Reyes',
    '#email': 'dana@northwind.example',
    '#job_title': 'Director of Marketing',
    '#company': 'Northwind',
    '#industry': 'Software',
    '#country': 'US',
  };
  for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
  await page.selectOption('#employees', '500');
}
