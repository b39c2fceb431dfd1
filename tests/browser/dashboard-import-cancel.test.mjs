// A large import runs in the Worker with a progress bar; the page keeps answering clicks and the
// import can be cancelled part-way, keeping the rows already read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../www/server.mjs';
import { launchBrowser, newPage } from './harness.mjs';

const EVENTS = 200_000;

function jsonl() {
  const lines = [];
  const start = Date.parse('2026-09-01T00:00:00Z');
  for (let i = 0; i < EVENTS; i++) {
    lines.push(JSON.stringify({ type: 'page', messageId: `c-${i}`, anonymousId: `v-${i % 5000}`, timestamp: new Date(start + i * 60_000).toISOString(), properties: { path: i % 3 ? '/blog/post' : '/pricing' } }));
  }
  return `${lines.join('\n')}\n`;
}

test('a large import shows progress, keeps the page responsive and can be cancelled', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cancel-'));
  const file = join(dir, 'big.jsonl');
  writeFileSync(file, jsonl());
  const srv = await startServer({ port: 0 });
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser);
    page.setDefaultTimeout(60_000);
    await page.goto(`${srv.url}/dashboard/#imports`);
    await page.waitForSelector('.bt-view[data-view="imports"][data-ready="1"]');
    await page.setInputFiles('#bt-events-file', file);
    await page.click('#bt-events-import');
    await page.waitForSelector('#bt-progress:not([hidden])');
    await page.waitForFunction(() => /\d+%/.test(document.getElementById('bt-progress-text').textContent));
    // The main thread is free: a click and a DOM round trip answer while the Worker parses.
    const answered = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(document.getElementById('bt-progress').hidden))));
    assert.equal(answered, false);
    await page.click('#bt-progress-cancel');
    await page.waitForSelector('#bt-events-result .bt-problems');
    assert.match(await page.textContent('#bt-events-result'), /cancelled/);
    assert.equal(await page.isHidden('#bt-progress'), true);
    const events = Number((await page.textContent('#bt-data-badge')).split(' ')[0].replace(/,/g, ''));
    assert.ok(events > 0 && events < EVENTS, `kept ${events} of ${EVENTS} rows read before the cancel`);
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
