// Files larger than one read (the Worker streams ~1 MiB at a time) import row by row across the
// chunk boundaries: a CSV through the column-mapping step and a JSON array, each with bad rows
// planted at known places. The report lists each bad row's number and reason, the good rows are
// kept and show up as leads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../www/server.mjs';
import { launchBrowser, newPage } from './harness.mjs';

const ROWS = 50_000;
const START = Date.parse('2026-09-01T00:00:00Z');
/** Rows (1-based data rows) that are made bad, and how. */
const BAD = new Map([
  [5, 'no id'],
  [9_001, 'bad time'],
  [17_777, 'no id'],
  [29_999, 'bad time'],
  [49_999, 'no id'],
]);

function event(i) {
  const bad = BAD.get(i);
  return {
    type: 'page',
    messageId: `k-${i}`,
    anonymousId: bad === 'no id' ? '' : `chunk-visitor-${i % 700}`,
    timestamp: bad === 'bad time' ? 'yesterday-ish' : new Date(START + i * 60_000).toISOString(),
    title: `Pricing, "plans" ${i % 7}`,
    path: i % 3 ? '/blog/post' : '/pricing',
  };
}

function csv() {
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['when,visitor,message,page,title'];
  for (let i = 1; i <= ROWS; i++) {
    const e = event(i);
    lines.push([e.timestamp, e.anonymousId, e.messageId, e.path, e.title].map(quote).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function jsonArray() {
  const items = [];
  for (let i = 1; i <= ROWS; i++) {
    const e = event(i);
    items.push(JSON.stringify({ type: e.type, messageId: `j-${i}`, anonymousId: e.anonymousId || undefined, timestamp: e.timestamp, properties: { path: e.path, title: e.title } }));
  }
  // Row 12,345 is not JSON at all.
  items[12_344] = '{"type": "page", oops}';
  return `[\n${items.join(',\n')}\n]`;
}

let srv;
let browser;
let page;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-chunks-'));
  srv = await startServer({ port: 0 });
  browser = await launchBrowser();
  page = await newPage(browser);
  page.setDefaultTimeout(60_000);
  await page.goto(`${srv.url}/dashboard/#imports`);
  await page.waitForSelector('.bt-view[data-view="imports"][data-ready="1"]');
});

after(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function report() {
  await page.waitForSelector('#bt-events-result .bt-import-report, #bt-events-result .bt-problems');
  return page.$eval('#bt-events-result', (el) => ({
    text: el.textContent,
    imported: Number(el.querySelector('.bt-import-report')?.dataset.imported),
    rejected: Number(el.querySelector('.bt-import-report')?.dataset.rejected),
    rows: [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
  }));
}

async function eventsLoaded() {
  return Number((await page.textContent('#bt-data-badge')).split(' ')[0].replace(/,/g, ''));
}

test('a multi-chunk CSV with bad rows: row numbers and reasons listed, good rows kept', { timeout: 120_000 }, async () => {
  const file = join(dir, 'events.csv');
  writeFileSync(file, csv());
  assert.ok(statSync(file).size > 2.5 * (1 << 20), 'the file spans several 1 MiB reads');
  await page.setInputFiles('#bt-events-file', file);
  await page.waitForSelector('#bt-csv-mapping select[name="map-timestamp"]');
  await page.selectOption('#bt-csv-mapping select[name="map-timestamp"]', 'when');
  await page.selectOption('#bt-csv-mapping select[name="map-anonymousId"]', 'visitor');
  await page.selectOption('#bt-csv-mapping select[name="map-messageId"]', 'message');
  await page.selectOption('#bt-csv-mapping select[name="map-properties.path"]', 'page');
  await page.click('#bt-events-import');
  const r = await report();
  assert.equal(r.rejected, BAD.size, r.text.slice(0, 400));
  assert.equal(r.imported, ROWS - BAD.size);
  // The header is line 1, so data row i is on line i + 1.
  assert.deepEqual(r.rows.map(([row]) => Number(row)), [...BAD.keys()].map((i) => i + 1));
  for (const [[, reason], kind] of r.rows.map((row, k) => [row, [...BAD.values()][k]])) {
    assert.match(reason, kind === 'no id' ? /anonymousId/ : /timestamp/, reason);
  }
  assert.equal(await eventsLoaded(), ROWS - BAD.size);

  // Good rows from every chunk are there: the visitors became leads.
  await page.click('#bt-nav button[data-view="leads"]');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  assert.match(await page.textContent('#bt-leads-count'), /^700 of 700 leads$/);
  await page.fill('#bt-leads-search', 'chunk-visitor-699');
  await page.waitForFunction(() => /^1 of 700 leads$/.test(document.getElementById('bt-leads-count').textContent));
  assert.deepEqual(page.errors, []);
});

test('a multi-chunk JSON array with a broken element keeps every other element', { timeout: 120_000 }, async () => {
  await page.click('#bt-nav button[data-view="imports"]');
  await page.waitForSelector('.bt-view[data-view="imports"][data-ready="1"]');
  await page.click('#bt-clear-data');
  await page.waitForFunction(() => document.getElementById('bt-data-badge').textContent.startsWith('0 '));
  const file = join(dir, 'events.json');
  writeFileSync(file, jsonArray());
  assert.ok(statSync(file).size > 2.5 * (1 << 20), 'the file spans several 1 MiB reads');
  await page.setInputFiles('#bt-events-file', file);
  await page.selectOption('#bt-events-format', 'json');
  await page.click('#bt-events-import');
  const r = await report();
  // Array rows are element positions.
  const expected = [...BAD.keys(), 12_345].sort((a, b) => a - b);
  assert.deepEqual(r.rows.map(([row]) => Number(row)), expected, r.text.slice(0, 400));
  assert.match(r.rows[expected.indexOf(12_345)][1], /^not valid JSON/);
  assert.equal(r.imported, ROWS - expected.length);
  assert.equal(await eventsLoaded(), ROWS - expected.length);
  assert.deepEqual(page.errors, []);
});
