// Autocapture on fixture pages, observed through the engine's own ledger (rules that match on what
// the loader sent): downloads by extension or data attribute with the query string dropped,
// modifier/middle/_blank clicks counted and right clicks not; SPA navigation counted once per URL;
// form mappings that never read password, hidden or payment fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, explain, fixture, openDemo, ready, score, until } from './snippet-support.mjs';

/** Matches per rule: the rounded total of the rule's own group. */
async function ruleCounts(page) {
  const out = {};
  for (const [g, v] of Object.entries((await score(page)).groups)) if (Math.round(v)) out[g] = Math.round(v);
  return out;
}

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const dl = { event: 'Asset Downloaded' };
// Each rule scores 1 point into its own group, so a group's total counts its matches (the ledger
// in `explain` keeps only the latest entries).
function captureModel() {
  const withGroups = (rules) => rules.map((r) => ({ ...r, group: r.id }));
  return {
    version: 'capture-1',
    rules: withGroups([
      { id: 'page-view', points: 1, when: { type: 'page' } },
      { id: 'download', points: 1, when: dl },
      { id: 'pdf', points: 1, when: { all: [dl, { property: 'extension', equals: 'pdf' }] } },
      { id: 'deck-clean-url', points: 1, when: { all: [dl, { property: 'url', equals: `${srv.url}/files/Deck.PPTX` }] } },
      { id: 'query-leaked', points: 1, when: { all: [dl, { property: 'url', contains: 'token' }] } },
      { id: 'tagged', points: 1, when: { all: [dl, { property: 'name', equals: 'Brochure' }] } },
    ]),
  };
}

const LINKS = `
<a id="pdf" href="/files/report.pdf">Annual report</a>
<a id="pptx" href="/files/Deck.PPTX?token=secret#p2">Deck</a>
<a id="html" href="/files/notes.html">Notes</a>
<a id="tagged" data-baton-download="Brochure" href="/get?id=1">Get the brochure</a>
<a id="blank" href="/files/sheet.xlsx" target="_blank">Sheet</a>
<a id="nested" href="/files/a.zip"><b id="inner">zip</b></a>`;

async function capturePage(config = {}) {
  const ctx = await browser.newContext();
  // The files themselves answer 204: no navigation, the page under test stays.
  await ctx.route((u) => u.href.startsWith(srv.url + '/files/') || u.href.startsWith(srv.url + '/get'), (r) =>
    r.fulfill({ status: 204, body: '' }),
  );
  await fixture(ctx, srv, '/capture.html', { config: { model: captureModel(), ...config }, body: LINKS });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/capture.html');
  await ready(page);
  return { ctx, page };
}

test('downloads: extension match, query string dropped, data attribute, every kind of click', async () => {
  const { ctx, page } = await capturePage();
  const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
  await page.click('#pdf');
  await page.click('#pptx');
  await page.click('#html'); // not a download
  await page.click('#tagged');
  await page.click('#pdf', { modifiers: [mod] }); // new background tab
  await page.click('#pdf', { modifiers: ['Shift'] }); // new window
  await page.click('#pdf', { button: 'middle' });
  await page.click('#pdf', { button: 'right' }); // context menu: not a download
  await page.click('#blank'); // target=_blank
  await page.click('#inner'); // the click lands on a child of the link
  const counts = await until(async () => {
    const c = await ruleCounts(page);
    return c.download === 8 && c;
  }, 'eight downloads', 5_000).catch(async () => ruleCounts(page));
  assert.equal(counts.download, 8, JSON.stringify(counts));
  assert.equal(counts.pdf, 4, 'left, modifier, shift and middle clicks on the PDF');
  assert.equal(counts['deck-clean-url'], 1, 'the URL is sent without its query string and fragment');
  assert.equal(counts['query-leaked'], undefined);
  assert.equal(counts.tagged, 1);
  for (const p of ctx.pages()) assert.deepEqual(p.errors ?? [], []);
  await ctx.close();
});

test('downloads: switched off, or a site-specific extension list', async () => {
  const off = await capturePage({ autocapture: { downloads: false } });
  await off.page.click('#pdf');
  await off.page.waitForTimeout(200);
  assert.equal((await ruleCounts(off.page)).download, undefined);
  await off.ctx.close();

  const custom = await capturePage({ downloadExtensions: ['html'] });
  await custom.page.click('#pdf');
  await custom.page.click('#html');
  await custom.page.waitForTimeout(200);
  assert.equal((await ruleCounts(custom.page)).download, 1, 'only .html counts now');
  assert.deepEqual(custom.page.errors, []);
  await custom.ctx.close();
});

test('single-page-app navigation: each new URL counted once; replaceState and hash changes are not page views', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/spa/', {
    config: { model: captureModel() },
    body: '<a id="top">top</a>',
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/spa/');
  await ready(page);
  await page.evaluate(() => history.pushState({}, '', '/spa/a'));
  await page.evaluate(() => history.replaceState({ scroll: 10 }, '', '/spa/a'));
  await page.evaluate(() => {
    location.hash = '#top';
  });
  await page.evaluate(() => history.pushState({}, '', '/spa/b'));
  await page.evaluate(() => history.back()); // → /spa/a#top (popstate)
  await page.waitForFunction(() => location.pathname === '/spa/a');
  await page.evaluate(() => history.back()); // → /spa/a (only the hash differs)
  await page.waitForFunction(() => location.hash === '');
  await page.waitForTimeout(200);
  const labels = {};
  for (const e of (await explain(page)).entries) {
    if (e.ruleId === 'page-view') labels[e.label] = (labels[e.label] || 0) + 1;
  }
  assert.deepEqual(labels, { '/spa': 1, '/spa/a': 2, '/spa/b': 1 });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('page views switched off: nothing automatic, explicit calls still work', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/manual.html', { config: { model: captureModel(), autocapture: false } });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/manual.html');
  await ready(page);
  await page.evaluate(() => history.pushState({}, '', '/manual-2'));
  assert.equal((await ruleCounts(page))['page-view'], undefined);
  await page.evaluate(() => window.baton('page'));
  assert.equal((await ruleCounts(page))['page-view'], 1);
  await ctx.close();
});

test('forms: mapped fields become traits; password, hidden and payment fields are never read', async () => {
  const ctx = await browser.newContext();
  const model = {
    version: 'forms-1',
    rules: [{ id: 'demo', points: 1, when: { event: 'Demo Requested' } }],
    stages: { mql: { trait: 'email', exists: true } },
    handoff: { stage: 'mql', endpoint: srv.url + '/api/handoff', slaMinutes: 30, routing: { team: 'sales' } },
  };
  await fixture(ctx, srv, '/form.html', {
    config: {
      model,
      forms: [
        {
          selector: '#lead',
          event: 'Demo Requested',
          traits: {
            email: 'email', // by name
            title: 'job', // by id
            employees: '#lead [data-trait=size]', // by selector
            // Mapped to traits the engine keeps, so a leak would show in the payload:
            phone: 'password', // misconfigured: a password is still never read
            website: 'website', // a hidden honeypot: never read
            role: 'cc', // a payment field: never read
            industry: 'industry', // a radio group: the checked option
          },
        },
      ],
    },
    body: `<form id="lead" onsubmit="event.preventDefault()">
      <input name="email"><input id="job" name="t"><input data-trait="size" name="s">
      <input type="password" name="password"><input type="hidden" name="website" value="bot-filled">
      <input name="cc" autocomplete="cc-number">
      <label><input type="radio" name="industry" value="Software">Software</label>
      <label><input type="radio" name="industry" value="Retail">Retail</label>
      <button>Send</button></form>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/form.html');
  await ready(page);
  await page.fill('[name=email]', 'lee@example.com');
  await page.fill('#job', 'VP Operations');
  await page.fill('[name=s]', '1200');
  await page.fill('[name=password]', 'pw-123456');
  await page.fill('[name=cc]', '4111111111111111');
  await page.check('input[value=Software]');
  await page.click('#lead button');
  const [rec] = await until(() => srv.receiver.handoffs().find((r) => r.handoff.traits.email === 'lee@example.com') && srv.receiver.handoffs().filter((r) => r.handoff.traits.email === 'lee@example.com'), 'the form handoff');
  const t = rec.handoff.traits;
  assert.equal(t.title, 'VP Operations');
  assert.equal(t.employees, '1200', 'kept as typed (the model compares numeric text as a number)');
  assert.equal(t.industry, 'Software');
  for (const k of ['phone', 'website', 'role', 'password']) assert.equal(t[k], undefined, k);
  const raw = JSON.stringify(rec);
  for (const s of ['pw-123456', '4111111111111111', 'bot-filled']) assert.ok(!raw.includes(s), s);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
