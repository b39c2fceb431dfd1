// Where WebAssembly cannot run, the snippet runs the same engine translated to JavaScript by
// binaryen's wasm2js (www/pkg-snippet/baton_fallback.js, built by .ci/build.mjs). Proven with the
// seed journey of snippet-journey.test.mjs under (a) a Content-Security-Policy without
// 'wasm-unsafe-eval' and (b) a Chromium without WebAssembly; (c) where wasm runs, the fallback is
// never fetched; (d) where neither runs, the silent no-op remains.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchBrowser, newPage } from './harness.mjs';
import { demoModel, fillDemoRequest, ready, recordConsole, root, score, startDemo, stored, stubFiles, until } from './snippet-support.mjs';

const { Engine } = createRequire(import.meta.url)(join(root, 'pkg/node/baton.js'));
const T0 = Date.parse('2026-11-02T09:00:00Z');
const DAY = 86_400_000;
// Scripts from the site itself and the inline embed code, but no 'wasm-unsafe-eval'.
const NO_WASM_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
// V8 without its JIT has no WebAssembly at all. (`--js-flags=--noexpose_wasm` does not hide it in
// this Chromium: the first test checks the global is really gone.)
const NO_WASM_FLAGS = ['--js-flags=--jitless'];
// Each journey runs the engine as plain JS, in (b) without a JIT either: generous bounds. A broken
// translation can spin the page's main thread, where `page.evaluate` would wait forever: every
// test has a time limit too.
const SLOW = 60_000;
const LIMIT = { timeout: 240_000 };

const open = [];
after(async () => {
  for (const x of open.reverse()) await x.close().catch(() => {});
});

async function setup({ csp, flags = [] } = {}) {
  const srv = await startDemo(csp ? { csp } : {});
  open.push(srv);
  const browser = await launchBrowser(flags);
  open.push(browser);
  const ctx = await browser.newContext();
  await stubFiles(ctx, srv);
  await ctx.clock.install({ time: T0 });
  const page = await newPage(ctx);
  // Every snippet file the browser asks for, by file name.
  const fetched = [];
  ctx.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (/\/(snippet|pkg-snippet)\//.test(path)) fetched.push(path.split('/').pop());
  });
  return { srv, browser, ctx, page, fetched };
}

/** The seed journey (pricing, two case studies, the demo form as a Director at 500 people). */
async function journey({ srv, ctx, page }) {
  const visit = async (path) => {
    await page.goto(srv.url + path);
    return ready(page, SLOW);
  };
  await visit('/demo/?utm_source=linkedin&utm_medium=paid-social&utm_campaign=q4-launch');
  await visit('/demo/pricing/');
  await ctx.clock.fastForward(2 * DAY);
  await visit('/demo/resources/');
  await page.click('#dl-northwind');
  await page.click('#dl-contoso');
  for (const p of ctx.pages()) if (p !== page) await p.close();
  const before = await score(page);
  assert.equal(before.stage, 'anonymous');
  assert.ok(before.total > 0, 'scored before qualifying');
  await ctx.clock.fastForward(2 * DAY);
  await visit('/demo/pricing/');
  await visit('/demo/request-demo/');
  await fillDemoRequest(page);
  await page.click('button[type=submit]');

  await page.waitForSelector('#calendar:not([hidden]) .calendar button', { timeout: SLOW });
  const shownId = await page.evaluate(() => document.documentElement.dataset.batonQualified);
  const [rec] = await until(() => srv.receiver.handoffs().length && srv.receiver.handoffs(), 'the handoff', SLOW);
  const h = rec.handoff;
  assert.equal(h.handoffId, shownId);
  assert.equal(h.stage, 'mql');
  assert.equal(h.model.hash, new Engine(demoModel).modelHash, 'the same engine computes the same model hash');
  assert.equal(h.traits.email, 'dana@northwind.example');
  assert.ok(h.score.total >= 50, `score ${h.score.total}`);
  assert.equal(h.score.fit, 30);
  const rules = new Set(h.ledger.map((e) => e.ruleId));
  for (const id of ['pricing-page', 'case-study', 'resource-download', 'linkedin-campaign']) {
    assert.ok(rules.has(id), `ledger has ${id}: ${[...rules].join(', ')}`);
  }
  assert.equal(h.firstTouch.utm.source, 'linkedin');
  assert.equal(h.followUpBy - h.enteredAt, demoModel.handoff.slaMinutes * 60_000);
  assert.ok(h.enteredAt >= T0 + 4 * DAY, 'stage time comes from the page clock');

  await until(async () => {
    const box = JSON.parse((await stored(page))['baton:v1:outbox'] ?? '{"entries":[]}');
    return box.entries.length && box.entries.every((e) => e.delivery.state === 'acknowledged');
  }, 'the outbox entry acknowledged', SLOW);
  assert.equal(srv.receiver.handoffs().length, 1);
  assert.equal(srv.receiver.handoffs()[0].deliveries, 1);
  // A reload keeps the qualified visitor and hands off nothing more.
  await page.reload();
  assert.equal((await ready(page, SLOW)).stage, 'mql');
  assert.equal(srv.receiver.handoffs().length, 1);
}

test('(b) Chromium without WebAssembly: the journey qualifies and hands off once, via the fallback', LIMIT, async () => {
  const run = await setup({ flags: NO_WASM_FLAGS });
  await journey(run);
  assert.ok(run.fetched.includes('baton_fallback.js'), run.fetched.join(' '));
  assert.ok(!run.fetched.includes('baton_bg.wasm'), run.fetched.join(' '));
  // WebAssembly is really absent, and the fallback's stand-in while it starts is gone again.
  assert.equal(await run.page.evaluate(() => typeof WebAssembly), 'undefined');
  assert.deepEqual(run.page.errors, []);
});

test("(a) a CSP without 'wasm-unsafe-eval': the journey qualifies and hands off once, via the fallback", LIMIT, async () => {
  const run = await setup({ csp: NO_WASM_CSP });
  await journey(run);
  assert.ok(run.fetched.includes('baton_fallback.js'), run.fetched.join(' '));
  assert.ok(!run.fetched.includes('baton_bg.wasm'), 'the wasm is not fetched for nothing');
  // The policy really blocks WebAssembly on these pages, and the page's own global is back.
  const blocked = await run.page.evaluate(() => {
    try {
      new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      return 'compiled';
    } catch (e) {
      return e.name;
    }
  });
  assert.equal(blocked, 'CompileError');
  assert.equal(await run.page.evaluate(() => typeof WebAssembly.Module), 'function');
  assert.deepEqual(run.page.errors, []);
});

test('(c) where WebAssembly runs, the fallback is never requested', LIMIT, async () => {
  const run = await setup();
  for (const path of ['/demo/', '/demo/pricing/', '/demo/resources/']) {
    await run.page.goto(run.srv.url + path);
    await ready(run.page);
  }
  await run.page.click('#dl-northwind');
  assert.ok((await score(run.page)).total > 0);
  assert.ok(run.fetched.includes('baton_bg.wasm'), run.fetched.join(' '));
  assert.ok(!run.fetched.some((f) => f.includes('fallback')), run.fetched.join(' '));
  assert.deepEqual(run.page.errors, []);
});

for (const [name, options] of [
  ['no WebAssembly', { flags: NO_WASM_FLAGS }],
  ['a CSP blocking WebAssembly', { csp: NO_WASM_CSP }],
]) {
  test(`(d) ${name} and the fallback answering 404: a silent no-op that warns once`, LIMIT, async () => {
    const run = await setup(options);
    await run.ctx.route(/baton_fallback\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    const warnings = recordConsole(run.page);
    await run.page.goto(run.srv.url + '/demo/pricing/');
    await run.page.waitForFunction(() => window.baton.loaded === true);
    await until(() => warnings.some((w) => w.startsWith('baton:')), 'the warning');
    const answer = await run.page.evaluate(() => {
      let got = 'not called';
      window.baton('track', 'After Failure', {});
      window.baton('identify', { email: 'x@example.com' });
      window.baton('score', (s) => {
        got = s;
      });
      return got;
    });
    assert.equal(answer, null, 'a no-op: a score callback is answered with null, so a waiting page goes on');
    assert.equal(warnings.filter((w) => w.startsWith('baton:')).length, 1, warnings.join('\n'));
    assert.deepEqual(await stored(run.page), {});
    assert.equal(run.srv.receiver.handoffs().length, 0);
    assert.ok(run.fetched.includes('baton_fallback.js'));
    // The browser itself logs the failed fetch; nothing else may appear.
    assert.deepEqual(
      run.page.errors.filter((e) => !/Failed to load resource: .*404/.test(e)),
      [],
    );
  });
}

test('(e) the fallback answers exactly as the wasm: a 1,500-event replay, result by result', LIMIT, async () => {
  const srv = await startDemo();
  open.push(srv);
  const browser = await launchBrowser();
  open.push(browser);
  const replay = async (engine) => {
    const ctx = await browser.newContext();
    const page = await newPage(ctx);
    await ctx.route(srv.url + '/replay.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>replay</title>' }));
    await page.goto(srv.url + '/replay.html');
    await page.addScriptTag({ path: join(root, 'tests/browser/tracker-replay.js') });
    const out = await page.evaluate(
      async ({ engine, model }) => {
        const glue = await import('/pkg-snippet/baton.js');
        if (engine === 'wasm') await glue.default();
        else (await import('/pkg-snippet/baton_fallback.js')).init(glue);
        const event = (i) =>
          i % 10 === 9
            ? { type: 'identify', traits: { email: `v${i}@example.com`, title: 'Director', employees: 100 + i } }
            : i % 3 === 0
              ? { type: 'track', event: 'Asset Downloaded', properties: { path: `/resources/case-study-${i % 7}.pdf`, category: 'case-study' } }
              : { type: 'page', properties: { path: i % 2 ? '/pricing' : `/blog/post-${i}` } };
        const at = Date.parse('2026-11-02T09:00:00Z');
        const results = window.trackerReplay(glue, model, event, 1500, at, 3_600_000);
        const refused = window.trackerReplay(glue, { version: 1, rules: [{ points: 'x' }] }, event, 1, at, 1);
        return `${results}\n${refused}`;
      },
      { engine, model: demoModel },
    );
    assert.deepEqual(page.errors, []);
    await ctx.close();
    return out;
  };
  const wasm = await replay('wasm');
  const fallback = await replay('fallback');
  assert.ok(wasm.includes('"qualified"') && wasm.includes('"mql"'), 'the replay qualifies');
  assert.match(wasm.split('\n')[1], /^\["refused",true,"invalid model/, 'the bad model is refused with an Error');
  assert.ok(wasm.includes(`"hash":"${new Engine(demoModel).modelHash}"`), 'the handoff names the model by the npm build hash');
  assert.equal(fallback.length, wasm.length);
  assert.ok(fallback === wasm, 'byte-identical results');
});
