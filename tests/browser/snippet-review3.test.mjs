// Review 9 of the snippet (shared visitor record, several tabs, storage trouble):
// - a new visitor (a `reset`, consent revoked and granted again) in one tab is not undone by another
//   tab's unwritten events: those belong to the previous visitor and are dropped, never replayed
//   onto the new one;
// - tabs on two model versions do not wipe each other's visitor: the visitor starts fresh once, when
//   a tab of the new model starts, and the older tab then keeps scoring in memory without writing;
// - a storage write that fails once does not stop persistence for the rest of the page, and a
//   handoff queued meanwhile reaches the stored outbox once storage works again;
// - each kind of storage problem is warned once, not one warning for all of them.
//
// Idle callbacks are held back where a test needs events to stay unwritten (`__runIdle`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, score, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const VISITOR = 'baton:v1:visitor';
const OUTBOX = 'baton:v1:outbox';

/** Every `Tick` is 1 point, no decay, no caps: the stored `r.tick.c` counts the ticks. */
const countModel = (extra = {}) => ({
  id: 'count',
  version: '1.0.0',
  name: 'count',
  sessionTimeoutMinutes: 30,
  decay: 'none',
  groups: { c: { max: 1e9 } },
  limits: { total: { min: 0, max: 1e9 } },
  grades: { A: 1 },
  rules: [{ id: 'tick', group: 'c', points: 1, when: { event: 'Tick' } }],
  stages: { known: { any: [{ identified: true }, { trait: 'email', exists: true }] } },
  ...extra,
});
const config = (model) => ({ model, endpoint: '/api/handoff', autocapture: false });
const record = async (page) => JSON.parse((await stored(page))[VISITOR] ?? 'null');
const ticks = (rec) => rec?.state?.r?.tick?.c ?? 0;

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

/** `setItem` of the snippet's keys throws a QuotaExceededError while `window.failWrites` is set. */
function failingWrites() {
  const set = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    if (window.failWrites && String(k).startsWith('baton:')) throw new DOMException('full', 'QuotaExceededError');
    return set.call(this, k, v);
  };
}

/** Waits until `page` sees `text` as the stored visitor record (the other tab's write arrived). */
const sees = (page, text, what) =>
  until(() => page.evaluate(([k, t]) => localStorage.getItem(k) === t, [VISITOR, text]), what, 5_000, 20);

/** Two started tabs of one context on `path`, both holding idle writes back. */
async function twoTabs(path, model) {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, path, { config: config(model) });
  await ctx.addInitScript(holdIdle);
  const a = await newPage(ctx);
  await a.goto(srv.url + path);
  await ready(a);
  const b = await newPage(ctx);
  await b.goto(srv.url + path);
  await ready(b);
  return { ctx, a, b };
}

/** B identifies alice (a stage entered: written at once), and A has read that record. */
async function alice(a, b) {
  await b.evaluate(() => window.baton('identify', 'alice', { email: 'alice@corp.example' }));
  const rec = (await stored(b))[VISITOR];
  assert.ok(rec?.includes('alice'), 'the identify entered a stage and was written at once');
  await sees(a, rec, "B's record to reach A");
  await score(a);
}

/** B scores more of alice's activity, not written yet (its idle callback is held). */
async function unwritten(b) {
  const before = (await stored(b))[VISITOR];
  await b.evaluate(() => {
    window.baton('identify', 'alice', { company: 'Alice Corp' });
    for (let i = 0; i < 3; i++) window.baton('track', 'Tick');
  });
  assert.equal((await stored(b))[VISITOR], before, "B's events are not written yet");
}

/** The new visitor's record, as stored once B wrote what it held: nothing of alice. */
async function assertFresh(a, b, newId) {
  const rec = await record(a);
  assert.equal(rec.id, newId, 'the stored visitor is the new one');
  assert.equal(rec.state.u, undefined, `no userId on the new visitor: ${JSON.stringify(rec.state)}`);
  assert.equal(rec.state.t, undefined, 'no traits on the new visitor');
  assert.equal(ticks(rec), 0, "none of the previous visitor's events");
  assert.equal((await score(b)).total, 0, "B scores the new visitor, without the previous one's events");
  assert.equal((await score(a)).total, 0);
  assert.equal((await record(b)).id, newId);
}

test("a reset in one tab is not undone by another tab's unwritten events of the previous visitor", async () => {
  const { ctx, a, b } = await twoTabs('/reset.html', countModel());
  await alice(a, b);
  const aliceId = (await record(a)).id;
  await unwritten(b);
  await a.evaluate(() => window.baton('reset'));
  const fresh = (await stored(a))[VISITOR];
  const newId = JSON.parse(fresh).id;
  assert.notEqual(newId, aliceId, 'reset wrote a new visitor at once');
  await sees(b, fresh, "A's reset to reach B");
  // B's idle write: it finds the new visitor stored, and its events were the previous visitor's.
  assert.equal(await b.evaluate(() => window.__runIdle()), 1);
  await assertFresh(a, b, newId);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await ctx.close();
});

test("consent revoked and granted again in one tab does not bring back another tab's unwritten events", async () => {
  const { ctx, a, b } = await twoTabs('/regrant.html', countModel());
  await alice(a, b);
  await unwritten(b);
  await a.evaluate(() => {
    window.baton('consent', 'denied');
    window.baton('consent', 'granted');
  });
  const fresh = (await stored(a))[VISITOR];
  assert.ok(fresh, 'granting again stored a new visitor');
  await sees(b, fresh, "A's new visitor to reach B");
  assert.equal(await b.evaluate(() => window.__runIdle()), 1);
  await assertFresh(a, b, JSON.parse(fresh).id);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await ctx.close();
});

test("a tab writing the previous visitor in the same moment as a reset (before it saw it) does not bring them back", async () => {
  const { ctx, a, b } = await twoTabs('/stale.html', countModel());
  await alice(a, b);
  const aliceRecord = (await stored(a))[VISITOR];
  await a.evaluate(() => window.baton('reset'));
  const fresh = (await stored(a))[VISITOR];
  const newId = JSON.parse(fresh).id;
  // What another tab writes when its write and the reset cross: alice's record, after the reset.
  // (A page without the snippet writes it here, so the order is certain.)
  await ctx.route(srv.url + '/plain.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>plain</title>' }));
  const c = await newPage(ctx);
  await c.goto(srv.url + '/plain.html');
  await c.evaluate(([k, v]) => localStorage.setItem(k, v), [VISITOR, aliceRecord]);
  await sees(a, aliceRecord, "the stale write to reach A");
  await score(a);
  const rec = await record(a);
  assert.equal(rec.id, newId, 'the new visitor stands');
  assert.equal(rec.state.u, undefined, `alice is not brought back: ${JSON.stringify(rec.state)}`);
  await sees(b, (await stored(a))[VISITOR], "A's record to reach B");
  assert.equal((await score(b)).total, 0);
  assert.equal((await record(b)).id, newId);
  assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  await ctx.close();
});

test('tabs on two model versions: the visitor starts fresh once, then the older tab stops overwriting', async () => {
  const ctx = await browser.newContext();
  const v1 = countModel();
  const v2 = countModel({ version: '1.0.1' });
  await fixture(ctx, srv, '/old.html', { config: config(v1) });
  await fixture(ctx, srv, '/new.html', { config: config(v2) });
  const a = await newPage(ctx);
  const aWarns = recordConsole(a);
  await a.goto(srv.url + '/old.html');
  await ready(a);
  await a.evaluate(() => {
    for (let i = 0; i < 10; i++) window.baton('track', 'Tick');
  });
  await score(a); // written
  const old = await record(a);
  assert.equal(ticks(old), 10);
  // A tab of the new model starts: it finds the old model's record and starts fresh (same visitor).
  const b = await newPage(ctx);
  const bWarns = recordConsole(b);
  await b.goto(srv.url + '/new.html');
  await ready(b);
  await b.evaluate(() => window.baton('identify', 'bob', { email: 'bob@corp.example' }));
  assert.equal((await record(b)).id, old.id, 'the visitor keeps their id');
  for (let round = 0; round < 3; round++) {
    await b.evaluate(() => {
      for (let i = 0; i < 5; i++) window.baton('track', 'Tick');
    });
    await score(b); // written
    await sees(a, (await stored(b))[VISITOR], "B's record to reach A");
    await a.evaluate(() => window.baton('track', 'Tick'));
    await score(a); // A's write point: it must leave B's record alone
  }
  const rec = await record(b);
  assert.equal(ticks(rec), 15, `the new model's record keeps all of B's ticks: ${JSON.stringify(rec.state.r)}`);
  assert.equal(rec.state.t?.email, 'bob@corp.example', "B's traits survive A's writes");
  assert.equal((await score(b)).total, 15, 'B scores its 15 ticks');
  assert.equal((await score(a)).total, 13, 'A keeps scoring its own 13 ticks in memory for the page');
  const said = aWarns.filter((w) => w.includes('1.0.1'));
  assert.equal(said.length, 1, `A warns once, naming both versions: ${JSON.stringify(aWarns)}`);
  assert.match(said[0], /1\.0\.0/);
  assert.deepEqual(bWarns, [], 'the new model starts fresh without a warning');
  // A logout in the older tab still reaches every tab: a new visitor is never held back.
  await a.evaluate(() => window.baton('reset'));
  const fresh = (await stored(a))[VISITOR];
  assert.notEqual(JSON.parse(fresh).id, old.id);
  await sees(b, fresh, "A's reset to reach B");
  assert.equal((await score(b)).total, 0, 'B follows the new visitor');
  assert.equal((await record(b)).state?.u, undefined);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await ctx.close();
});

test('a storage write that fails once is retried at the next write; a handoff queued meanwhile is stored', async () => {
  const ctx = await browser.newContext();
  await ctx.route(srv.url + '/api/handoff', (r) => r.fulfill({ status: 503, body: '' }));
  // Qualifies (the handoff stage, mql) at 5 ticks.
  const model = testModel(srv, {
    groups: {},
    rules: [{ id: 'tick', points: 1, when: { event: 'Tick' } }],
    stages: { known: { any: [{ identified: true }] }, mql: { all: [{ score: 'total', gte: 5 }] } },
  });
  await fixture(ctx, srv, '/quota.html', { config: config(model) });
  const page = await newPage(ctx);
  const warns = recordConsole(page);
  await page.addInitScript(failingWrites);
  await page.goto(srv.url + '/quota.html');
  await ready(page);
  const tick = (n) =>
    page.evaluate((n) => {
      for (let i = 0; i < n; i++) window.baton('track', 'Tick');
    }, n);
  await tick(3);
  await score(page); // written
  const tickCount = async () => JSON.parse((await stored(page))[VISITOR]).state.r.tick.c;
  assert.equal(await tickCount(), 3);
  // Storage is full for a moment: the two events that qualify the visitor are not stored.
  await page.evaluate(() => (window.failWrites = true));
  await tick(2);
  assert.equal((await score(page)).stage, 'mql', 'the page goes on scoring in memory');
  assert.equal((await stored(page))[OUTBOX], undefined, 'the handoff could not be stored yet');
  await page.evaluate(() => (window.failWrites = false));
  await tick(3);
  await score(page);
  assert.equal(await tickCount(), 8, 'every tick is stored once storage works again');
  const outbox = JSON.parse((await stored(page))[OUTBOX] ?? 'null');
  assert.equal(outbox?.entries?.length, 1, 'the handoff queued while storage failed is in the stored outbox');
  assert.equal(warns.filter((w) => w.includes('refused')).length, 1, `one warning: ${JSON.stringify(warns)}`);
  // A reload restores what was stored: every tick.
  await page.reload();
  await ready(page);
  assert.equal((await score(page)).total, 8);
  assert.deepEqual(page.errors.filter((e) => !e.includes('status of 503')), []);
  await ctx.close();
});

test('each kind of storage problem is warned once', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/warn.html', { config: config(countModel()) });
  const a = await newPage(ctx);
  const warns = recordConsole(a);
  await a.addInitScript(failingWrites);
  await a.goto(srv.url + '/warn.html');
  await ready(a);
  await a.evaluate(() => {
    window.failWrites = true;
    window.baton('track', 'Tick');
    window.failWrites = false;
  });
  await score(a);
  // Another tab leaves an unreadable visitor record.
  const b = await newPage(ctx);
  await ctx.route(srv.url + '/plain.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>plain</title>' }));
  await b.goto(srv.url + '/plain.html');
  await b.evaluate((k) => localStorage.setItem(k, '{"not":"a visitor"}'), VISITOR);
  await until(() => a.evaluate((k) => localStorage.getItem(k) === '{"not":"a visitor"}', VISITOR), 'the record to reach A', 5_000, 20);
  await score(a);
  // Console messages reach the test asynchronously: give the second one a moment (bounded).
  await until(() => warns.some((w) => w.includes('unreadable')), 'the second kind of warning', 2_000, 20).catch(() => {});
  assert.equal(warns.filter((w) => w.includes('refused')).length, 1, JSON.stringify(warns));
  assert.equal(warns.filter((w) => w.includes('unreadable stored visitor')).length, 1, JSON.stringify(warns));
  assert.deepEqual(a.errors, []);
  await ctx.close();
});
