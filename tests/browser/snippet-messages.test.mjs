// The texts the snippet builds by hand (benches/SIZE.md, step 40) as a page and its storage see
// them: the `on` error for an unknown hook, the outbox's stored delivery messages after a 404 and
// a 503, and the warning for a stored outbox of an unknown version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from './harness.mjs';
import { closeDemo, fixture, openDemo, ready, recordConsole, stored, testModel, until } from './snippet-support.mjs';

let srv;
let browser;
before(async () => ({ srv, browser } = await openDemo()));
after(() => closeDemo({ srv, browser }));

const OUTBOX = 'baton:v1:outbox';

/** A stored outbox of `version` with one pending entry `h-1`, due now. */
function outboxText(version, now) {
  return JSON.stringify({
    v: version,
    policy: { maxAttempts: 5, maxAgeMs: 3_600_000, baseDelayMs: 1_000, maxDelayMs: 2_000, leaseMs: 3_000 },
    entries: [{ handoffId: 'h-1', body: '{"handoffId":"h-1"}', createdAt: now, attempts: 0, nextAttemptAt: now, delivery: { state: 'pending' } }],
  });
}

/** Opens a page whose storage holds `outbox` (once per context) and whose endpoint answers `status`. */
async function open(path, { outbox, status }) {
  const ctx = await browser.newContext();
  const endpoint = `/api/${path.slice(1, -5)}`;
  await ctx.route(srv.url + endpoint, (route) => route.fulfill({ status, body: '' }));
  await ctx.addInitScript(
    ({ text }) => {
      if (sessionStorage.getItem('seeded')) return;
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem('baton:v1:consent', 'granted');
      if (text) localStorage.setItem('baton:v1:outbox', text);
    },
    { text: outbox },
  );
  await fixture(ctx, srv, path, { config: { model: testModel(srv), endpoint } });
  const page = await newPage(ctx);
  const warnings = recordConsole(page);
  await page.goto(srv.url + path);
  await ready(page);
  return { ctx, page, warnings };
}

const entry = async (page) => JSON.parse((await stored(page))[OUTBOX] ?? 'null')?.entries?.[0];

test('an unknown hook is refused with the hooks it expected', async () => {
  const { ctx, page, warnings } = await open('/hook.html', { status: 204 });
  await page.evaluate(() => window.baton('on', 'nope', () => {}));
  assert.deepEqual(warnings.filter((w) => w.startsWith('baton:')), [
    'baton: on failed: on: unknown hook "nope" (expected qualified, stage, score, delivered or delivery-failed)',
  ]);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a 404 fails the entry for good, with its reason stored', async () => {
  const { ctx, page } = await open('/refused.html', { outbox: outboxText(1, Date.now()), status: 404 });
  const e = await until(async () => {
    const got = await entry(page);
    return got?.delivery?.state === 'failed' && got;
  }, 'the entry failed');
  const reason = 'HTTP 404: the endpoint refused the handoff; retrying cannot help';
  assert.equal(e.delivery.reason, reason);
  assert.equal(e.lastError, reason);
  assert.equal(e.attempts, 1);
  // The browser logs the 404 response itself; no script error besides.
  assert.deepEqual(page.errors.filter((x) => !/Failed to load resource/.test(x)), []);
  await ctx.close();
});

test('a 503 keeps the entry pending, its last error stored', async () => {
  const { ctx, page } = await open('/busy.html', { outbox: outboxText(1, Date.now()), status: 503 });
  const e = await until(async () => {
    const got = await entry(page);
    return got?.lastError && got;
  }, 'the attempt recorded');
  assert.equal(e.lastError, 'HTTP 503');
  assert.equal(e.delivery.state, 'pending');
  await ctx.close();
});

test('a stored outbox of another version is discarded with its version named', async () => {
  const { ctx, page, warnings } = await open('/version.html', { outbox: outboxText(2, Date.now()), status: 204 });
  assert.deepEqual(warnings.filter((w) => w.startsWith('baton:')), [
    'baton: discarded an unreadable stored outbox: invalid state: outbox version 2 is not supported',
  ]);
  assert.equal((await stored(page))[OUTBOX], undefined);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
