// Never break the host page: corrupt or foreign stored values, storage that throws, quota errors,
// the wasm missing or WebAssembly unavailable. Each case: no uncaught error, no console error from
// the snippet, at most one warning, and the page's own script keeps running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, root, stored, testModel } from './snippet-support.mjs';

const { Engine } = createRequire(import.meta.url)(join(root, 'pkg/node/baton.js'));

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

// The host page's own script after the embed: it must always run to the end.
const HOST = `<p id="host">host page</p><script>
baton('on', 'score', function () {});
baton('track', 'Host Event', { n: 1 });
document.getElementById('host').dataset.ran = 'yes';
</script>`;

async function open(ctx, path, config = {}) {
  await fixture(ctx, srv, path, { config: { model: testModel(srv), endpoint: '/api/handoff', ...config }, body: HOST });
  const page = await newPage(ctx);
  const warnings = recordConsole(page);
  await page.goto(srv.url + path);
  return { page, warnings };
}

const batonWarnings = (list) => list.filter((w) => w.startsWith('baton:'));

for (const [name, visitor, outbox] of [
  ['corrupt JSON', '{"v":1,"id":"abc","model":', 'not json at all'],
  ['a foreign value', '["someone", "else"]', '{"v":99,"entries":[]}'],
  ['an engine state that does not parse', null, null],
]) {
  test(`stored ${name} is discarded with one warning, and tracking goes on`, async () => {
    const ctx = await browser.newContext();
    const model = testModel(srv);
    await ctx.addInitScript(
      ({ visitor, outbox, hash }) => {
        if (sessionStorage.getItem('seeded')) return;
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('baton:v1:visitor', visitor ?? JSON.stringify({ v: 1, id: 'v-1', model: hash, state: '{"v":2,"oops"' }));
        localStorage.setItem('baton:v1:outbox', outbox ?? '{"v":1,"policy":7}');
      },
      { visitor, outbox, hash: await modelHash(ctx, model) },
    );
    const { page, warnings } = await open(ctx, '/corrupt.html');
    const s = await ready(page);
    assert.ok(s.total > 0, 'scored from a fresh state');
    assert.equal(batonWarnings(warnings).length, 1, warnings.join('\n'));
    const kept = await stored(page);
    assert.doesNotThrow(() => JSON.parse(kept['baton:v1:visitor']));
    assert.equal(await page.getAttribute('#host', 'data-ran'), 'yes');
    // The next page reads back the repaired records silently.
    const again = recordConsole(page);
    await page.reload();
    await ready(page);
    assert.deepEqual(batonWarnings(again), []);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
}

/** The model's hash (the Node build of the same engine computes the same hash). */
async function modelHash(_ctx, model) {
  return new Engine(model).modelHash;
}

test('localStorage that throws on access: scored in memory for the page, no error', async () => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  const { page, warnings } = await open(ctx, '/throws.html');
  const s = await ready(page);
  assert.ok(s.total > 0);
  assert.equal(batonWarnings(warnings).length, 1, warnings.join('\n'));
  assert.equal(await page.getAttribute('#host', 'data-ran'), 'yes');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('localStorage whose writes fail (quota exceeded): scored in memory, no error', async () => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() => {
    Storage.prototype.setItem = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  const { page, warnings } = await open(ctx, '/quota.html');
  const first = await ready(page);
  // An event after the load (not a `page`: one for the page just counted is not counted again).
  await page.evaluate(() => window.baton('track', 'Second Event'));
  const second = await new Promise((ok) => page.evaluate(() => new Promise((r) => window.baton('score', r))).then(ok));
  assert.ok(second.total >= first.total);
  assert.equal(batonWarnings(warnings).length, 1, warnings.join('\n'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the wasm answering 404: a silent no-op that warns once', async () => {
  const ctx = await browser.newContext();
  await ctx.route(/baton_bg\.wasm$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  const { page, warnings } = await open(ctx, '/nowasm.html');
  await page.waitForFunction(() => window.baton.loaded === true);
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    window.baton('track', 'After Failure', {});
    window.baton('identify', { email: 'x@example.com' });
    window.baton('score', (s) => {
      if (s !== null) throw new Error('called with a score');
    });
  });
  // A score callback is answered with null (a page waiting on it goes on); nothing else happens.
  assert.equal(batonWarnings(warnings).length, 1, warnings.join('\n'));
  assert.equal(await page.getAttribute('#host', 'data-ran'), 'yes');
  assert.deepEqual(await stored(page), {});
  // The browser itself logs the failed fetch; nothing else may appear.
  assert.deepEqual(
    page.errors.filter((e) => !/Failed to load resource: .*404/.test(e)),
    [],
  );
  await ctx.close();
});

// With the wasm2js fallback on (the default) this page would be tracked: snippet-fallback.test.mjs.
test('no WebAssembly and the fallback turned off: a silent no-op that warns once', async () => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() => {
    delete window.WebAssembly;
  });
  const { page, warnings } = await open(ctx, '/nowasm2.html', { fallback: false });
  await page.waitForFunction(() => window.baton.loaded === true);
  await page.evaluate(() => window.baton('track', 'X', {}));
  await page.waitForTimeout(300);
  assert.equal(batonWarnings(warnings).length, 1, warnings.join('\n'));
  assert.equal(await page.getAttribute('#host', 'data-ran'), 'yes');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('an invalid model: one warning naming the problem, no error', async () => {
  const ctx = await browser.newContext();
  const { page, warnings } = await open(ctx, '/badmodel.html', { model: { version: '1', rules: [{ points: 'x' }] } });
  await page.waitForFunction(() => window.baton.loaded === true);
  await page.waitForTimeout(800);
  const w = batonWarnings(warnings);
  assert.equal(w.length, 1, warnings.join('\n'));
  assert.match(w[0], /invalid model/);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

for (const [option, value, named] of [
  ['consent', 'maybe', /options\.consent: must be "granted" or "required"/],
  ['endpoint', 42, /options\.endpoint: must be a URL string/],
  ['requestTimeoutMs', -5, /options\.requestTimeoutMs: must be a number of milliseconds/],
]) {
  test(`an invalid ${option} option: one warning naming it, no error`, async () => {
    const ctx = await browser.newContext();
    const { page, warnings } = await open(ctx, `/badoption-${option}.html`, { [option]: value });
    await page.waitForFunction(() => window.baton.loaded === true);
    await page.waitForTimeout(500);
    const w = batonWarnings(warnings);
    assert.equal(w.length, 1, warnings.join('\n'));
    assert.match(w[0], named);
    assert.equal(await page.getAttribute('#host', 'data-ran'), 'yes');
    assert.deepEqual(await stored(page), {}, 'a snippet that did not start stores nothing');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
}

test('a throwing page callback is reported, not thrown into the snippet', async () => {
  const ctx = await browser.newContext();
  const { page, warnings } = await open(ctx, '/cb.html');
  await ready(page);
  await page.evaluate(() => {
    window.baton('on', 'score', () => {
      throw new Error('site bug');
    });
    window.baton('track', 'One');
    window.baton('track', 'Two');
  });
  await page.waitForTimeout(200);
  // Reported like an event listener's error (reportError), for each event, and never as the
  // snippet's own warning; the snippet still works.
  assert.ok(!warnings.some((w) => w.includes('site bug')), warnings.join('\n'));
  assert.deepEqual(page.errors, ['pageerror: site bug', 'pageerror: site bug']);
  assert.ok((await ready(page)).total > 0);
  await ctx.close();
});
