// Ninth snippet review, the loader's findings, in real Chromium:
// - a form mapping reads only the submitted form's fields (those inside it and those its `form`
//   attribute associates), never a field of another form on the page;
// - the site's own callbacks (`on(...)` hooks, `score`/`explain` answers) that throw are reported
//   with `reportError` every time (a page's `error` listener sees each), not warned under the
//   snippet's name; the snippet's own failures stay warnings;
// - page views: a `replaceState` is no new page view (a URL cleaned of its `utm_` parameters, a
//   search box rewriting its query); while the automatic view is held it moves to the new URL (a
//   redirect counts the page shown, not the one redirected from); `page({ path })` just before
//   the `pushState` to that path counts once; a back/forward restore from the bfcache is a page
//   view, as the same navigation without the bfcache is;
// - a start that hangs warns once, naming the request it waits for.
// (Payment-field matching: the table in snippet-review2.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM, newPage } from './harness.mjs';
import { closeDemo, embed, fixture, openDemo, ready, recordConsole, score, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const DEDUPE_WARNING = "baton('page') repeated a page view the snippet counts automatically";

/** The stored visitor's state (`t`: kept traits, `h`: history). */
async function storedState(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('baton:v1:visitor')).state);
}

// ---- forms ------------------------------------------------------------------------------------

test('a form mapping reads only the submitted form\'s fields, never another form\'s', async () => {
  const ctx = await browser.newContext();
  const body = `
<form id="newsletter" onsubmit="event.preventDefault()">
  <input name="email" value="dana@northwind.example">
  <input name="title" form="other" value="CEO (belongs to the other form)">
  <button id="go">Subscribe</button>
</form>
<input id="role" form="newsletter" value="Marketing lead">
<form id="other" onsubmit="event.preventDefault()">
  <input id="phone" value="+1 555 0100 (typed, never submitted)">
  <input name="company" value="Secret Co">
  <input id="city" class="town" value="Springfield">
  <input id="website" value="https://secret.example">
</form>`;
  await fixture(ctx, srv, '/r4-otherform.html', {
    config: {
      model: { version: 'forms-1', rules: [{ id: 'pv', group: 'pv', points: 1, when: { type: 'page' } }] },
      autocapture: { pageviews: false, forms: true },
      forms: [{
        selector: '#newsletter',
        // by name, by id, by CSS selector: every one but email and role names a field of #other
        traits: { email: 'email', role: 'role', phone: 'phone', company: 'company', city: '.town', website: '#website', title: 'title' },
      }],
    },
    body,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r4-otherform.html');
  await ready(page);
  await page.click('#go');
  await score(page); // writes the state
  assert.deepEqual((await storedState(page)).t, { email: 'dana@northwind.example', role: 'Marketing lead' });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// ---- the site's callbacks ---------------------------------------------------------------------

const MONITOR = `<script>window.seen = []; addEventListener('error', (e) => seen.push(String(e.error && e.error.message)));</script>`;

test('a throwing hook or score/explain callback is reported with reportError every time, not warned as the snippet\'s', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/r4-callbacks.html', { config: { model: testModel(srv), endpoint: '/api/handoff', autocapture: false }, head: MONITOR });
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + '/r4-callbacks.html');
  await ready(page);
  const after = await page.evaluate(() => {
    let calls = 0;
    let answers = 0;
    baton('on', 'score', () => {
      throw new Error('site bug in hook');
    });
    baton('on', 'score', () => calls++);
    for (let i = 0; i < 3; i++) baton('track', 'Tick');
    for (let i = 0; i < 2; i++) {
      baton('score', () => {
        answers++;
        throw new Error('site bug in score callback');
      });
      baton('explain', () => {
        answers++;
        throw new Error('site bug in explain callback');
      });
    }
    return { calls, answers };
  });
  assert.deepEqual(after, { calls: 3, answers: 4 }, 'the hook after the throwing one ran, every callback was answered');
  const expected = [
    'site bug in hook',
    'site bug in hook',
    'site bug in hook',
    'site bug in score callback',
    'site bug in explain callback',
    'site bug in score callback',
    'site bug in explain callback',
  ];
  await until(async () => (await page.evaluate(() => window.seen.length)) >= expected.length, 'every throw reported', 3_000, 20);
  assert.deepEqual(await page.evaluate(() => window.seen), expected, 'the page\'s error listener saw every throw');
  // Reported as the page's own uncaught errors (what error trackers see), nothing else.
  assert.deepEqual(page.errors, expected.map((m) => `pageerror: ${m}`));
  assert.deepEqual(warnings.filter((w) => w.startsWith('baton:')), [], 'the snippet is not blamed');
  assert.ok((await score(page)).total >= 0, 'the snippet still works');
  await ctx.close();
});

test('a snippet that did not start (model 404): a throwing score callback is reported, the start failure warned', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/r4-cb-off.html', { config: { model: '/r4-no-such-model.json', endpoint: '/api/handoff' }, head: MONITOR });
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + '/r4-cb-off.html');
  await until(() => warnings.some((w) => w.includes('r4-no-such-model.json')), 'the start failure warned', 10_000, 50);
  await page.evaluate(() => {
    baton('score', (s) => {
      throw new Error('site bug ' + s);
    });
  });
  await until(async () => (await page.evaluate(() => window.seen.length)) >= 1, 'the throw reported', 3_000, 20);
  assert.deepEqual(await page.evaluate(() => window.seen), ['site bug null']);
  assert.ok(!warnings.some((w) => w.includes('site bug')), warnings.join('\n'));
  assert.deepEqual(page.errors.filter((e) => !/404/.test(e)), ['pageerror: site bug null']);
  await ctx.close();
});

// ---- page views --------------------------------------------------------------------------------

// Each rule scores 1 point into its own group: every page view, and those with the site's properties.
function pageModel() {
  return {
    version: 'pages-4',
    rules: [
      { id: 'page-view', group: 'page-view', points: 1, when: { type: 'page' } },
      { id: 'site-props', group: 'site-props', points: 1, when: { all: [{ type: 'page' }, { property: 'from', equals: 'router' }] } },
    ],
  };
}

/** Page views counted so far (a score asks sends a held view first). */
async function views(page) {
  const g = (await score(page)).groups;
  return { views: Math.round(g['page-view'] ?? 0), site: Math.round(g['site-props'] ?? 0) };
}

// Records every page view the loader hands to the engine, by wrapping the glue's Tracker (the same
// module the loader imports): `path name [+site] [utm:source]`.
const RECORD = `window.sent = [];
if (location.protocol === 'http:') import(location.origin + '/pkg-snippet/baton.js').then((m) => {
  const track = m.Tracker.prototype.track;
  m.Tracker.prototype.track = function (e) {
    if (e && e.type === 'page') {
      const c = e.context && e.context.campaign;
      window.sent.push([e.properties.path + (e.properties.search || ''), e.name, e.properties.from === 'router' ? '+site' : '', c ? 'utm:' + c.source : ''].filter(Boolean).join(' '));
    }
    return track.call(this, e);
  };
});`;

async function spa(path, { config = {} } = {}) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(RECORD);
  // Served whatever the query string (a landing URL with utm_ parameters).
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>fixture ${path.split('?')[0]}</title>
${embed({ src: '/snippet/baton.min.js', model: pageModel(), ...config })}</head><body></body></html>`;
  await ctx.route((u) => u.origin === srv.url && u.pathname === path.split('?')[0], (route) => route.fulfill({ contentType: 'text/html', body: html }));
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + path);
  await page.waitForFunction(() => window.baton && window.baton.loaded === true, null, { timeout: 10_000 });
  return { ctx, page, warnings, sent: () => page.evaluate(() => window.sent) };
}

test('replaceState: a URL cleaned of its utm_ parameters is the landing\'s view (campaign kept); a search box rewriting its query counts nothing', async () => {
  const { ctx, page, sent } = await spa('/r4-utm?utm_source=linkedin&utm_campaign=q4');
  // The "clean URL" script runs as the page starts, while the landing's view is held.
  await page.evaluate(() => history.replaceState({}, '', '/r4-utm'));
  await page.waitForTimeout(50);
  // The site's router then reports the page: the same view, with its properties.
  await page.evaluate(() => baton('page', 'Landing', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 1, site: 1 });
  // Search-as-you-type rewrites the query, long after the view was sent.
  await page.waitForTimeout(1_200);
  await page.evaluate(() => {
    for (const q of ['h', 'he', 'hel', 'help']) history.replaceState({}, '', '/r4-utm?q=' + q);
  });
  await page.waitForTimeout(1_200);
  assert.deepEqual(await views(page), { views: 1, site: 1 });
  // A site that counts a replace as a navigation says so with its own page(): counted.
  await page.evaluate(() => baton('page', 'Search', { from: 'router' }));
  // And a real navigation after it is one view; its back navigation another.
  await page.evaluate(() => history.pushState({}, '', '/r4-utm/next'));
  await page.evaluate(() => history.back());
  await page.waitForFunction(() => location.pathname === '/r4-utm');
  await page.waitForTimeout(100);
  assert.deepEqual(await views(page), { views: 4, site: 2 });
  assert.deepEqual(await sent(), [
    '/r4-utm Landing +site utm:linkedin',
    '/r4-utm?q=help Search +site',
    `/r4-utm/next ${await page.title()}`,
    `/r4-utm?q=help ${await page.title()}`,
  ]);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a redirect (pushState then replaceState while the view is held) counts the page shown, once', async () => {
  const { ctx, page, sent } = await spa('/r4-redirect/');
  await ready(page);
  const title = await page.title();
  // With the router's page() for the page it redirected to.
  await page.evaluate(() => {
    history.pushState({}, '', '/r4-redirect/old');
    history.replaceState({}, '', '/r4-redirect/new');
    baton('page', 'New', { from: 'router' });
  });
  assert.deepEqual(await views(page), { views: 2, site: 1 });
  // Without: the held view is sent by its timer, for the new URL.
  await page.evaluate(() => {
    history.pushState({}, '', '/r4-redirect/old2');
    Promise.resolve().then(() => history.replaceState({}, '', '/r4-redirect/new2'));
  });
  await page.waitForTimeout(1_300);
  assert.deepEqual(await views(page), { views: 3, site: 1 });
  assert.deepEqual(await sent(), [`/r4-redirect/ ${title}`, '/r4-redirect/new New +site', `/r4-redirect/new2 ${title}`]);
  // After the hold, a replaceState to another path starts no view; back to it by popstate does.
  await page.evaluate(() => history.replaceState({}, '', '/r4-redirect/moved'));
  await page.evaluate(() => history.pushState({}, '', '/r4-redirect/after'));
  await page.evaluate(() => history.back());
  await page.waitForFunction(() => location.pathname === '/r4-redirect/moved');
  await page.waitForTimeout(100);
  assert.deepEqual(await views(page), { views: 5, site: 1 });
  assert.deepEqual((await sent()).slice(3), [`/r4-redirect/after ${title}`, `/r4-redirect/moved ${title}`]);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('page({ path }) just before the pushState to that path counts once; one warning', async () => {
  const { ctx, page, warnings, sent } = await spa('/r4-named/');
  await ready(page);
  await page.waitForTimeout(1_200); // the load's view sent
  const title = await page.title();
  await page.evaluate(() => {
    baton('page', 'X', { path: '/r4-named/x', from: 'router' });
    history.pushState({}, '', '/r4-named/x');
  });
  assert.deepEqual(await views(page), { views: 2, site: 1 });
  // The next navigation is counted as usual, and so is a second call naming a page.
  await page.evaluate(() => history.pushState({}, '', '/r4-named/y'));
  await page.evaluate(() => baton('page', 'Z', { path: '/r4-named/z', url: location.origin + '/r4-named/z', from: 'router' }));
  await page.evaluate(() => history.pushState({}, '', '/r4-named/z'));
  await page.evaluate(() => history.pushState({}, '', '/r4-named/w'));
  assert.deepEqual(await views(page), { views: 5, site: 2 });
  assert.deepEqual(await sent(), [`/r4-named/ ${title}`, '/r4-named/x X +site', `/r4-named/y ${title}`, '/r4-named/z Z +site', `/r4-named/w ${title}`]);
  assert.equal(warnings.filter((w) => w.includes(DEDUPE_WARNING)).length, 1, warnings.join('\n'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// Playwright launches Chromium with the back/forward cache off; this one keeps it on.
const BFCACHE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

test('back and forward: a page view whether the page comes from the bfcache or is loaded again', async () => {
  const withCache = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: BFCACHE_ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    for (const [label, b, restored] of [['bfcache', withCache, true], ['no bfcache', browser, false]]) {
      const ctx = await b.newContext();
      const mark = `<script>window.shows = []; addEventListener('pageshow', (e) => shows.push(e.persisted));</script>`;
      const model = { version: 'bf-1', rules: [{ id: 'page-view', group: 'page-view', points: 1, when: { type: 'page' } }] };
      for (const [path, next] of [['/r4-bf-a.html', '/r4-bf-b.html'], ['/r4-bf-b.html', '/r4-bf-a.html']]) {
        await fixture(ctx, srv, path, { config: { model }, head: mark, body: `<a id="next" href="${next}">next</a>` });
      }
      const page = await newPage(ctx);
      const count = async () => Math.round((await score(page)).groups['page-view'] ?? 0);
      await page.goto(srv.url + '/r4-bf-a.html');
      await ready(page);
      assert.equal(await count(), 1, label);
      await page.click('#next');
      await page.waitForURL('**/r4-bf-b.html');
      await ready(page);
      assert.equal(await count(), 2, label);
      // A restore fires no load event: wait for the page's pageshow instead.
      const shown = (path, n) =>
        page.waitForFunction(([path, n]) => location.pathname === path && window.shows && window.shows.length === n, [path, n], { timeout: 10_000 });
      await page.goBack({ waitUntil: 'commit' });
      await shown('/r4-bf-a.html', restored ? 2 : 1);
      await ready(page);
      assert.deepEqual(await page.evaluate(() => window.shows), restored ? [false, true] : [false], `${label}: restored from the bfcache or not`);
      assert.equal(await count(), 3, `${label}: back is a page view`);
      await page.goForward({ waitUntil: 'commit' });
      await shown('/r4-bf-b.html', restored ? 2 : 1);
      await ready(page);
      assert.equal(await count(), 4, `${label}: forward is a page view`);
      assert.deepEqual(page.errors, [], label);
      await ctx.close();
    }
  } finally {
    await withCache.close();
  }
});

// ---- a start that hangs -----------------------------------------------------------------------

test('a start that hangs: callbacks answered null at 10 s, one warning naming the request waited for', async () => {
  const ctx = await browser.newContext();
  await ctx.route(/\/r4-hang-model\.json$/, () => {
    /* never answered */
  });
  await fixture(ctx, srv, '/r4-hang.html', {
    config: { model: '/r4-hang-model.json', endpoint: '/api/handoff' },
    head: MONITOR,
    body: `<script>baton('explain', (s) => { window.early = s; throw new Error('site bug after ' + s); });</script>`,
  });
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + '/r4-hang.html');
  await page.waitForFunction(() => window.baton && window.baton.loaded === true, null, { timeout: 10_000 });
  const got = await page.evaluate(
    () => new Promise((ok) => {
      const t = setTimeout(() => ok('no answer'), 15_000);
      baton('score', (s) => {
        clearTimeout(t);
        ok(s);
      });
    }),
  );
  assert.equal(got, null);
  assert.equal(await page.evaluate(() => window.early), null);
  const said = warnings.filter((w) => w.includes('not started after 10 s'));
  assert.equal(said.length, 1, warnings.join('\n'));
  assert.ok(said[0].includes(`the model ${srv.url}/r4-hang-model.json`), said[0]);
  assert.deepEqual(await page.evaluate(() => window.seen), ['site bug after null'], 'the callback\'s own throw reported');
  assert.deepEqual(page.errors, ['pageerror: site bug after null']);
  await ctx.close();
});
