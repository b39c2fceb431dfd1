// Misuse and the fixes of the snippet review (issue 5): bad `consent` values change nothing, bad
// arguments are refused with a warning per distinct problem, hooks that are not functions or that
// throw never break the page, payment fields and CSS-hidden honeypots are never read, form values
// stay text, `attribution: false` is off, other tabs pick up orphaned handoffs, permanent delivery
// failures are reported, and the smaller download/forms/score cases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A fresh context and a ready page on `path` with `config` (the test model unless given). */
async function open(path, { config = {}, body = '', init, warnings = 'warning' } = {}) {
  const ctx = await browser.newContext();
  if (init) await ctx.addInitScript(init);
  await fixture(ctx, srv, path, { config: { model: testModel(srv), endpoint: '/api/handoff', ...config }, body });
  const page = await newPage(ctx);
  const console = recordConsole(page, warnings);
  await page.goto(srv.url + path);
  return { ctx, page, console };
}

/** The stored visitor state's events, as the engine keeps them (names and traits). */
const visitor = async (page) => JSON.parse((await stored(page))['baton:v1:visitor'] ?? 'null');

test('consent: only granted/true and denied/false count; anything else changes nothing, with a warning', async () => {
  const { ctx, page, console } = await open('/misuse-consent.html');
  await ready(page);
  const before = await stored(page);
  assert.ok(before['baton:v1:visitor']);
  for (const bad of ["'yes'", 'undefined', '{ analytics: true }', "'accepted'", "'Granted'"]) {
    await page.evaluate(`baton('consent', ${bad})`);
  }
  await ready(page);
  const after = await stored(page);
  assert.equal(after['baton:v1:consent'], undefined, 'no choice was recorded');
  assert.ok(after['baton:v1:visitor'], 'the visitor was not deleted');
  const refusals = console.filter((m) => m.includes('consent'));
  assert.ok(refusals.length >= 4, console.join('\n'));
  for (const m of refusals) assert.match(m, /'granted', true, 'denied' or false; nothing changed/);
  assert.ok(refusals.some((m) => m.includes('"yes"')) && refusals.some((m) => m.includes('got object')));
  // The real values still work.
  await page.evaluate(() => baton('consent', false));
  assert.equal((await stored(page))['baton:v1:consent'], 'denied');
  await page.evaluate(() => baton('consent', true));
  assert.equal((await stored(page))['baton:v1:consent'], 'granted');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("consent required: baton('consent', true) loads the snippet like 'granted'", async () => {
  const ctx = await browser.newContext();
  await fixture(ctx, srv, '/misuse-required.html', {
    config: { model: testModel(srv), endpoint: '/api/handoff', consent: 'required' },
    body: `<button id="accept" onclick="baton('consent', true)">Accept</button>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/misuse-required.html');
  await sleep(300);
  assert.deepEqual(await stored(page), {});
  await page.click('#accept');
  const s = await ready(page);
  assert.ok(s.total >= 0);
  assert.equal((await stored(page))['baton:v1:consent'], 'granted');
  await ctx.close();
});

test('bad arguments are refused with a warning each (once per problem), never recorded', async () => {
  const { ctx, page, console } = await open('/misuse-args.html');
  await ready(page);
  await page.evaluate(() => {
    baton('nope');
    baton('nope');
    baton('track');
    baton('track', null);
    baton('track', { a: 1 });
    baton('track', '   ');
    baton('track', 'Ok Event', 'not props');
    baton('identify');
    baton('identify', null);
    baton('page', 'Name', 'str');
    baton('track', 'Good Event', { plan: 'pro' });
    baton('identify', 42, { email: 'a@b.example' });
  });
  await ready(page);
  const text = JSON.stringify(await visitor(page));
  for (const garbage of ['"undefined"', '"null"', '[object Object]', 'Ok Event', '"0":"s"']) {
    assert.ok(!text.includes(garbage), `${garbage} was recorded: ${text.slice(0, 400)}`);
  }
  assert.ok(text.includes('a@b.example'), 'a valid identify still counts');
  const expect = [
    /unknown command nope/,
    /track: the event name must be a non-empty string \(got undefined\)/,
    /track: the event name must be a non-empty string \(got null\)/,
    /track: the event name must be a non-empty string \(got object\)/,
    /track: properties must be an object \(got "not props"\)/,
    /identify: expected a userId .* \(got undefined\)/,
    /identify: expected a userId .* \(got null\)/,
    /page: properties must be an object \(got "str"\)/,
  ];
  for (const re of expect) assert.ok(console.some((m) => re.test(m)), `${re} in\n${console.join('\n')}`);
  assert.equal(console.filter((m) => m.includes('unknown command nope')).length, 1, 'the same problem once');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('on(): a non-function is refused at once; a throwing hook is reported (reportError) each time and breaks nothing', async () => {
  const { ctx, page, console } = await open('/misuse-hooks.html');
  await ready(page);
  const after = await page.evaluate(async () => {
    baton('on', 'score', 5);
    baton('on', 'score');
    let calls = 0;
    baton('on', 'score', () => {
      throw new Error('hook bug');
    });
    baton('on', 'score', () => calls++);
    for (let i = 0; i < 3; i++) baton('track', 'After ' + i);
    return calls;
  });
  assert.equal(after, 3, 'the hook after the throwing one ran for every event');
  assert.ok(console.some((m) => m.includes("on('score'): the callback must be a function (got number)")), console.join('\n'));
  assert.ok(console.some((m) => m.includes("on('score'): the callback must be a function (got undefined)")));
  // The site's own bug, reported like an event listener's (the page's error tracker sees it),
  // for each of the 3 events; the snippet does not warn it as its own.
  assert.ok(!console.some((m) => m.includes('hook bug')), console.join('\n'));
  assert.deepEqual(page.errors, ['pageerror: hook bug', 'pageerror: hook bug', 'pageerror: hook bug']);
  await ctx.close();
});

const FORM = `<form id="f" onsubmit="event.preventDefault()">
  <label>Email <input name="email" value="dana@northwind.example"></label>
  <label>Phone <input name="phone" value="0123456789"></label>
  <label>ZIP <input name="zip" value="02139"></label>
  <label>Account <input name="ref" value="1234567890123456789"></label>
  <input name="cardNumber" value="4111111111111111">
  <input name="creditcard" value="4111 1111 1111 1111">
  <input name="cc-number" value="5500000000000004">
  <input name="ccNumber" value="cc1">
  <input name="card_cvc" value="123">
  <input name="cvv" value="456">
  <input name="expiryDate" value="12/30">
  <input name="x1" autocomplete="billing cc-exp" value="01/29">
  <input name="note" value="4012888888881881">
  <div style="display:none"><input name="industry" value="spam"></div>
  <input name="country" style="position:absolute;left:-9999px" value="bot">
  <input name="city" style="visibility:hidden" value="hidden">
  <input name="region" style="width:0;height:0;border:0;padding:0" value="zero">
  <input name="website" tabindex="-1" autocomplete="off" value="honey">
  <label><input type="checkbox" name="optin" value="yes" checked style="opacity:0;position:absolute"> News</label>
  <button id="go">Send</button>
</form>`;

test('forms: payment fields and CSS-hidden honeypots are never read; values stay text', async () => {
  // Only the traits the engine keeps are stored, so every field is mapped to a kept trait name; the
  // second mapping of the same form reuses names for the rest.
  const forms = [
    {
      selector: '#f',
      event: 'Form Sent',
      traits: {
        email: 'email', phone: 'phone', employees: 'zip', seniority: 'ref', role: 'optin',
        name: 'cardNumber', firstName: 'creditcard', lastName: 'cc-number', title: 'ccNumber', company: 'card_cvc',
        industry: 'industry', country: 'country', city: 'city', website: 'website',
      },
    },
    { selector: '#f', traits: { name: 'cvv', firstName: 'expiryDate', lastName: 'x1', title: 'note', company: 'region' } },
  ];
  const { ctx, page } = await open('/misuse-form.html', { config: { forms }, body: FORM });
  await ready(page);
  await page.click('#go');
  await ready(page);
  const text = JSON.stringify(await visitor(page));
  for (const kept of ['"0123456789"', '"02139"', '"1234567890123456789"', 'dana@northwind.example', '"yes"']) {
    assert.ok(text.includes(kept), `${kept} kept as typed: ${text.slice(0, 900)}`);
  }
  for (const never of ['4111', '5500', 'cc1', '"123"', '"456"', '12/30', '01/29', '4012888888881881', 'spam', '"bot"', '"hidden"', '"zero"', 'honey']) {
    assert.ok(!text.includes(never), `${never} must not be read: ${text.slice(0, 900)}`);
  }
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('forms: one invalid selector does not disable the other mappings', async () => {
  const { ctx, page, console } = await open('/misuse-selector.html', {
    config: { forms: [{ selector: '#f[', traits: { email: 'email' } }, { selector: '#g', traits: { email: 'email' } }] },
    body: `<form id="g" onsubmit="event.preventDefault()"><input name="email" value="ok@x.example"><button id="gb">go</button></form>`,
  });
  await ready(page);
  await page.click('#gb');
  await ready(page);
  assert.ok(JSON.stringify(await visitor(page)).includes('ok@x.example'));
  assert.ok(console.some((m) => m.includes('forms: invalid selector "#f["')), console.join('\n'));
  await ctx.close();
});

test('attribution: false keeps campaigns out, even from the URL; autocapture: false too', async () => {
  for (const autocapture of [{ attribution: false }, false]) {
    const ctx = await browser.newContext();
    const path = '/misuse-campaign.html?utm_source=x&utm_campaign=launch&keep=1';
    await fixture(ctx, srv, path, { config: { model: testModel(srv), endpoint: '/api/handoff', autocapture } });
    const page = await newPage(ctx);
    await page.goto(srv.url + path);
    await ready(page);
    await page.evaluate(() => baton('page'));
    await ready(page);
    const text = JSON.stringify(await visitor(page));
    assert.ok(!text.includes('"utm"') && !text.includes('launch'), `${JSON.stringify(autocapture)}: ${text.slice(0, 600)}`);
    await ctx.close();
  }
  // On by default.
  const ctx = await browser.newContext();
  const path = '/misuse-campaign.html?utm_source=x&utm_campaign=launch';
  await fixture(ctx, srv, path, { config: { model: testModel(srv), endpoint: '/api/handoff' } });
  const page = await newPage(ctx);
  await page.goto(srv.url + path);
  await ready(page);
  assert.ok(JSON.stringify(await visitor(page)).includes('launch'));
  await ctx.close();
});

test('an orphaned handoff is picked up by another open tab without an event there', async () => {
  const ctx = await browser.newContext();
  const posts = [];
  await ctx.route(srv.url + '/api/handoff', (route) => {
    posts.push(route.request().postData());
    return route.fulfill({ status: 202, body: '' });
  });
  await fixture(ctx, srv, '/misuse-tab.html', { config: { model: testModel(srv), endpoint: '/api/handoff' } });
  const a = await newPage(ctx);
  const b = await newPage(ctx);
  await a.goto(srv.url + '/misuse-tab.html');
  await b.goto(srv.url + '/misuse-tab.html');
  await ready(a);
  await ready(b);
  // Tab A "closes mid-send": an entry in flight, its lease (3 s) running, then A is gone.
  await a.evaluate(() => {
    const now = Date.now();
    const policy = { maxAttempts: 100, maxAgeMs: 3_600_000, baseDelayMs: 1_000, maxDelayMs: 2_000, leaseMs: 3_000 };
    const entry = { handoffId: 'orphan-1', body: '{"handoffId":"orphan-1"}', createdAt: now, attempts: 1, nextAttemptAt: now, delivery: { state: 'inFlight', since: now } };
    localStorage.setItem('baton:v1:outbox', JSON.stringify({ v: 1, policy, entries: [entry] }));
  });
  await a.close();
  await until(() => posts.length > 0, 'tab B to deliver the orphan', 9_000);
  assert.equal(posts[0], '{"handoffId":"orphan-1"}');
  await until(async () => {
    const box = JSON.parse((await stored(b))['baton:v1:outbox']);
    return box.entries[0].delivery.state === 'acknowledged';
  }, 'the orphan acknowledged');
  await ctx.close();
});

test('a permanent delivery failure warns with the endpoint and reason, and calls on(delivery-failed)', async () => {
  const ctx = await browser.newContext();
  await ctx.route(srv.url + '/api/refuse', (route) => route.fulfill({ status: 422, body: 'no' }));
  // Qualifies on its first page view; the hook is registered before the snippet loads (queued).
  const model = testModel(srv, { stages: { known: { trait: 'email', exists: true }, mql: { score: 'total', gte: 1 } } });
  await fixture(ctx, srv, '/misuse-fail.html', {
    config: { model, endpoint: '/api/refuse' },
    body: `<script>window.failures = []; baton('on', 'delivery-failed', (f) => window.failures.push(f));</script>`,
  });
  const page = await newPage(ctx);
  const warnings = recordConsole(page);
  await page.goto(srv.url + '/misuse-fail.html');
  await ready(page);
  const failures = await until(() => page.evaluate(() => window.failures.length && window.failures), 'the hook', 8_000);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].endpoint, '/api/refuse');
  assert.match(failures[0].reason, /HTTP 422: the endpoint refused the handoff/);
  assert.ok(failures[0].handoffId);
  const warned = warnings.filter((m) => m.includes('was not delivered to /api/refuse'));
  assert.equal(warned.length, 1, warnings.join('\n'));
  assert.match(warned[0], /HTTP 422/);
  // The browser's own line about the 422 response is the only error.
  assert.deepEqual(page.errors.filter((e) => !e.includes('Failed to load resource')), []);
  await ctx.close();
});

test('downloads: a dotted extension list, the download attribute, SVG links and a malformed % count', async () => {
  const ctx = await browser.newContext();
  await ctx.route((u) => u.pathname.startsWith('/files/'), (route) => route.fulfill({ status: 204, body: '' }));
  await fixture(ctx, srv, '/misuse-dl.html', {
    config: { model: testModel(srv), endpoint: '/api/handoff', downloadExtensions: ['.pdf'] },
    body: `<a id="pdf" href="/files/guide.pdf">guide</a>
<a id="attr" href="/files/export?id=3" download>export</a>
<a id="bad" href="/files/100%zz.pdf">bad</a>
<svg width="100" height="40"><a id="svg" href="/files/chart.pdf"><rect width="100" height="40" fill="red"/></a></svg>`,
  });
  const page = await newPage(ctx);
  await page.goto(srv.url + '/misuse-dl.html');
  await ready(page);
  for (const id of ['#pdf', '#attr', '#bad', '#svg']) await page.click(id);
  await ready(page);
  const downloads = (JSON.stringify(await visitor(page)).match(/Asset Downloaded/g) || []).length;
  assert.equal(downloads, 4, 'each of the four links counted once');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('when the snippet is off, score(cb) answers null; a missing model is named in the warning', async () => {
  const off = await open('/misuse-gpc.html', {
    init: `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });`,
  });
  await off.page.waitForFunction(() => window.baton && window.baton.loaded === true);
  const answer = await off.page.evaluate(
    () => new Promise((ok) => { baton('score', ok); setTimeout(() => ok('no answer'), 2_000); }),
  );
  assert.equal(answer, null);
  await off.ctx.close();

  const missing = await open('/misuse-404.html', { config: { model: '/models/none.json' } });
  const queued = await missing.page.evaluate(
    () => new Promise((ok) => { baton('score', ok); setTimeout(() => ok('no answer'), 5_000); }),
  );
  assert.equal(queued, null, 'a call queued before the failure is answered too');
  await until(() => missing.console.length, 'the warning');
  assert.match(missing.console.join('\n'), /\/models\/none\.json: HTTP 404/);
  await missing.ctx.close();
});
