// The main job's pages load the wasm in real Chromium without console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../www/server.mjs';
import { launchBrowser, newPage } from './harness.mjs';

let srv;
let browser;
before(async () => {
  srv = await startServer({ port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.close();
});

test('the index page loads the snippet wasm and scores an event', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/`);
  const status = page.locator('#engine-status[data-state]');
  await status.waitFor({ timeout: 15_000 });
  assert.equal(await status.getAttribute('data-state'), 'ready', await status.textContent());
  assert.match(await status.textContent(), /model .+, sample score \d+(\.\d+)? \(stage \w+\)/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the server refuses paths outside www/', async () => {
  const res = await fetch(`${srv.url}/..%2f..%2fCargo.toml`);
  assert.equal(res.status, 404);
  const wasm = await fetch(`${srv.url}/pkg-snippet/baton_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
});
