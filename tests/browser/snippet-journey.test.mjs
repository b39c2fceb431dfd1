// The seed journey, scripted on the demo site (www/demo) with its real model: three visits two days
// apart (Playwright's clock moves the page's time; the snippet reads the clock, the engine never
// does), pricing, two case-study downloads, a demo request as a Director at a 500-person company.
// Exactly one correct handoff must arrive; reloads and a second tab keep the visitor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchBrowser, newPage } from './harness.mjs';
import { demoModel, fillDemoRequest, ready, root, score, startDemo, stored, stubFiles, until } from './snippet-support.mjs';

const { Engine } = createRequire(import.meta.url)(join(root, 'pkg/node/baton.js'));
const T0 = Date.parse('2026-11-02T09:00:00Z');
const DAY = 86_400_000;

let srv;
let browser;
let ctx;
let page;
before(async () => {
  srv = await startDemo();
  browser = await launchBrowser();
  ctx = await browser.newContext();
  await stubFiles(ctx, srv);
  await ctx.clock.install({ time: T0 });
  page = await newPage(ctx);
});
after(async () => {
  await browser?.close();
  await srv?.close();
});

const visit = async (path) => {
  await page.goto(srv.url + path);
  return ready(page);
};

test('the seed journey qualifies and exactly one correct handoff arrives', async () => {
  // Visit 1: from a LinkedIn campaign, then pricing.
  await visit('/demo/?utm_source=linkedin&utm_medium=paid-social&utm_campaign=q4-launch');
  await visit('/demo/pricing/');
  // Visit 2, two days later: the resources page and both case studies (one opens in a new tab).
  await ctx.clock.fastForward(2 * DAY);
  await visit('/demo/resources/');
  await page.click('#dl-northwind');
  await page.click('#dl-contoso'); // target=_blank
  for (const p of ctx.pages()) if (p !== page) await p.close();
  assert.equal((await score(page)).stage, 'anonymous');
  // Visit 3, two days later: pricing again, then the demo request form.
  await ctx.clock.fastForward(2 * DAY);
  await visit('/demo/pricing/');
  await visit('/demo/request-demo/');
  await fillDemoRequest(page);
  await page.fill('#password', 'hunter2-secret');
  await page.click('button[type=submit]');

  // The page reacts at once (site.js's `on('qualified')` opens the calendar)...
  await page.waitForSelector('#calendar:not([hidden]) .calendar button', { timeout: 10_000 });
  const shownId = await page.evaluate(() => document.documentElement.dataset.batonQualified);
  // ...and the receiver gets the payload.
  const [rec] = await until(() => srv.receiver.handoffs().length && srv.receiver.handoffs(), 'the handoff');
  const h = rec.handoff;
  assert.equal(h.handoffId, shownId);
  assert.equal(h.stage, 'mql');
  assert.equal(h.model.version, demoModel.version);
  assert.equal(h.model.hash, new Engine(demoModel).modelHash);
  assert.equal(h.traits.email, 'dana@northwind.example');
  assert.equal(h.traits.title, 'Director of Marketing');
  assert.equal(h.traits.employees ?? h.company.employees, '500', 'a form value arrives as typed, as text');
  assert.ok(h.score.total >= 50, `score ${h.score.total}`);
  // Fit from the form: Director (15) at a 500-person (10) software company (5).
  assert.equal(h.score.fit, 30);
  // Every point explained: the ledger and the explanation add up to the total, to the cent.
  const c = (x) => Math.round(x * 100);
  const x = h.explanation;
  const parts =
    h.ledger.reduce((s, e) => s + c(e.countedPoints), 0) +
    x.rules.reduce((s, r) => s + c(r.earlierPoints), 0) +
    x.fit.reduce((s, f) => s + c(f.points), 0) +
    x.groups.reduce((s, g) => s + c(g.value) - c(g.raw), 0) +
    c(x.otherPoints) +
    (c(h.score.total) - c(x.totalRaw));
  assert.equal(parts, c(h.score.total), JSON.stringify(x));
  assert.equal(x.fit.reduce((s, f) => s + c(f.points), 0), 3000, 'the three fit rules');
  const rules = new Set(h.ledger.map((e) => e.ruleId));
  // The demo request the form sent is in the handoff it qualified (its event is scored first).
  assert.ok(h.history.some((e) => e.label === 'Demo Requested'), JSON.stringify(h.history));
  for (const id of ['demo-request', 'pricing-page', 'case-study', 'resource-download', 'linkedin-campaign']) {
    assert.ok(rules.has(id), `ledger has ${id}: ${[...rules].join(', ')}`);
  }
  assert.equal(h.firstTouch.utm.source, 'linkedin', JSON.stringify(h.firstTouch));
  assert.equal(h.firstTouch.utm.name ?? h.firstTouch.utm.campaign, 'q4-launch');
  assert.equal(h.firstTouch.landingPage, '/');
  assert.ok(h.lastTouch.at > h.firstTouch.at, 'last touch is the latest visit');
  assert.equal(h.followUpBy - h.enteredAt, demoModel.handoff.slaMinutes * 60_000);
  assert.ok(h.enteredAt >= T0 + 4 * DAY, 'stage time comes from the page clock');
  assert.ok(h.routing.owner || h.routing.team, 'routed');
  assert.equal(h.anonymousId, await page.evaluate(() => JSON.parse(localStorage.getItem('baton:v1:visitor')).id));
  const raw = JSON.stringify(rec);
  assert.ok(!raw.includes('hunter2'), 'a password field is never read');

  // Still exactly one, and delivered once, after the outbox settled.
  await until(async () => {
    const box = JSON.parse((await stored(page))['baton:v1:outbox']);
    return box.entries.every((e) => e.delivery.state === 'acknowledged');
  }, 'the outbox entry acknowledged');
  assert.equal(srv.receiver.handoffs().length, 1);
  assert.equal(srv.receiver.handoffs()[0].deliveries, 1);
  assert.deepEqual(page.errors, []);
});

test('a reload and a second tab keep the visitor, and do not hand off again', async () => {
  const before = await score(page);
  const id = await page.evaluate(() => JSON.parse(localStorage.getItem('baton:v1:visitor')).id);
  await page.reload();
  const again = await ready(page);
  assert.equal(again.stage, 'mql');
  assert.ok(again.total >= before.total - 1, `${again.total} vs ${before.total}`);

  const tab = await newPage(ctx);
  await tab.goto(srv.url + '/demo/careers/');
  const there = await ready(tab);
  assert.equal(there.stage, 'mql');
  assert.equal(await tab.evaluate(() => JSON.parse(localStorage.getItem('baton:v1:visitor')).id), id);
  // The careers rule (-10) scored in the second tab is seen by the first one.
  const back = await score(page);
  assert.ok(Math.abs(back.total - there.total) < 0.01, `${back.total} / ${there.total}`);
  assert.ok(there.total < again.total, 'the careers page counted against the score');

  await new Promise((r) => setTimeout(r, 500));
  assert.equal(srv.receiver.handoffs().length, 1);
  assert.equal(srv.receiver.handoffs()[0].deliveries, 1);
  assert.deepEqual([...page.errors, ...tab.errors], []);
});

test('the demo PDFs are real PDF files', async () => {
  for (const name of ['case-study-northwind.pdf', 'case-study-contoso.pdf', 'freight-visibility-guide.pdf']) {
    const res = await fetch(`${srv.url}/demo/resources/${name}`);
    assert.equal(res.status, 200);
    const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
    assert.ok(text.startsWith('%PDF-1.4') && text.trimEnd().endsWith('%%EOF'), name);
    const xref = Number(text.match(/startxref\n(\d+)/)[1]);
    assert.equal(text.slice(xref, xref + 4), 'xref', `${name}: startxref points at the xref table`);
  }
});

test('the inbox lists handoffs as text, never as HTML', async () => {
  const [rec] = srv.receiver.handoffs();
  const hostile = structuredClone(rec.handoff);
  hostile.handoffId = 'f'.repeat(32);
  hostile.traits.email = '<img src=x onerror="window.__pwned=1">@example.com';
  // Under a model this receiver does not have, so it is stored without re-scoring.
  hostile.model.hash = '0'.repeat(32);
  const res = await fetch(srv.url + '/api/handoff', { method: 'POST', body: JSON.stringify(hostile) });
  assert.equal(res.status, 202);
  const inbox = await newPage(ctx);
  await inbox.goto(srv.url + '/receiver/inbox.html');
  await inbox.waitForSelector('#rows tr:nth-child(2)');
  const first = await inbox.textContent('#rows tr:first-child');
  assert.ok(first.includes('<img src=x onerror="window.__pwned=1">@example.com'), first);
  assert.equal(await inbox.evaluate(() => window.__pwned), undefined);
  assert.equal(await inbox.locator('#rows img').count(), 0);
  assert.ok((await inbox.textContent('#rows tr:nth-child(2)')).includes('dana@northwind.example'));
  await inbox.click('#rows tr:nth-child(2)');
  assert.match(await inbox.textContent('#detail'), /"handoffId": "[0-9a-f]{32}"/);
  assert.deepEqual(inbox.errors, []);
});
