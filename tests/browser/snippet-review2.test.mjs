// Second snippet review (finding 15 and what it led to), in real Chromium:
// - a site's own `baton('page')` for a page view the snippet counted automatically (initial load,
//   pushState, replaceState, popstate; before or after the navigation, at once or later) is
//   counted once, with the site's name and properties while the automatic view is still held;
//   deliberate virtual page views for one URL still count; one console warning;
// - `score`/`explain` callbacks are always answered: with null while consent is pending (no
//   script, no request), after a refusal, when the loader itself cannot load, when the start hangs,
//   and when the engine throws; `on(...)` hooks queued before consent work once it is granted;
// - payment-field matching refuses payment names in any spelling but not ordinary words that
//   merely contain "card" (table-driven).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, score, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DEDUPE_WARNING = "baton('page') repeated a page view the snippet counts automatically";

// Each rule scores 1 point into its own group, so a group's total counts its matches: every page
// view, and the page views that carry the site's own properties.
function pageModel() {
  return {
    version: 'pages-1',
    rules: [
      { id: 'page-view', group: 'page-view', points: 1, when: { type: 'page' } },
      { id: 'site-props', group: 'site-props', points: 1, when: { all: [{ type: 'page' }, { property: 'from', equals: 'router' }] } },
    ],
  };
}

/** Page views counted so far: `{ views, site }` (all, and those with the site's properties). */
async function views(page) {
  const g = (await score(page)).groups;
  return { views: Math.round(g['page-view'] ?? 0), site: Math.round(g['site-props'] ?? 0) };
}

// Records every event the loader hands to the engine (`window.sent`), by wrapping the glue's
// `Tracker.prototype.track`: the page imports the same module URL as the loader, so it is the same
// class. Registered at document start, its `then` runs before the loader's own import resolves.
const RECORD = `window.sent = [];
if (location.protocol === 'http:') import(location.origin + '/pkg-snippet/baton.js').then((m) => {
  const track = m.Tracker.prototype.track;
  m.Tracker.prototype.track = function (e) {
    if (e && e.type === 'page') window.sent.push({ name: e.name, path: e.properties.path, title: e.properties.title, from: e.properties.from, at: e.timestamp });
    return track.call(this, e);
  };
});`;

/** The page views sent so far, as `path name` (and ` +site` when they carry the site's properties). */
async function sent(page) {
  return (await page.evaluate(() => window.sent)).map((e) => `${e.path} ${e.name}${e.from === 'router' ? ' +site' : ''}`);
}

/**
 * A fresh context and page on `path` with the page-view model; `body` is the site's own inline
 * code (it runs after the embed, before the loader). Returns once the loader has replaced the
 * stub, without asking for a score (which would send a held page view at once).
 */
async function spa(path, { body = '', config = {} } = {}) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(RECORD);
  await fixture(ctx, srv, path, { config: { model: pageModel(), ...config }, body });
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + path);
  await page.waitForFunction(() => window.baton && window.baton.loaded === true, null, { timeout: 10_000 });
  return { ctx, page, warnings };
}

test('pushState then the router\'s page(): one page view with the site\'s name and properties; one warning', async () => {
  const { ctx, page, warnings } = await spa('/r2-push/');
  await ready(page);
  assert.deepEqual(await views(page), { views: 1, site: 0 }, 'the load');
  for (const path of ['/r2-push/a', '/r2-push/b', '/r2-push/c']) {
    // The Segment convention: the router navigates, then calls page() (here in the same task,
    // after a microtask, and after a frame).
    await page.evaluate((p) => {
      history.pushState({}, '', p);
      document.title = 'Title of ' + p; // the router renders the new title after its pushState
      if (p.endsWith('a')) baton('page', 'Pricing', { from: 'router' });
      else if (p.endsWith('b')) Promise.resolve().then(() => baton('page', { from: 'router' }));
      else requestAnimationFrame(() => baton('page', 'Plans', { from: 'router' }));
    }, path);
    await page.waitForTimeout(100);
  }
  assert.deepEqual(await views(page), { views: 4, site: 3 }, 'each navigation once, with the site\'s properties');
  assert.deepEqual((await sent(page)).slice(1), [
    '/r2-push/a Pricing +site',
    '/r2-push/b Title of /r2-push/b +site',
    '/r2-push/c Plans +site',
  ]);
  assert.equal(warnings.filter((w) => w.includes(DEDUPE_WARNING)).length, 1, warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('autocapture: { pageviews: false }')), warnings.join('\n'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the router\'s page() after a delay: merged while held, not counted again after, however late; after a hash change it is a new view', async () => {
  const { ctx, page } = await spa('/r2-delay/');
  await ready(page);
  // 300 ms later: the automatic view is still held, the site's properties are kept, and its time
  // is the navigation's.
  const [t0, t1] = await page.evaluate(() => {
    const t0 = Date.now();
    history.pushState({}, '', '/r2-delay/a');
    return [t0, Date.now()];
  });
  await page.waitForTimeout(300);
  await page.evaluate(() => baton('page', 'A', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 2, site: 1 });
  const at = (await page.evaluate(() => window.sent))[1].at;
  assert.ok(at >= t0 && at <= t1, `stamped ${at - t0} ms after the pushState began, which took ${t1 - t0} ms`);
  // 1.5 s later: the automatic view was sent; the site's call is the same page view, not counted.
  await page.evaluate(() => history.pushState({}, '', '/r2-delay/b'));
  await page.waitForTimeout(1_500);
  await page.evaluate(() => baton('page', 'B', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 3, site: 1 });
  // A score asked for in between sends the held view at once: the site's call is still the same view.
  await page.evaluate(() => history.pushState({}, '', '/r2-delay/c'));
  await score(page);
  await page.evaluate(() => baton('page', 'C', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 4, site: 1 });
  // A hash route (the snippet counts no page view for a hash change): the site's view counts.
  await page.evaluate(() => {
    location.hash = '#/pricing';
  });
  await page.evaluate(() => baton('page', 'Hash', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 5, site: 2 });
  // However late: 3 s after the navigation, still the same page view.
  await page.evaluate(() => history.pushState({}, '', '/r2-delay/d'));
  await page.waitForTimeout(3_000);
  await page.evaluate(() => baton('page', 'D', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 6, site: 2 });
  // A second call for the same URL is the site's own (virtual) page view.
  await page.evaluate(() => baton('page', 'D', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 7, site: 3 });
  const title = await page.title();
  assert.deepEqual(await sent(page), [
    `/r2-delay/ ${title}`,
    '/r2-delay/a A +site',
    `/r2-delay/b ${title}`,
    `/r2-delay/c ${title}`,
    '/r2-delay/c Hash +site',
    `/r2-delay/d ${title}`,
    '/r2-delay/d D +site',
  ]);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('page() before pushState, replaceState, popstate: each URL once', async () => {
  const { ctx, page } = await spa('/r2-nav/', {
    // The site's router listens to popstate itself (registered before the snippet loads).
    body: `<script>addEventListener('popstate', () => baton('page', { from: 'router' }));</script>`,
  });
  await ready(page);
  // A router that calls page() before it changes the URL: that page() is for the URL counted on
  // arrival (here after the visitor stayed a while: the automatic view was sent long before).
  await page.waitForTimeout(1_500);
  await page.evaluate(() => {
    baton('page', { from: 'router' });
    history.pushState({}, '', '/r2-nav/a');
  });
  await page.waitForTimeout(50);
  assert.deepEqual(await views(page), { views: 2, site: 0 });
  // replaceState to a new URL, then page(); a replaceState of the same URL in between is no navigation.
  await page.evaluate(() => {
    history.replaceState({}, '', '/r2-nav/b');
    history.replaceState({ scroll: 10 }, '', '/r2-nav/b');
    baton('page', { from: 'router' });
  });
  await page.waitForTimeout(50);
  assert.deepEqual(await views(page), { views: 3, site: 1 });
  // Back and forward: the router's popstate handler calls page() too.
  await page.evaluate(() => history.pushState({}, '', '/r2-nav/c'));
  await page.waitForTimeout(50);
  await page.evaluate(() => history.back()); // → /r2-nav/b (the replaced entry)
  await page.waitForFunction(() => location.pathname === '/r2-nav/b');
  await page.waitForTimeout(100);
  await page.evaluate(() => history.forward()); // → /r2-nav/c
  await page.waitForFunction(() => location.pathname === '/r2-nav/c');
  await page.waitForTimeout(100);
  assert.deepEqual(await views(page), { views: 6, site: 3 });
  const title = await page.title();
  assert.deepEqual(await sent(page), [
    `/r2-nav/ ${title}`,
    `/r2-nav/a ${title}`,
    `/r2-nav/b ${title} +site`,
    `/r2-nav/c ${title}`,
    `/r2-nav/b ${title} +site`,
    `/r2-nav/c ${title} +site`,
  ]);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('initial load: the site\'s page() in its inline code or after the start is the load\'s page view', async () => {
  // Queued in the inline code (the Segment snippet ends with page()): the site's view, no automatic one.
  const queued = await spa('/r2-load-queued.html', { body: `<script>baton('page', 'Home', { from: 'router' });</script>` });
  await queued.page.waitForTimeout(300);
  assert.deepEqual(await views(queued.page), { views: 1, site: 1 });
  assert.deepEqual(await sent(queued.page), ['/r2-load-queued.html Home +site']);
  assert.ok(queued.warnings.some((w) => w.includes(DEDUPE_WARNING)), queued.warnings.join('\n'));
  assert.deepEqual(queued.page.errors, []);
  await queued.ctx.close();
  // Called once the snippet runs (the site's app starts after it): merged with the held view.
  const { ctx, page } = await spa('/r2-load-late.html');
  await page.evaluate(() => baton('page', 'Home', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 1, site: 1 });
  assert.deepEqual(await sent(page), ['/r2-load-late.html Home +site']);
  // Called after the load's view was sent: not counted again.
  await page.reload();
  await ready(page);
  await page.evaluate(() => baton('page', 'Home', { from: 'router' }));
  assert.deepEqual(await views(page), { views: 2, site: 1 });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('deliberate virtual page views for one URL all count, with their names', async () => {
  // Before the start (queued) and after a navigation: the first is the page's view, the next count.
  const { ctx, page, warnings } = await spa('/r2-steps.html', {
    body: `<script>baton('page', 'Step 1', { from: 'router' }); baton('page', 'Step 2', { from: 'router' });</script>`,
  });
  await page.waitForTimeout(300);
  assert.deepEqual(await views(page), { views: 2, site: 2 });
  await page.evaluate(() => {
    history.pushState({}, '', '/r2-steps/wizard');
    baton('page', 'Wizard 1', { from: 'router' });
    baton('page', 'Wizard 2', { from: 'router' });
    baton('page', 'Wizard 3', { from: 'router' });
  });
  assert.deepEqual(await views(page), { views: 5, site: 5 });
  // A call whose `path` names another page is a virtual page view of its own, even right after
  // a navigation: the navigation's view is sent first.
  await page.evaluate(() => {
    history.pushState({}, '', '/r2-steps/other');
    baton('page', 'Virtual', { path: '/r2-steps/virtual', from: 'router' });
  });
  assert.deepEqual(await views(page), { views: 7, site: 6 });
  const title = await page.title();
  assert.deepEqual(await sent(page), [
    '/r2-steps.html Step 1 +site',
    '/r2-steps.html Step 2 +site',
    '/r2-steps/wizard Wizard 1 +site',
    '/r2-steps/wizard Wizard 2 +site',
    '/r2-steps/wizard Wizard 3 +site',
    `/r2-steps/other ${title}`,
    '/r2-steps/virtual Virtual +site',
  ]);
  assert.ok(warnings.filter((w) => w.includes(DEDUPE_WARNING)).length <= 1);
  // Without automatic page views every call counts, and nothing is said.
  const off = await spa('/r2-steps-off.html', { config: { autocapture: { pageviews: false } } });
  await off.page.evaluate(() => {
    baton('page', { from: 'router' });
    baton('page', { from: 'router' });
  });
  assert.deepEqual(await views(off.page), { views: 2, site: 2 });
  assert.deepEqual(off.warnings.filter((w) => w.includes(DEDUPE_WARNING)), []);
  assert.deepEqual([...page.errors, ...off.page.errors], []);
  await off.ctx.close();
  await ctx.close();
});

test('a held page view is sent before the next event, on its own within about a second, and on pagehide', async () => {
  const model = pageModel();
  model.rules.push({ id: 'after', group: 'after', points: 1, when: { event: 'After' } });
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/r2-held.html', { config: { model } });
  await fixture(ctx, srv, '/r2-held-next.html', { config: { model } });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r2-held.html');
  await ready(page);
  await page.evaluate(() => {
    window.order = [];
    baton('on', 'score', (s) => window.order.push(Object.keys(s.groups).filter((g) => s.groups[g]).length));
    history.pushState({}, '', '/r2-held/a');
    baton('track', 'After');
  });
  // The page view was scored before the event that followed it: one group, then two.
  assert.deepEqual(await page.evaluate(() => window.order), [1, 2]);
  await page.evaluate(() => {
    window.order = [];
    history.pushState({}, '', '/r2-held/b');
  });
  await until(() => page.evaluate(() => window.order.length === 1), 'the held view sent by its timer', 3_000, 50);
  // Leaving the page at once (pagehide): the held view is stored before the page goes.
  await page.evaluate(() => history.pushState({}, '', '/r2-held/leaving'));
  await page.goto(srv.url + '/r2-held-next.html');
  await ready(page);
  const kept = JSON.parse((await stored(page))['baton:v1:visitor']).state.h.map(([, type, label]) => `${type} ${label}`);
  assert.ok(kept.includes('page /r2-held/leaving'), kept.join('\n'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// ---- callbacks are always answered ----------------------------------------------------------

/** Calls `cmd` with a callback in the page; resolves with what it got (or 'no answer' after `ms`). */
function answered(page, cmd, ms = 2_000) {
  return page.evaluate(
    ([cmd, ms]) =>
      new Promise((ok) => {
        const t = setTimeout(() => ok('no answer'), ms);
        window.baton(cmd, (v) => {
          clearTimeout(t);
          ok(v === null ? null : typeof v);
        });
      }),
    [cmd, ms],
  );
}

function recordRequests(ctx) {
  const seen = [];
  ctx.on('request', (r) => seen.push(`${r.method()} ${new URL(r.url()).pathname}`));
  return seen;
}

test('consent pending: score/explain answered null at once, no request; hooks queued before consent work after it', async () => {
  const ctx = await browser.newContext();
  const requests = recordRequests(ctx);
  await fixture(ctx, srv, '/r2-consent.html', {
    config: { model: testModel(srv), endpoint: '/api/handoff', consent: 'required' },
    body: `<script>window.hooked = 0; baton('on', 'score', () => window.hooked++); baton('track', 'Queued');</script>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r2-consent.html');
  assert.equal(await answered(page, 'score'), null);
  assert.equal(await answered(page, 'explain'), null);
  assert.equal(await page.evaluate(() => baton('score')), undefined, 'no callback: nothing, no error');
  await page.waitForTimeout(300);
  assert.deepEqual(requests, ['GET /r2-consent.html'], 'still no request of any kind');
  assert.deepEqual(await stored(page), {});
  // A callback that throws is reported like a timer's, never thrown into the caller.
  const thrown = await page.evaluate(() => {
    try {
      baton('score', () => {
        throw new Error('callback bug');
      });
      return 'no throw';
    } catch (e) {
      return 'threw';
    }
  });
  assert.equal(thrown, 'no throw');
  await until(() => page.errors.length, 'the callback error reported', 2_000, 20);
  assert.ok(page.errors[0].includes('callback bug'), page.errors.join('\n'));
  page.errors.length = 0;

  await page.evaluate(() => baton('consent', 'granted'));
  const s = await ready(page);
  assert.equal(typeof s.total, 'number', 'a real score once granted');
  // The hook queued before consent saw the queued event and the page view.
  assert.ok((await page.evaluate(() => window.hooked)) >= 2, 'the hook registered before consent runs');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('consent refused (before the script, or stored): score/explain answered null, nothing loaded', async () => {
  const ctx = await browser.newContext();
  const requests = recordRequests(ctx);
  await fixture(ctx, srv, '/r2-denied.html', { config: { model: testModel(srv), endpoint: '/api/handoff', consent: 'required' } });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r2-denied.html');
  await page.evaluate(() => baton('consent', 'denied'));
  assert.equal(await answered(page, 'score'), null);
  assert.equal(await answered(page, 'explain'), null);
  assert.deepEqual(requests, ['GET /r2-denied.html']);
  // A refusal stored by an earlier page, in the default mode: the script is not loaded either.
  const granted = await browser.newContext();
  const requests2 = recordRequests(granted);
  await granted.addInitScript(() => localStorage.setItem('baton:v1:consent', 'denied'));
  await fixture(granted, srv, '/r2-denied2.html', { config: { model: testModel(srv), endpoint: '/api/handoff' } });
  const page2 = await newPage(granted);
  await page2.goto(srv.url + '/r2-denied2.html');
  assert.equal(await answered(page2, 'score'), null);
  assert.deepEqual(requests2, ['GET /r2-denied2.html']);
  assert.deepEqual([...page.errors, ...page2.errors], []);
  await granted.close();
  await ctx.close();
});

test('the loader itself fails to load: waiting and later score callbacks are answered null', async () => {
  const ctx = await browser.newContext();
  await ctx.route(/baton\.min\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await fixture(ctx, srv, '/r2-noloader.html', {
    config: { model: testModel(srv), endpoint: '/api/handoff' },
    body: `<script>window.early = 'no answer'; baton('score', (s) => (window.early = s));</script>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r2-noloader.html');
  await until(() => page.evaluate(() => window.early === null), 'the early callback answered', 3_000, 50);
  assert.equal(await answered(page, 'score'), null);
  assert.deepEqual(
    page.errors.filter((e) => !/Failed to load resource: .*404/.test(e)),
    [],
  );
  await ctx.close();
});

test('a start that hangs (the model never arrives): score callbacks answered null after 10 s', async () => {
  const ctx = await browser.newContext();
  await ctx.route(/\/r2-hang-model\.json$/, () => {
    /* never answered */
  });
  await fixture(ctx, srv, '/r2-hang.html', {
    config: { model: '/r2-hang-model.json', endpoint: '/api/handoff' },
    body: `<script>window.early = 'no answer'; baton('explain', (s) => (window.early = s));</script>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/r2-hang.html');
  await page.waitForFunction(() => window.baton && window.baton.loaded === true, null, { timeout: 10_000 });
  const t0 = Date.now();
  assert.equal(await answered(page, 'score', 15_000), null);
  assert.ok(Date.now() - t0 < 12_000);
  assert.equal(await page.evaluate(() => window.early), null);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the engine throwing in score/explain: the callback is answered null, with a warning', async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/r2-throws.html', { config: { model: testModel(srv), endpoint: '/api/handoff' } });
  const page = await newPage(ctx);
  const warnings = recordConsole(page, 'warning');
  await page.goto(srv.url + '/r2-throws.html');
  await ready(page);
  // The page (or a fake-timer library) breaks the clock the engine reads.
  const got = await page.evaluate(() => {
    const now = Date.now;
    Date.now = () => {
      throw new Error('clock broken');
    };
    const out = [];
    try {
      baton('score', (v) => out.push(v));
      baton('explain', (v) => out.push(v));
    } finally {
      Date.now = now;
    }
    return out;
  });
  assert.deepEqual(got, [null, null]);
  assert.ok(warnings.some((w) => w.includes('score failed') && w.includes('clock broken')), warnings.join('\n'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// ---- payment fields ---------------------------------------------------------------------------

// [how the field is named, refused?]. `name=` is the field's name; `label=` its label text;
// `labelledby=` / `describedby=` the text of an element its `aria-labelledby` / `aria-describedby`
// names; `title=` its title; `auto=` its autocomplete; `value=` a value in a field with a harmless
// name.
const PAYMENT_TABLE = [
  // Payment fields: refused in every spelling the earlier tests covered, and more.
  ['name=cardNumber', true],
  ['name=creditcard', true],
  ['name=cc-number', true],
  ['name=ccNumber', true],
  ['name=CCNUM', true],
  ['name=card_cvc', true],
  ['name=cvv2', true],
  ['name=expiryDate', true],
  ['name=exp_month', true],
  ['name=CARDNUMBER', true],
  ['name=cardholder', true],
  ['name=cardHolderName', true],
  ['name=giftcard', true],
  ['name=debit_card', true],
  ['name=card', true],
  ['name=iban', true],
  ['name=accountNumber', true],
  ['name=routing_number', true],
  ['name=sortCode', true],
  ['label=Card number', true],
  ['label=Security code', true],
  ['label=Credit card', true],
  ['auto=cc-exp', true],
  ['auto=billing cc-name', true],
  ['value=4012 8888 8888 1881', true], // Luhn-valid: a card number whatever the field is called
  // Named only through ARIA or a title (review 9).
  ['labelledby=Security code', true],
  ['labelledby=CVC', true],
  ['describedby=3 digits on the back of your card', true],
  ['title=Card number', true],
  // Card number, holder, CVC and expiry labels in German, Dutch, French, Spanish, Italian, Portuguese.
  ['label=Kartennummer', true],
  ['label=Kreditkartennummer', true],
  ['label=Karteninhaber', true],
  ['label=Prüfnummer', true],
  ['label=Kartenprüfnummer', true],
  ['label=Sicherheitscode', true],
  ['label=Ablaufdatum', true],
  ['label=Gültig bis', true],
  ['label=Kaartnummer', true],
  ['label=Beveiligingscode', true],
  ['label=Vervaldatum', true],
  ['label=Numéro de carte', true],
  ['label=Titulaire de la carte', true],
  ['label=Cryptogramme visuel', true],
  ['label=Code de sécurité', true],
  ['label=Date d’expiration', true],
  ['label=Número de tarjeta', true],
  ['label=Código de seguridad', true],
  ['label=Fecha de caducidad', true],
  ['label=Numero della carta', true],
  ['label=Carta di credito', true],
  ['label=Codice di sicurezza', true],
  ['label=Data di scadenza', true],
  ['label=Número do cartão', true],
  ['label=Código de segurança', true],
  ['label=Data de validade', true],
  // Card numbers with other separators: dots, slashes, non-breaking and narrow spaces.
  ['value=4111.1111.1111.1111', true],
  ['value=4111/1111/1111/1111', true],
  ['value=4111\u00a01111\u00a01111\u00a01111', true],
  ['value=4012\u202f8888\u202f8888\u20021881', true],
  // Ordinary words that merely contain "card" (or other payment letters): read.
  ['name=discard', false],
  ['name=postcard', false],
  ['name=scorecard', false],
  ['name=wildcard', false],
  ['name=vcard', false],
  ['name=vCard', false],
  ['name=cardinal', false],
  ['name=cardigan', false],
  ['name=cardiology', false],
  ['name=cardboard', false],
  ['name=flashcard', false],
  ['name=accessCode', false],
  ['name=success', false],
  ['name=expertise', false],
  ['name=postcode', false],
  ['label=Discard changes', false],
  ['label=Your scorecard', false],
  ['value=4012 8888 8888 1882', false], // not Luhn-valid: an ordinary number
  ['value=1234.5678.9012.3456', false], // not Luhn-valid
  ['value=2024.01.15', false], // a date: too few digits
  // Ordinary labels, in the same languages and through ARIA: read.
  ['labelledby=Company name', false],
  ['describedby=We never share your email', false],
  ['title=Your postcode', false],
  ['label=Postleitzahl', false],
  ['label=Landkarte', false],
  ['label=Numéro de téléphone', false],
  ['label=Code postal', false],
  ['label=Código postal', false],
  ['label=Data di nascita', false],
  ['label=Data de nascimento', false],
  ['label=Bedrijfsnaam', false],
];

/** Submits a form with the rows' fields (each mapped to a trait a rule names, so the engine keeps
 * it: at most 24 per model) and returns, per row, whether its field was read. */
async function readRows(rows, n) {
  const traits = {};
  const inputs = [];
  const rules = [];
  rows.forEach(([spec], i) => {
    const [kind, text] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
    const id = `f${i}`;
    const value = kind === 'value' ? text : `val-${i}-x`;
    const attrs =
      kind === 'name' ? `name="${text}"`
      : kind === 'auto' ? `name="${id}" autocomplete="${text}"`
      : kind === 'title' ? `name="${id}" title="${text}"`
      : kind === 'labelledby' ? `name="${id}" aria-labelledby="x${id}"`
      : kind === 'describedby' ? `name="${id}" aria-describedby="x${id}"`
      : `name="${id}"`;
    const input = `<input id="${id}" ${attrs} value="${value}">`;
    if (kind === 'labelledby' || kind === 'describedby') inputs.push(`<span id="x${id}">${text}</span>`);
    inputs.push(kind === 'label' ? `<label>${text} ${input}</label>` : input);
    traits[`t${i}`] = `#${id}`;
    rules.push({ id: `r${i}`, kind: 'fit', group: `g${i}`, points: 1, when: { trait: `t${i}`, exists: true } });
  });
  const ctx = await browser.newContext();
  await fixture(ctx, srv, `/r2-payment-${n}.html`, {
    config: { model: { version: 'payment-1', rules }, forms: [{ selector: '#pay', traits }] },
    body: `<form id="pay" onsubmit="event.preventDefault()">${inputs.join('\n')}<button id="go">Send</button></form>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + `/r2-payment-${n}.html`);
  await ready(page);
  await page.click('#go');
  const groups = (await score(page)).groups;
  const text = JSON.stringify(await stored(page));
  const read = rows.map((_, i) => Boolean(groups[`g${i}`]));
  // What was refused was not stored anywhere either.
  rows.forEach(([spec], i) => {
    const value = spec.startsWith('value=') ? spec.slice(6) : `val-${i}-x`;
    assert.equal(text.includes(value), read[i], `${spec}: stored exactly when read`);
  });
  assert.deepEqual(page.errors, []);
  await ctx.close();
  return read;
}

test('payment fields: refused in every spelling; ordinary words containing "card" are read (table)', async () => {
  const wrong = [];
  for (let n = 0; n * 20 < PAYMENT_TABLE.length; n++) {
    const rows = PAYMENT_TABLE.slice(n * 20, n * 20 + 20);
    const read = await readRows(rows, n);
    rows.forEach(([spec, refused], i) => {
      if (read[i] === refused) wrong.push(`${spec}: ${refused ? 'read, but is a payment field' : 'refused, but is not a payment field'}`);
    });
  }
  assert.deepEqual(wrong, []);
});
