// Consent and privacy: in `required` mode no request of any kind leaves the page before consent
// (every request of the context is recorded), nothing is stored; granting starts everything;
// revoking deletes what was stored; Global Privacy Control and Do Not Track are honored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const BANNER = `<p>We use first-party analytics. <button id="accept" onclick="baton('consent','granted')">Accept</button>
<button id="decline" onclick="baton('consent','denied')">Decline</button></p>
<script>baton('track', 'Queued Before Consent', {});</script>`;

/** Every request any page of the context makes, as "METHOD path". */
function recordRequests(ctx) {
  const seen = [];
  ctx.on('request', (r) => seen.push(`${r.method()} ${new URL(r.url()).pathname}`));
  return seen;
}

test('consent required: no request and nothing stored before consent; granting starts tracking', async () => {
  const ctx = await browser.newContext();
  const requests = recordRequests(ctx);
  const model = testModel(srv);
  await fixture(ctx, srv, '/consent.html', {
    config: { model, endpoint: '/api/handoff', consent: 'required' },
    body: BANNER,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/consent.html');
  // Give an eager snippet every chance to misbehave: scroll, click around, wait.
  await page.mouse.wheel(0, 400);
  await page.mouse.click(600, 500); // an empty spot
  await page.waitForTimeout(1_500);
  assert.deepEqual(requests, ['GET /consent.html'], 'only the page itself');
  assert.deepEqual(await stored(page), {});
  assert.deepEqual(await page.evaluate(() => document.cookie), '');

  await page.click('#accept');
  const s = await ready(page);
  assert.equal(s.stage, 'anonymous');
  assert.ok(requests.includes('GET /snippet/baton.min.js'));
  assert.ok(requests.some((r) => r.endsWith('.wasm')));
  const kept = await stored(page);
  assert.equal(kept['baton:v1:consent'], 'granted');
  assert.ok(JSON.parse(kept['baton:v1:visitor']).id, 'the visitor is stored after consent');
  // The page view queued before consent was scored after it (the queue drains in order).
  assert.ok(s.total > 0);

  // The next page loads the snippet at once: consent was remembered.
  const before = requests.length;
  await page.reload();
  await ready(page);
  assert.ok(requests.slice(before).includes('GET /snippet/baton.min.js'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('revoking consent deletes the stored state and stops everything', async () => {
  const ctx = await browser.newContext();
  const model = testModel(srv);
  await fixture(ctx, srv, '/revoke.html', { config: { model, endpoint: '/api/handoff' }, body: BANNER });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/revoke.html');
  await ready(page);
  assert.ok((await stored(page))['baton:v1:visitor']);

  await page.click('#decline');
  await until(async () => !(await stored(page))['baton:v1:visitor'], 'the visitor record deleted');
  assert.deepEqual(await stored(page), { 'baton:v1:consent': 'denied' }, 'only the refusal itself is kept');

  // Still callable, never throws, stores nothing.
  await page.evaluate(() => window.baton('track', 'After Revoke', {}));
  assert.deepEqual(await stored(page), { 'baton:v1:consent': 'denied' });

  // A refusal holds on later pages even in `granted` mode: the snippet is not even loaded.
  const requests = recordRequests(ctx);
  await page.reload();
  await page.waitForTimeout(800);
  assert.deepEqual(requests, ['GET /revoke.html']);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

for (const [name, signal] of [
  ['Global Privacy Control', `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });`],
  ['Do Not Track', `Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });`],
]) {
  test(`${name} is honored by default: nothing stored, nothing sent`, async () => {
    const ctx = await browser.newContext();
    await ctx.addInitScript(signal);
    const requests = recordRequests(ctx);
    const model = testModel(srv);
    await fixture(ctx, srv, '/gpc.html', { config: { model, endpoint: '/api/handoff' } });
    const page = await newPage(ctx);
    const warnings = recordConsole(page);
    await page.goto(srv.url + '/gpc.html');
    await page.waitForFunction(() => window.baton.loaded === true);
    await page.evaluate(() => {
      window.baton('identify', { email: 'gpc@example.com' });
      window.baton('track', 'Demo Requested', {});
    });
    await page.waitForTimeout(800);
    assert.deepEqual(
      requests.filter((r) => !['GET /gpc.html', 'GET /snippet/baton.min.js'].includes(r)),
      [],
      'no wasm, no model, no endpoint',
    );
    assert.deepEqual(await stored(page), {});
    assert.deepEqual(warnings, [], 'honored silently');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
}

test('honorGpc: false lets a site that has its own legal basis track anyway', async () => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(`Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });`);
  const model = testModel(srv);
  await fixture(ctx, srv, '/gpc-off.html', { config: { model, endpoint: '/api/handoff', honorGpc: false } });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/gpc-off.html');
  await ready(page);
  assert.ok((await stored(page))['baton:v1:visitor']);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
