// Several tabs of one visitor. `track` reads nothing from localStorage: a tab learns of the other
// tabs' writes from the `storage` event, so these tests pin what that must keep: tabs taking turns
// each continue the shared state (no tab overwrites another's events), a refusal in one tab stops
// every tab, and a visitor record of the previous format (version 1) is carried over, not lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, demoModel, explain, fixture, openDemo, ready, recordConsole, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

/** The demo model plus a point per `Tab Event`: its ledger entries count the events every tab scored. */
const countingModel = () => testModel(srv, { rules: [...demoModel.rules, { id: 'tab', points: 1, when: { event: 'Tab Event' } }] });
const VISITOR = 'baton:v1:visitor';
const tabEvents = async (page) => (await explain(page)).entries.filter((e) => e.ruleId === 'tab').length;

/**
 * Waits until `page` holds the stored visitor record `record` (another tab's write reached it), and
 * one task more, as when a person switches tabs: the `storage` event is dispatched by then.
 */
async function seen(page, record) {
  await until(() => page.evaluate((r) => localStorage.getItem('baton:v1:visitor') === r, record), 'the other tab\'s write');
  await page.evaluate(() => new Promise((ok) => setTimeout(ok, 50)));
}

test('tabs taking turns continue one state: no tab overwrites another\'s events', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/tabs.html', { config: { model: countingModel(), endpoint: '/api/handoff' } });
  const a = await newPage(ctx);
  await a.goto(srv.url + '/tabs.html');
  await ready(a);
  const b = await newPage(ctx);
  await b.goto(srv.url + '/tabs.html');
  await ready(b);
  const tabs = [a, b];
  const TURNS = 6;
  let record = (await stored(b))[VISITOR];
  for (let turn = 0; turn < TURNS; turn++) {
    const tab = tabs[turn % 2];
    await seen(tab, record);
    await tab.evaluate((n) => window.baton('track', 'Tab Event', { turn: n }), turn);
    // `explain` writes what the tab has not written yet (the state is written in an idle period
    // after `track`), so the record read after it is the one the other tab must see next.
    assert.equal(await tabEvents(tab), turn + 1, `after turn ${turn}: every tab's events are in the state`);
    record = (await stored(tab))[VISITOR];
  }
  assert.equal(JSON.parse(record).v, 2);
  assert.equal(JSON.parse((await stored(a))[VISITOR]).id, JSON.parse((await stored(b))[VISITOR]).id, 'one visitor');
  assert.deepEqual([...a.errors, ...b.errors], []);
  await ctx.close();
});

test('declining in one tab stops the other tab: it stores and sends nothing more', async () => {
  const ctx = await browser.newContext();
  const posts = [];
  ctx.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
  const body = `<button id="decline" onclick="baton('consent','denied')">Decline</button>`;
  await fixture(ctx, srv, '/revoke-tabs.html', { config: { model: countingModel(), endpoint: '/api/handoff' }, body });
  const a = await newPage(ctx);
  await a.goto(srv.url + '/revoke-tabs.html');
  await ready(a);
  const b = await newPage(ctx);
  await b.goto(srv.url + '/revoke-tabs.html');
  await ready(b);

  await b.click('#decline');
  await until(async () => !(await stored(a))[VISITOR], 'the refusal to reach the first tab');
  await a.evaluate(() => new Promise((ok) => setTimeout(ok, 50)));
  await a.evaluate(() => {
    window.baton('track', 'Tab Event', {});
    window.baton('identify', { email: 'after-refusal@example.com' });
  });
  assert.deepEqual(await stored(a), { 'baton:v1:consent': 'denied' }, 'only the refusal is kept');
  assert.deepEqual(posts, []);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await ctx.close();
});

test('a visitor record of format version 1 (state as JSON text) is read and rewritten as version 2', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/v1.html', { config: { model: countingModel(), endpoint: '/api/handoff' } });
  // A current record, turned into the version 1 shape a visitor may still have stored.
  const first = await newPage(ctx);
  await first.goto(srv.url + '/v1.html');
  await ready(first);
  await first.evaluate(() => {
    window.baton('track', 'Tab Event', {});
    window.baton('track', 'Tab Event', {});
  });
  const current = JSON.parse((await stored(first))[VISITOR]);
  assert.equal(current.v, 2);
  assert.equal(typeof current.state, 'object');
  await first.close();
  const v1 = { v: 1, id: current.id, model: current.model, state: JSON.stringify(current.state) };
  await ctx.addInitScript((text) => {
    if (!sessionStorage.getItem('seeded')) {
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem('baton:v1:visitor', text);
    }
  }, JSON.stringify(v1));

  const page = await newPage(ctx);
  const warnings = recordConsole(page);
  await page.goto(srv.url + '/v1.html');
  await ready(page);
  assert.equal(await tabEvents(page), 2, 'the stored state carried over');
  await page.evaluate(() => window.baton('track', 'Tab Event', {}));
  const now = JSON.parse((await stored(page))[VISITOR]);
  assert.equal(now.v, 2);
  assert.equal(now.id, current.id, 'the visitor keeps their id');
  assert.equal(await tabEvents(page), 3);
  assert.deepEqual(warnings.filter((w) => w.startsWith('baton:')), []);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
