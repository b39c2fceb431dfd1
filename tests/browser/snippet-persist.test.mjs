// When the visitor's state is written. `track` scores in memory and returns; the visitor record is
// written once for a burst of events, in an idle period. These tests pin what must hold anyway:
// the state of a handoff or a stage is stored before `track` returns, nothing is lost when the page
// goes away right after a burst (reload, tab closed), and a tab's unwritten events survive another
// tab's newer record (re-ingested on top of it, with what they produce there).
//
// Idle callbacks are held back where a test needs events to stay unwritten: an init script replaces
// `requestIdleCallback` with a queue the test runs itself (`__runIdle`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, demoModel, explain, fixture, openDemo, ready, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const VISITOR = 'baton:v1:visitor';
const OUTBOX = 'baton:v1:outbox';
/** The demo model plus a point per `Tab Event` (its ledger entries count the events scored). */
const countingModel = (patch = {}) =>
  testModel(srv, { rules: [...demoModel.rules, { id: 'tab', points: 1, when: { event: 'Tab Event' } }], ...patch });
/** Qualifies (the handoff stage, mql) at `points` points; only `Tab Event`s score. */
const qualifyingModel = (points) =>
  testModel(srv, {
    groups: {},
    rules: [{ id: 'tab', points: 1, when: { event: 'Tab Event' } }],
    stages: { known: demoModel.stages.known, mql: { all: [{ score: 'total', gte: points }] } },
  });
/** Errors other than the endpoint's 503 (the handoff tests keep their handoffs in the outbox). */
const unexpected = (errors) => errors.filter((e) => !e.includes('status of 503'));
const config = (model) => ({ model, endpoint: '/api/handoff', autocapture: false });
const tabEvents = async (page) => (await explain(page)).entries.filter((e) => e.ruleId === 'tab').length;
/** A fresh page of `ctx` at `path`, started: what it restores is what was stored. */
async function storedTabEvents(ctx, path) {
  const page = await newPage(ctx);
  await page.goto(srv.url + path);
  await ready(page);
  const n = await tabEvents(page);
  await page.close();
  return n;
}

/**
 * A first event, stored at once (the first event of a visitor with nothing stored is: the record
 * gives every tab the same anonymous id), so the events after it are the ones deferred.
 */
async function seed(page) {
  await page.evaluate(() => window.baton('track', 'Seed Event', {}));
  assert.ok((await stored(page))[VISITOR], 'the first event of a new visitor is stored at once');
}

/** Idle callbacks queued, run only by `__runIdle()` (returns how many ran). */
function holdIdle() {
  const queue = [];
  window.requestIdleCallback = (cb) => queue.push(cb);
  window.__runIdle = () => {
    const ran = queue.splice(0);
    for (const cb of ran) cb({ didTimeout: false, timeRemaining: () => 50 });
    return ran.length;
  };
}

/** Counts `localStorage.setItem` per key in `__writes`. */
function countWrites() {
  window.__writes = {};
  const set = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    window.__writes[k] = (window.__writes[k] ?? 0) + 1;
    return set.call(this, k, v);
  };
}

test('track returns before the state is written; a burst of events is written once, when idle', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/burst.html', { config: config(countingModel()) });
  const page = await newPage(ctx);
  await page.addInitScript(countWrites);
  await page.goto(srv.url + '/burst.html');
  await ready(page);
  await seed(page);
  const onPath = await page.evaluate((key) => {
    const before = window.__writes[key] ?? 0;
    const record = localStorage.getItem(key);
    for (let i = 0; i < 10; i++) window.baton('track', 'Tab Event', { i });
    return { writes: (window.__writes[key] ?? 0) - before, unchanged: localStorage.getItem(key) === record, before };
  }, VISITOR);
  assert.equal(onPath.writes, 0, 'no write of the visitor record on the events\' path');
  assert.ok(onPath.unchanged);
  await until(() => page.evaluate(({ key, n }) => window.__writes[key] > n, { key: VISITOR, n: onPath.before }), 'the idle write', 5_000, 20);
  // Another second and a half: past the idle timeout, nothing else is written for the burst.
  await page.waitForTimeout(1_500);
  assert.equal(await page.evaluate((key) => window.__writes[key], VISITOR), onPath.before + 1, 'one write for the burst');
  assert.equal(await storedTabEvents(ctx, '/burst.html'), 10, 'the stored record holds every event');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a burst of events and an immediate reload keeps every event (written on pagehide)', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/reload.html', { config: config(countingModel()) });
  const page = await newPage(ctx);
  // The old page may still idle while the reload's request is in flight: no idle write here, so
  // only the page going away can write the events.
  await page.addInitScript(holdIdle);
  await page.goto(srv.url + '/reload.html');
  await ready(page);
  const navigated = page.waitForEvent('load');
  // Same task: no idle period between the events and the navigation.
  await page.evaluate(() => {
    for (let i = 0; i < 10; i++) window.baton('track', 'Tab Event', { i });
    location.reload();
  });
  await navigated;
  await ready(page);
  assert.equal(await tabEvents(page), 10);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('closing a tab right after events keeps them', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/close.html', { config: config(countingModel()) });
  const page = await newPage(ctx);
  // No idle period ever comes in this tab: only closing it can write the events.
  await page.addInitScript(holdIdle);
  await page.goto(srv.url + '/close.html');
  await ready(page);
  await seed(page);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) window.baton('track', 'Tab Event', { i });
  });
  const written = await stored(page);
  await page.close();
  assert.equal(await storedTabEvents(ctx, '/close.html'), 5);
  assert.ok(!written[VISITOR] || !written[VISITOR].includes('Tab Event'), 'the events were not written before the tab closed');
  await ctx.close();
});

test('an event that qualifies is stored (state and outbox) before track returns', async () => {
  const ctx = await browser.newContext();
  await ctx.route(srv.url + '/api/handoff', (r) => r.fulfill({ status: 503, body: '' }));
  await fixture(ctx, srv, '/qualify.html', { config: config(qualifyingModel(3)) });
  const page = await newPage(ctx);
  await page.addInitScript(holdIdle);
  await page.goto(srv.url + '/qualify.html');
  await ready(page);
  const seen = await page.evaluate(
    ({ VISITOR, OUTBOX }) => {
      const out = [];
      for (let i = 0; i < 4; i++) {
        window.baton('track', 'Tab Event', { i });
        // Read in the same task, right after `track` returned: nothing else ran in between.
        const record = JSON.parse(localStorage.getItem(VISITOR) ?? 'null');
        const outbox = JSON.parse(localStorage.getItem(OUTBOX) ?? 'null');
        // `st` is the state's stage, `n` its count of events (src/state/encode.rs).
        out.push({ stage: record?.state?.st ?? null, events: record?.state?.n ?? 0, handoffs: outbox?.entries?.length ?? 0 });
      }
      return out;
    },
    { VISITOR, OUTBOX },
  );
  assert.equal(seen[2].stage, 'mql', `the third event qualifies and its state is stored: ${JSON.stringify(seen)}`);
  assert.equal(seen[2].events, 3, 'the stored state holds the qualifying event and the ones before it');
  assert.equal(seen[2].handoffs, 1, 'its handoff is in the stored outbox');
  assert.equal(seen[1].handoffs, 0);
  assert.equal(seen[3].events, 3, 'the next event waits for the idle write');
  assert.deepEqual(unexpected(page.errors), []);
  await ctx.close();
});

test("two tabs interleaving events lose none of the pending tab's events (re-ingested on top)", async () => {
  const ctx = await browser.newContext();
  await ctx.route(srv.url + '/api/handoff', (r) => r.fulfill({ status: 503, body: '' }));
  // Neither tab qualifies alone (3 points each); together they do (6).
  await fixture(ctx, srv, '/tabs2.html', { config: config(qualifyingModel(5)) });
  await ctx.addInitScript(holdIdle);
  const a = await newPage(ctx);
  await a.goto(srv.url + '/tabs2.html');
  await ready(a);
  const b = await newPage(ctx);
  await b.goto(srv.url + '/tabs2.html');
  await ready(b);
  await a.evaluate(() => {
    window.qualified = [];
    window.baton('on', 'qualified', (h) => window.qualified.push(h.handoffId));
  });
  await seed(a);
  const seeded = (await stored(a))[VISITOR];
  await until(() => b.evaluate((r) => localStorage.getItem('baton:v1:visitor') === r, seeded), 'the first record to reach B');
  // Both tabs score events; neither has written them.
  await a.evaluate(() => {
    for (let i = 0; i < 3; i++) window.baton('track', 'Tab Event', { tab: 'a', i });
  });
  await b.evaluate(() => {
    for (let i = 0; i < 3; i++) window.baton('track', 'Tab Event', { tab: 'b', i });
  });
  assert.equal((await stored(a))[VISITOR], seeded, 'neither tab has written its events yet');
  // B writes first; then A writes: B's record restored, A's events on top of it.
  assert.equal(await b.evaluate(() => window.__runIdle()), 1);
  const bRecord = (await stored(b))[VISITOR];
  await until(() => a.evaluate((r) => localStorage.getItem('baton:v1:visitor') === r, bRecord), "B's write to reach A");
  assert.equal(await a.evaluate(() => window.__runIdle()), 1);
  const aRecord = (await stored(a))[VISITOR];
  assert.notEqual(aRecord, bRecord);
  assert.equal(await tabEvents(a), 6, "A's events on top of B's");
  assert.equal(JSON.parse(aRecord).state.n, 7, 'every event of both tabs, and the first one, stored once');
  await until(() => b.evaluate((r) => localStorage.getItem('baton:v1:visitor') === r, aRecord), "A's write to reach B");
  assert.equal(await tabEvents(b), 6, 'B sees every event of both tabs');
  // The re-ingested events qualified the visitor in A: announced there, queued once.
  assert.equal((await a.evaluate(() => window.qualified)).length, 1);
  assert.equal(JSON.parse((await stored(a))[OUTBOX]).entries.length, 1);
  assert.equal(JSON.parse(aRecord).state.st, 'mql');
  assert.equal(await storedTabEvents(ctx, '/tabs2.html'), 6);
  assert.deepEqual(unexpected([...a.errors, ...b.errors]), []);
  await ctx.close();
});
