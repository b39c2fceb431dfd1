// Dashboard review fixes, in real Chromium: embed code that model text cannot break out of, a
// visible message when saving an invalid model, an import that survives a view change (report
// kept, views drawn again, Clear off meanwhile), Cancel (and Escape) that say what was kept and
// can remove exactly that, keyboard access to leads and to the problem list, tooltips on
// truncated cells, and a warning before a reload throws imported data away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDashboard, openDashboard, openView } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'tests/fixtures/imports');
const EVENTS = 240_000;
const VISITORS = 4000;
const BAD_EVERY = 20_000; // lines 20000, 40000, ... are broken JSON

let srv;
let browser;
let page;
let dir;

/** A big JSON-lines file (several 1 MiB chunks) with `prefix`-unique message ids and bad lines. */
function bigFile(name, prefix) {
  const lines = [];
  // 166 days of events, all in the past: an import refuses events more than a day after the
  // browser's clock.
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 1; i <= EVENTS; i++) {
    if (i % BAD_EVERY === 0) lines.push(`{"type":"page", broken ${i}`);
    else lines.push(JSON.stringify({ type: 'page', messageId: `${prefix}-${i}`, anonymousId: `rv-${i % VISITORS}`, timestamp: new Date(start + i * 60_000).toISOString(), properties: { path: i % 3 ? '/blog/post' : '/pricing' } }));
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-review-'));
  ({ srv, browser, page } = await openDashboard({ timeout: 60_000, path: '/dashboard/#model' }));
});

after(async () => {
  await closeDashboard({ browser, srv });
  rmSync(dir, { recursive: true, force: true });
});

const badgeEvents = async () => Number((await page.textContent('#bt-data-badge')).split(' ')[0].replace(/,/g, ''));

async function applyModel(mutate) {
  await openView(page, 'model');
  const model = JSON.parse(await page.inputValue('#bt-model-json'));
  mutate(model);
  const rev = await page.getAttribute('#bt-model-editor', 'data-rev');
  await page.fill('#bt-model-json', JSON.stringify(model, null, 2));
  await page.click('#bt-json-apply');
  await page.waitForFunction((r) => document.getElementById('bt-model-editor').dataset.rev !== r, rev);
  return model;
}

test('the embed code keeps model text inside its script: one script, nothing injected', async () => {
  const endpoint = 'https://x.example/h</script><script>window.__xss=1</script><!--\u2028&amp;';
  await applyModel((m) => { m.handoff = { ...(m.handoff ?? {}), endpoint }; });
  assert.ok(await page.$('#bt-valid'), 'the engine accepts the endpoint');
  await openView(page, 'versions');
  // The consent mode is a choice, explained; the default waits for the visitor's consent.
  assert.equal(await page.inputValue('#bt-embed-consent'), 'required');
  assert.match(await page.textContent('#bt-embed-consent-note'), /nothing is loaded, stored or sent until .*baton\('consent', 'granted'\)/);
  await page.click('#bt-export-embed');
  await page.waitForSelector('#bt-embed-code:not([hidden])');
  const code = await page.textContent('#bt-embed-code');
  assert.match(code, /"consent":"required"/);
  assert.ok(!code.includes('</script><script>window'), code);
  assert.ok(code.includes('\\u003c/script\\u003e') && code.includes('\\u2028') && code.includes('\\u0026amp;'), code);

  // Pasted into a page's head, Chromium parses exactly one script, and it keeps the endpoint.
  const site = await browser.newPage();
  try {
    const errors = [];
    site.on('pageerror', (e) => errors.push(e.message));
    await site.setContent(`<!doctype html><html><head>${code}</head><body><p id="after">body</p></body></html>`);
    const parsed = await site.evaluate(() => ({
      scripts: document.scripts.length,
      xss: window.__xss,
      endpoint: window.baton?.c?.endpoint,
      consent: window.baton?.c?.consent,
      body: document.getElementById('after')?.textContent,
    }));
    assert.deepEqual(parsed, { scripts: 1, xss: undefined, endpoint, consent: 'required', body: 'body' });
    assert.deepEqual(errors, []);
  } finally {
    await site.close();
  }

  // Switching the mode redraws the shown code.
  await page.selectOption('#bt-embed-consent', 'granted');
  await page.waitForFunction(() => document.getElementById('bt-embed-code').textContent.includes('"consent":"granted"'));
  assert.match(await page.textContent('#bt-embed-consent-note'), /at once/);
  assert.deepEqual(page.errors, []);
});

let firstPoints;

test('saving a version of an invalid model says why, visibly, and saves nothing', async () => {
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem('bt:v1:versions') ?? '[]').length);
  await applyModel((m) => { firstPoints = m.rules[0].points; m.rules[0].points = 'lots'; });
  await page.waitForSelector('#bt-problems');
  await page.fill('#bt-version-note', 'broken');
  await page.click('#bt-version-save');
  await page.waitForSelector('#bt-version-status:has-text("Not saved")');
  assert.ok(await page.isVisible('#bt-version-status'));
  assert.match(await page.textContent('#bt-version-status'), /Not saved: the model has 1 problem/);
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('bt:v1:versions') ?? '[]').length);
  assert.equal(after, before);
  assert.deepEqual(page.errors, []);
});

test('keyboard: the problem list is reachable with Tab and opens the field', async () => {
  await openView(page, 'model');
  await page.waitForSelector('#bt-problems li');
  await page.evaluate(() => document.activeElement?.blur());
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.matches('#bt-problems li') ?? false);
  }
  assert.ok(reached, 'Tab reaches the first problem');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused problem shows a focus ring');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.dataset.path === 'rules[0].points');
  // Put the model right again for the rest of the file.
  await applyModel((m) => { m.rules[0].points = firstPoints; });
  assert.ok(await page.$('#bt-valid'));
  assert.deepEqual(page.errors, []);
});

test('Escape cancels an import, the message says what was kept, and undo removes exactly that', { timeout: 180_000 }, async () => {
  await openView(page, 'imports');
  await page.click('#bt-clear-data');
  await page.waitForFunction(() => document.getElementById('bt-data-badge').textContent.startsWith('0 '));
  // Data that must survive the undo untouched.
  await page.setInputFiles('#bt-events-file', join(fixtures, 'events.json'));
  await page.selectOption('#bt-events-format', 'json');
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report');
  const base = await badgeEvents();
  assert.equal(base, 3);

  const file = bigFile('cancel.jsonl', 'cx');
  await page.selectOption('#bt-events-format', 'auto');
  await page.setInputFiles('#bt-events-file', file);
  await page.click('#bt-events-import');
  await page.waitForFunction(() => /[1-9]\d*%/.test(document.getElementById('bt-progress-text').textContent));
  assert.equal(await page.isDisabled('#bt-clear-data'), true, 'Clear all data is off while importing');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#bt-import-cancelled');
  assert.equal(await page.isHidden('#bt-progress'), true);
  assert.equal(await page.isDisabled('#bt-clear-data'), false);
  const kept = Number(await page.getAttribute('#bt-import-cancelled', 'data-kept'));
  const text = await page.textContent('#bt-import-cancelled');
  assert.ok(kept > 0 && kept < EVENTS, `kept ${kept}`);
  assert.match(text, new RegExp(`cancelled at \\d+%: kept ${kept.toLocaleString('en-US')} events from the first \\d+% of the file`));
  assert.equal(await badgeEvents(), base + kept);

  await page.click('#bt-import-undo');
  await page.waitForSelector('#bt-import-undone');
  assert.match(await page.textContent('#bt-import-undone'), new RegExp(`Removed the ${kept.toLocaleString('en-US')} events`));
  assert.equal(await badgeEvents(), base);
  // What was there before is still there: the three fixture events' visitors are leads.
  await openView(page, 'leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const before = await page.textContent('#bt-leads-count');
  assert.match(before, /^[1-9] of [1-9] leads$/);
  assert.deepEqual(page.errors, []);
});

test('an import goes on across views: views drawn meanwhile show all of it, the report stays', { timeout: 180_000 }, async () => {
  await openView(page, 'imports');
  await page.click('#bt-clear-data');
  await page.waitForFunction(() => document.getElementById('bt-data-badge').textContent.startsWith('0 '));
  const file = bigFile('full.jsonl', 'fx');
  await page.setInputFiles('#bt-events-file', file);
  await page.click('#bt-events-import');
  await page.waitForFunction(() => /\d+%/.test(document.getElementById('bt-progress-text').textContent));
  // Leave for Leads while the import runs (checked in the same task as the click).
  const running = await page.evaluate(() => {
    const busy = !document.getElementById('bt-progress').hidden;
    document.querySelector('#bt-nav button[data-view="leads"]').click();
    return busy;
  });
  assert.ok(running, 'the import was still running when the view changed');
  await page.waitForFunction(() => document.getElementById('bt-progress').hidden);
  await page.waitForSelector('.bt-view[data-view="leads"][data-ready="1"] #bt-leads-body .bt-vt-row');
  // Every visitor of the finished import is there, not the part read when the view was drawn.
  await page.waitForFunction((n) => document.getElementById('bt-leads-count')?.textContent === `${n} of ${n} leads`, VISITORS.toLocaleString('en-US'));
  assert.equal(await page.$('#bt-import-running'), null);
  const bad = EVENTS / BAD_EVERY;
  assert.equal(await badgeEvents(), EVENTS - bad);

  await openView(page, 'imports');
  const report = await page.$eval('#bt-events-result .bt-import-report', (el) => ({
    imported: Number(el.dataset.imported),
    rejected: Number(el.dataset.rejected),
    rows: [...el.querySelectorAll('tbody tr')].map((tr) => Number(tr.children[0].textContent)),
  }));
  assert.deepEqual(report, { imported: EVENTS - bad, rejected: bad, rows: Array.from({ length: bad }, (_, k) => (k + 1) * BAD_EVERY) });
  assert.deepEqual(page.errors, []);
});

test('keyboard: a lead opens with Enter or Space, arrows move; truncated cells have tooltips', async () => {
  // Sample data: owners, sources and SLAs of every kind.
  await openView(page, 'imports');
  await page.click('#bt-load-sample');
  await page.waitForSelector('.bt-view[data-view="leads"][data-ready="1"]');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  await page.focus('#bt-leads-search');
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.matches('#bt-leads-body .bt-vt-row') ?? false);
  }
  assert.ok(reached, 'Tab reaches the lead list');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
  const first = await page.evaluate(() => document.activeElement.dataset.id);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector('#bt-lead-detail table')?.textContent.includes(id), first);
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement.dataset.id);
  assert.notEqual(second, first);
  await page.keyboard.press(' ');
  await page.waitForFunction((id) => document.querySelector('#bt-lead-detail table')?.textContent.includes(id), second);
  // Owner, Source and SLA cells carry their full text as a tooltip.
  const cells = await page.$$eval('#bt-leads-body .bt-vt-row', (rows) => rows.map((r) => [5, 6, 7].map((i) => [r.children[i].textContent, r.children[i].getAttribute('title')])));
  assert.ok(cells.some(([[owner]]) => owner !== '–'), 'some leads have an owner');
  for (const [[owner, ownerTitle], [source, sourceTitle], [sla, slaTitle]] of cells) {
    assert.equal(ownerTitle, owner === '–' ? 'no owner' : owner);
    assert.equal(sourceTitle, source);
    assert.ok(slaTitle, 'SLA cell has a tooltip');
    if (sla.startsWith('due ')) assert.ok(slaTitle.includes(sla), `${slaTitle} has ${sla}`);
  }
  assert.deepEqual(page.errors, []);
});

test('a reload with imported data asks first; the badge says the data lives in this tab', async () => {
  assert.match(await page.textContent('#bt-data-badge'), /this tab only/);
  let asked = null;
  page.once('dialog', (d) => { asked = d.type(); d.accept(); });
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(asked, 'beforeunload');
  assert.equal(await badgeEvents(), 0);
  assert.deepEqual(page.errors, []);
});
