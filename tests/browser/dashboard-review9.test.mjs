// Dashboard review 9 fixes, in real Chromium: a lead's detail whose parts visibly add up to its
// score (rules with their earlier points, group clamps, the total clamp; clamped ledger rows
// marked) and prints no stray "null"; the Backtest's threshold tools on a criterion on a group's
// score; the Funnel's MQLs are the model's (as the Backtest's) with CRM-only leads apart; the
// import report's summary by reason, clock skips apart, an unwrapped Row column and the bad rows
// as a text download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDashboard, openDashboard, openView } from './harness.mjs';

let srv;
let browser;
let page;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-review9-'));
  ({ srv, browser, page } = await openDashboard({ timeout: 60_000, path: '/dashboard/#leads' }));
});

after(async () => {
  await closeDashboard({ browser, srv });
  rmSync(dir, { recursive: true, force: true });
});

const num = (s) => Number(String(s).replace(/,/g, ''));
/** Shown points in cents (the view shows two decimals): sums compare exactly. */
const cents = (s) => Math.round(Number(s) * 100);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

async function applyModel(mutate) {
  await openView(page, 'model');
  const model = JSON.parse(await page.inputValue('#bt-model-json'));
  mutate(model);
  const rev = await page.getAttribute('#bt-model-editor', 'data-rev');
  await page.fill('#bt-model-json', JSON.stringify(model, null, 2));
  await page.click('#bt-json-apply');
  await page.waitForFunction((r) => document.getElementById('bt-model-editor').dataset.rev !== r, rev);
}

/** What the open lead's detail shows: the header's score, the parts and the ledger rows. */
async function readDetail() {
  return page.$eval('#bt-lead-detail', (d) => ({
    header: d.querySelector('.bt-row span:nth-child(2)')?.textContent,
    parts: [...d.querySelectorAll('#bt-score-parts tbody tr')].map((tr) => ({ ...tr.dataset, shown: tr.lastElementChild.textContent })),
    ledger: [...d.querySelectorAll('#bt-score-parts ~ table tbody tr[data-rule]')].map((tr) => ({ ...tr.dataset, text: tr.textContent })),
    strayText: [...d.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent),
  }));
}

test('every lead detail adds up to its score: rules with earlier points, group and total clamps', async () => {
  await page.click('#bt-load-sample');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const seen = { groupClamp: 0, totalClamp: 0, earlier: 0, clampedRows: 0 };
  const rows = Math.min(14, (await page.$$('#bt-leads-body .bt-vt-row')).length);
  assert.ok(rows >= 10, `${rows} rows`);
  for (let i = 0; i < rows; i++) {
    const id = await page.getAttribute(`#bt-leads-body .bt-vt-row:nth-child(${i + 1})`, 'data-id');
    await page.click(`#bt-leads-body .bt-vt-row[data-id="${id}"]`);
    await page.waitForFunction(() => document.querySelector('#bt-score-parts'));
    const d = await readDetail();
    const at = `lead ${id}`;
    // No "null" (or any other text) loose in the detail.
    assert.deepEqual(d.strayText, [], at);
    const of = (part) => d.parts.filter((p) => p.part === part);
    // The shown points are the row's dataset points.
    for (const p of d.parts) assert.equal(p.shown, p.points, at);
    for (const g of of('group')) {
      const members = d.parts.filter((p) => p.group === g.group && ['rule', 'fit', 'group-clamp'].includes(p.part));
      assert.equal(sum(members.map((p) => cents(p.points))), cents(g.points), `${at}: group ${g.group} ${JSON.stringify(members)}`);
      if (members.some((p) => p.part === 'group-clamp')) seen.groupClamp++;
    }
    for (const r of of('rule')) {
      const listed = sum(d.ledger.filter((e) => e.rule === r.rule).map((e) => cents(e.counted)));
      assert.equal(listed, cents(r.listed), `${at}: rule ${r.rule} ledger rows`);
      assert.equal(cents(r.listed) + cents(r.earlier), cents(r.points), `${at}: rule ${r.rule}`);
      if (cents(r.earlier) !== 0) seen.earlier++;
    }
    const [raw] = of('total-raw');
    const [score] = of('score');
    assert.equal(sum(of('group').map((g) => cents(g.points))), cents(raw.points), at);
    assert.equal(cents(raw.points) + sum(of('total-clamp').map((p) => cents(p.points))), cents(score.points), at);
    if (of('total-clamp').length) seen.totalClamp++;
    // The parts reach the score the header shows (one decimal there).
    const header = Number(d.header.replace('score ', ''));
    assert.ok(Math.abs(header - Number(score.points)) <= 0.05, `${at}: header ${d.header}, parts ${score.points}`);
    // A row whose group was clamped says so.
    for (const e of d.ledger.filter((x) => x.groupClamped === 'true')) {
      assert.match(e.text, /clamped/, at);
      seen.clampedRows++;
    }
  }
  assert.ok(seen.groupClamp > 0 && seen.totalClamp > 0 && seen.earlier > 0 && seen.clampedRows > 0, JSON.stringify(seen));
  assert.deepEqual(page.errors, []);
});

test('the backtest threshold tools work on a criterion on a group score, and the funnel agrees', async () => {
  await applyModel((m) => { m.stages.mql = { score: 'intent', gte: 20 }; });
  await openView(page, 'backtest');
  assert.equal(await page.isDisabled('#bt-candidate-threshold'), false);
  assert.equal(await page.inputValue('#bt-candidate-threshold'), '20');
  assert.match(await page.textContent('#bt-candidate-threshold-label'), /"intent"/);
  await page.fill('#bt-capacity', '2');
  const runAt = async (threshold) => {
    await page.fill('#bt-candidate-threshold', String(threshold));
    await page.dispatchEvent('#bt-candidate-threshold', 'change');
    await page.click('#bt-backtest-run');
    await page.waitForSelector('#bt-kpi-mqls');
    return num(await page.getAttribute('#bt-kpi-mqls', 'data-candidate'));
  };
  const atTwenty = await runAt(20);
  assert.ok(atTwenty > 0, 'the intent criterion qualifies leads');
  assert.match(await page.textContent('#bt-backtest-result'), /"intent" score at the MQL decision/);
  const capThreshold = Number(await page.getAttribute('#bt-capacity-note', 'data-threshold'));
  const capCount = num(await page.getAttribute('#bt-readout-count', 'data-count'));
  assert.ok(capThreshold > 0, `capacity threshold ${capThreshold}`);
  const sliderMax = Number(await page.getAttribute('#bt-threshold-slider', 'max'));
  const readings = [];
  for (const i of [0, Math.round(sliderMax * 0.3), Math.round(sliderMax * 0.6)]) {
    await page.$eval('#bt-threshold-slider', (s, v) => { s.value = String(v); s.dispatchEvent(new Event('input')); }, i);
    readings.push({
      threshold: Number(await page.getAttribute('#bt-readout-threshold', 'data-threshold')),
      count: num(await page.getAttribute('#bt-readout-count', 'data-count')),
    });
  }
  assert.ok(new Set(readings.map((r) => r.count)).size >= 2, `a flat sweep: ${JSON.stringify(readings)}`);
  for (const r of readings.slice(1)) assert.equal(await runAt(r.threshold), r.count, `threshold ${r.threshold}`);
  assert.equal(await runAt(capThreshold), capCount, `capacity threshold ${capThreshold}`);
  // The working model against itself: its MQLs are the Funnel's.
  await runAt(20);
  const current = num(await page.getAttribute('#bt-kpi-mqls', 'data-current'));
  await openView(page, 'funnel');
  assert.equal(num(await page.getAttribute('#bt-funnel-mqls', 'data-count')), current);
  assert.equal(num(await page.getAttribute('#bt-funnel [data-stage="mql"]', 'data-count')), current);
  assert.ok(num(await page.getAttribute('#bt-funnel-crm-only', 'data-count')) > 0);
  assert.match(await page.textContent('#bt-funnel-crm-only'), /in CRM without MQL/);
  assert.deepEqual(page.errors, []);
});

test('the import report sums bad rows by reason, clock skips apart, and downloads them as text', async () => {
  const now = Date.now();
  const ev = (i, timestamp, extra = {}) => JSON.stringify({ type: 'page', messageId: `r9-${i}`, anonymousId: `r9-v${i % 7}`, timestamp, properties: { path: '/p' }, ...extra });
  const lines = [];
  for (let i = 1; i <= 40; i++) {
    if (i % 10 === 0) lines.push(ev(i, new Date(now + 3 * 86_400_000).toISOString()));
    else if (i % 10 === 5) lines.push(ev(i, Math.floor(now / 1000) - 3600));
    else if (i === 7) lines.push('{"type":"<img src=x onerror=window.__xssed=true>","messageId":"x"}');
    else if (i === 8) lines.push('{"type": "page", broken');
    else lines.push(ev(i, new Date(now - i * 60_000).toISOString()));
  }
  const file = join(dir, 'review9.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  await openView(page, 'imports');
  await page.setInputFiles('#bt-events-file', file);
  await page.selectOption('#bt-events-format', 'jsonl');
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report');
  const rep = await page.$eval('#bt-events-result .bt-import-report', (el) => ({
    ...el.dataset,
    reasons: [...el.querySelectorAll('.bt-import-reasons li')].map((li) => ({ ...li.dataset, text: li.textContent })),
    rowCellWhiteSpace: getComputedStyle(el.querySelector('tbody td')).whiteSpace,
    imgs: el.querySelectorAll('img, iframe, script').length,
  }));
  assert.deepEqual([rep.rejected, rep.clockSkipped, rep.malformed], ['10', '8', '2']);
  // Most frequent first: the two clock reasons (4 each), then the malformed rows (1 each).
  assert.deepEqual(rep.reasons.map((r) => r.count), ['4', '4', '1', '1']);
  const ahead = rep.reasons.find((r) => /ahead/.test(r.text));
  const seconds = rep.reasons.find((r) => /seconds/.test(r.text));
  assert.deepEqual([ahead.count, ahead.clock], ['4', 'true']);
  assert.match(ahead.text, /^4 × time more than a day ahead of now/);
  assert.deepEqual([seconds.count, seconds.clock], ['4', 'true']);
  assert.match(seconds.text, /^4 × time in seconds, not milliseconds/);
  assert.equal(rep.reasons.length, 4, JSON.stringify(rep.reasons));
  assert.ok(rep.reasons.some((r) => r.text.includes('<img src=x onerror=window.__xssed=true>')), 'the reason is shown as text');
  assert.equal(rep.imgs, 0);
  assert.equal(rep.rowCellWhiteSpace, 'nowrap');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bt-events-result [data-role="download-bad-rows"]')]);
  const path = join(dir, 'bad-rows.txt');
  await download.saveAs(path);
  assert.match(download.suggestedFilename(), /\.txt$/);
  const text = readFileSync(path, 'utf8').trim().split('\n');
  const rowsListed = text.filter((l) => !l.startsWith('#'));
  assert.equal(rowsListed.length, 10);
  assert.deepEqual(rowsListed.map((l) => Number(l.split('\t')[0])), [5, 7, 8, 10, 15, 20, 25, 30, 35, 40]);
  assert.ok(rowsListed.some((l) => l.includes('<img src=x onerror=window.__xssed=true>')));
  assert.equal(await page.evaluate(() => window.__xssed ?? false), false);
  assert.deepEqual(page.errors, []);
});
