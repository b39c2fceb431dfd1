// The marketer dashboard in real Chromium: loading, sample data, imports with bad rows, editing a
// rule, backtest, versions, embed code, and an XSS corpus. Screenshots of every view go to
// target/screenshots/ for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDashboard, openDashboard, openView } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'tests/fixtures/imports');
const shots = join(root, 'target/screenshots');
mkdirSync(shots, { recursive: true });

let srv;
let browser;
let page;

before(async () => {
  ({ srv, browser, page } = await openDashboard({ timeout: 30_000 }));
});

after(async () => {
  await closeDashboard({ browser, srv });
});

const view = (name) => openView(page, name);

async function shot(name) {
  await page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: true });
}

async function importEvents(file, format = 'auto') {
  await view('imports');
  await page.setInputFiles('#bt-events-file', join(fixtures, file));
  await page.selectOption('#bt-events-format', format);
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report, #bt-events-result .bt-problems');
  return page.$eval('#bt-events-result', (el) => ({
    imported: Number(el.querySelector('.bt-import-report')?.dataset.imported),
    rejected: Number(el.querySelector('.bt-import-report')?.dataset.rejected),
    rows: [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
  }));
}

test('loads with no console errors and an empty state that offers sample data', async () => {
  await page.goto(`${srv.url}/dashboard/`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('#bt-valid');
  await shot('model');
  await view('funnel');
  assert.ok(await page.$('#bt-load-sample'), 'empty state offers sample data');
  await shot('empty');
  assert.deepEqual(page.errors, []);
});

test('sample data populates every view in one click', async () => {
  await page.click('#bt-load-sample');
  await page.waitForFunction(() => document.querySelectorAll('#bt-leads-body .bt-vt-row').length > 0 || document.querySelector('#bt-funnel'));
  await view('leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const count = await page.textContent('#bt-leads-count');
  assert.match(count, /^[\d,]+ of [\d,]+ leads$/);
  await page.click('#bt-leads-body .bt-vt-row');
  await page.waitForSelector('#bt-lead-detail h3');
  await shot('leads');
  await view('funnel');
  const mqls = Number(await page.getAttribute('#bt-funnel [data-stage="mql"]', 'data-count'));
  const won = Number(await page.getAttribute('#bt-funnel [data-stage="won"]', 'data-count'));
  assert.ok(mqls > 50 && won > 0 && won < mqls, `mqls ${mqls} won ${won}`);
  await shot('funnel');
  await view('sla');
  assert.ok((await page.$$('#bt-breaches tbody tr')).length > 1, 'sample data has SLA misses');
  await shot('sla');
  await view('rejected');
  const reasons = await page.$$eval('#bt-reasons [data-reason]', (els) => els.map((e) => e.dataset.reason));
  for (const r of ['Student', 'Job seeker', 'Competitor']) assert.ok(reasons.includes(r), `reason ${r} in ${reasons}`);
  await shot('rejected');
  await view('histogram');
  await page.waitForSelector('#bt-histogram .u-over');
  await shot('histogram');
  await view('imports');
  await shot('imports');
  await view('calibrate');
  await shot('calibrate');
  assert.deepEqual(page.errors, []);
});

test('editing a rule changes scores', async () => {
  await view('leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const before = await page.$$eval('#bt-leads-body .bt-vt-row', (rows) => rows.slice(0, 20).map((r) => r.children[2].textContent).join(','));
  await view('model');
  const input = await page.$('#bt-rules tr[data-rule="demo-request"] input[type=number]');
  await input.fill('5');
  await input.press('Enter');
  await input.evaluate((el) => el.dispatchEvent(new Event('change')));
  await page.waitForFunction(() => document.querySelector('#bt-rules tr[data-rule="demo-request"] input')?.value === '5');
  await view('leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const after = await page.$$eval('#bt-leads-body .bt-vt-row', (rows) => rows.slice(0, 20).map((r) => r.children[2].textContent).join(','));
  assert.notEqual(after, before);
  // An invalid value is reported at its field, and the last valid model stays in use.
  await view('model');
  const bad = await page.$('#bt-rules tr[data-rule="pricing-page"] input[type=number]');
  await bad.fill('');
  await bad.evaluate((el) => el.dispatchEvent(new Event('change')));
  await page.waitForSelector('#bt-problems');
  const fieldError = await page.$eval('#bt-rules tr[data-rule="pricing-page"]', (tr) => tr.querySelector('.bt-error')?.textContent ?? tr.nextElementSibling?.textContent ?? '');
  assert.match(fieldError, /rules\[3\]/);
  await shot('model-invalid');
  const fixed = await page.$('#bt-rules tr[data-rule="pricing-page"] input[type=number]');
  await fixed.fill('10');
  await fixed.evaluate((el) => el.dispatchEvent(new Event('change')));
  await page.waitForSelector('#bt-valid');
  // The JSON view round-trips.
  const text = await page.inputValue('#bt-model-json');
  await page.click('#bt-json-apply');
  await page.waitForSelector('#bt-valid');
  assert.equal(await page.inputValue('#bt-model-json'), text);
  assert.deepEqual(page.errors, []);
});

test('backtests a candidate model with a threshold slider', async () => {
  await view('backtest');
  await page.fill('#bt-candidate-threshold', '35');
  await page.dispatchEvent('#bt-candidate-threshold', 'change');
  await page.click('#bt-backtest-run');
  await page.waitForSelector('#bt-kpi-mqls');
  const [cur, cand] = (await page.textContent('#bt-kpi-mqls .bt-kpi-value')).split('→').map((s) => Number(s.trim().replace(/,/g, '')));
  assert.ok(cand >= cur, `lower threshold never loses MQLs: ${cur} → ${cand}`);
  await page.waitForSelector('#bt-sweep-chart .u-over');
  const before = await page.textContent('#bt-readout-count');
  await page.$eval('#bt-threshold-slider', (s) => { s.value = '0'; s.dispatchEvent(new Event('input')); });
  const atZero = await page.textContent('#bt-readout-count');
  assert.notEqual(atZero, before);
  await shot('backtest');
  assert.deepEqual(page.errors, []);
});

test('saves, diffs and restores versions; exports embed code', async () => {
  await view('model');
  await page.fill('#bt-version-note', 'baseline');
  await page.click('#bt-version-save');
  await page.waitForSelector('text=Saved version');
  const p = await page.$('#bt-rules tr[data-rule="pricing-page"] input[type=number]');
  await p.fill('25');
  await p.evaluate((el) => el.dispatchEvent(new Event('change')));
  await page.waitForFunction(() => document.querySelector('#bt-rules tr[data-rule="pricing-page"] input')?.value === '25');
  await page.fill('#bt-version-note', 'pricing worth more');
  await page.click('#bt-version-save');
  await page.waitForSelector('text=Saved version');
  await view('versions');
  await page.click('#bt-diff-run');
  await page.waitForSelector('#bt-diff table');
  const diff = await page.textContent('#bt-diff');
  assert.match(diff, /rules\.pricing-page\.points/);
  assert.match(diff, /10/);
  assert.match(diff, /25/);
  await shot('versions');
  // Restore the baseline (the older row).
  const rows = await page.$$('#bt-versions-status');
  assert.equal(rows.length, 1);
  const restore = await page.$$('button[name="restore"]');
  await restore[1].click();
  await page.waitForSelector('text=Restored');
  await view('model');
  assert.equal(await page.inputValue('#bt-rules tr[data-rule="pricing-page"] input[type=number]'), '10');
  await view('versions');
  await page.click('#bt-export-embed');
  await page.waitForSelector('#bt-embed-code:not([hidden])');
  const code = await page.textContent('#bt-embed-code');
  assert.match(code, /<script>/);
  assert.match(code, /baton-model-demo-b2b-saas-/);
  assert.match(code, /"endpoint":"http:\/\/127\.0\.0\.1:8787\/api\/handoff"/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bt-export-json')]);
  assert.match(download.suggestedFilename(), /^baton-model-demo-b2b-saas-.*\.json$/);
  assert.deepEqual(page.errors, []);
});

test('imports files with bad rows: row numbers and reasons, good rows kept', async () => {
  await view('imports');
  await page.click('#bt-clear-data');
  const jsonl = await importEvents('events-with-bad-rows.jsonl');
  const badRows = jsonl.rows.map((r) => Number(r[0]));
  assert.ok(badRows.includes(3) && badRows.includes(4) && badRows.includes(7), `bad rows ${badRows}`);
  assert.equal(jsonl.imported + jsonl.rejected, 8);
  assert.ok(jsonl.imported >= 4);
  assert.match(jsonl.rows.find((r) => r[0] === '3')[1], /not valid JSON/);
  const arr = await importEvents('events.json', 'json');
  assert.deepEqual([arr.imported, arr.rejected], [3, 0]);
  // CSV with the column-mapping step.
  await page.setInputFiles('#bt-events-file', join(fixtures, 'events.csv'));
  await page.selectOption('#bt-events-format', 'csv');
  await page.waitForSelector('select[name="map-timestamp"]');
  await page.selectOption('select[name="map-timestamp"]', 'When');
  await page.selectOption('select[name="map-anonymousId"]', 'Visitor');
  await page.selectOption('select[name="map-properties.path"]', 'Page');
  await page.selectOption('select[name="map-traits.email"]', 'Email');
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report');
  const csv = await page.$eval('#bt-events-result .bt-import-report', (el) => [Number(el.dataset.imported), Number(el.dataset.rejected), el.querySelector('tbody td')?.textContent]);
  assert.deepEqual(csv, [3, 1, '4']);
  await page.setInputFiles('#bt-outcomes-file', join(fixtures, 'outcomes-with-bad-rows.csv'));
  await page.click('#bt-outcomes-import');
  await page.waitForSelector('#bt-outcomes-result .bt-import-report');
  const out = await page.$eval('#bt-outcomes-result', (el) => ({
    imported: Number(el.querySelector('.bt-import-report').dataset.imported),
    rows: [...el.querySelectorAll('tbody tr')].map((tr) => tr.children[0].textContent),
  }));
  assert.deepEqual(out, { imported: 3, rows: ['5', '6'] });
  await shot('imports-bad-rows');
  await view('leads');
  await page.fill('#bt-leads-search', 'dana');
  await page.waitForFunction(() => document.querySelector('#bt-leads-count')?.textContent.startsWith('1 of'));
  assert.deepEqual(page.errors, []);
});

test('an event import is checked against the browser clock: a row years ahead or in epoch seconds is a bad row with its reason', async () => {
  const r = await importEvents('events-bad-clock.jsonl');
  assert.deepEqual([r.imported, r.rejected], [0, 2]);
  assert.match(r.rows[0][1], /timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ is more than a day after now \(\d{4}-/);
  assert.match(r.rows[1][1], /timestamp: looks like seconds since the epoch \(2026-10-01T09:00:00Z\); numbers are milliseconds: send 1790845200000 or ISO 8601 text/);
  assert.deepEqual(page.errors, []);
});

test('an XSS corpus is shown as text and never executes', async () => {
  await view('imports');
  await page.click('#bt-clear-data');
  const r = await importEvents('xss-events.jsonl');
  assert.equal(r.imported, 3);
  await page.setInputFiles('#bt-outcomes-file', join(fixtures, 'xss-outcomes.csv'));
  await page.click('#bt-outcomes-import');
  await page.waitForSelector('#bt-outcomes-result .bt-import-report');
  await view('leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const rows = await page.$$('#bt-leads-body .bt-vt-row');
  for (const row of rows) {
    await row.click();
    await page.waitForSelector('#bt-lead-detail h3');
  }
  const text = await page.textContent('#bt-lead-detail');
  assert.match(text, /<img src=x onerror=window.__xss=5>|<script>window.__xss=6<\/script>/);
  for (const v of ['funnel', 'sla', 'histogram', 'rejected']) await view(v);
  const rejectedText = await page.textContent('main');
  assert.match(rejectedText, /<\/script><script>window.__xss=11<\/script>/);
  await shot('xss');
  const state = await page.evaluate(() => ({ xss: window.__xss, imgs: document.querySelectorAll('main img, main svg[onload], main script').length }));
  assert.deepEqual(state, { xss: undefined, imgs: 0 });
  assert.deepEqual(page.errors, []);
});

test('calibrates points from a lead table and applies them as a version', async () => {
  // 600 leads: bigger companies and senior titles convert more often (seeded, no randomness).
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = ['employees,title,source,converted'];
  for (let i = 0; i < 600; i++) {
    const employees = [20, 150, 600, 2500][i % 4];
    const title = ['Analyst', 'Manager', 'Director', 'VP'][Math.floor(i / 4) % 4];
    const p = 0.05 + (employees >= 600 ? 0.3 : 0) + (title === 'VP' || title === 'Director' ? 0.3 : 0);
    rows.push(`${employees},${title},${['google', 'linkedin', 'direct'][i % 3]},${rnd() < p ? 'yes' : 'no'}`);
  }
  const dir = join(shots, '..');
  const file = join(dir, 'calibration-leads.csv');
  (await import('node:fs')).writeFileSync(file, `${rows.join('\n')}\n`);
  await view('calibrate');
  await page.setInputFiles('#bt-cal-file', file);
  await page.waitForFunction(() => document.querySelector('#bt-cal-outcome')?.value === 'converted');
  await page.click('#bt-cal-run');
  await page.waitForSelector('#bt-cal-result .bt-card, #bt-cal-status .bt-problems');
  assert.equal(await page.$('#bt-cal-status .bt-problems'), null, await page.textContent('#bt-cal-status'));
  assert.match(await page.textContent('#bt-cal-result'), /Learned points/);
  await shot('calibrate-result');
  await page.click('#bt-cal-review');
  await page.waitForSelector('#bt-cal-diff');
  await page.click('#bt-cal-apply');
  await page.waitForSelector('.bt-view[data-view="versions"][data-ready="1"]');
  await view('model');
  const ids = await page.$$eval('#bt-rules tr[data-rule]', (trs) => trs.map((tr) => tr.dataset.rule));
  assert.ok(ids.some((id) => id.startsWith('calibrated.')), ids.join(','));
  assert.deepEqual(page.errors, []);
});
