// The demo handoff receiver on its own: validation against the payload schema, idempotent receipt
// by handoffId, the JSONL file, and every injectable fault. The handoff is a real one: the seed
// journey scored by the Node build of the engine (needs `node .ci/build.mjs node`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createReceiver } from '../../www/receiver/receiver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'tests', 'fixtures');
const schemaPath = join(fixtures, 'schema', 'handoff.schema.json');
const modelsDir = join(fixtures, 'models');
const { Engine } = createRequire(import.meta.url)(join(root, 'pkg', 'node', 'baton.js'));

/** The seed journey through the demo model: exactly one handoff (the MQL). */
function seedHandoff() {
  const model = JSON.parse(readFileSync(join(modelsDir, 'demo.model.json'), 'utf8'));
  const events = JSON.parse(readFileSync(join(fixtures, 'journeys', 'seed.events.json'), 'utf8'));
  const engine = new Engine(model);
  const handoffs = [];
  for (const e of events) handoffs.push(...engine.ingest(e, Date.parse(e.timestamp)).handoffs);
  assert.equal(handoffs.length, 1, 'the seed journey qualifies exactly once');
  return handoffs[0];
}

let dir;
let handoff;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-receiver-'));
  handoff = seedHandoff();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A receiver behind a bare node:http server on 127.0.0.1:0. */
async function serve(options = {}) {
  const dataFile = join(dir, `${Math.random().toString(36).slice(2)}.jsonl`);
  const receiver = createReceiver({ dataFile, schemaPath, modelsDir, ...options });
  const server = createServer((req, res) => {
    if (!receiver.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    dataFile,
    receiver,
    close: () =>
      new Promise((ok) => {
        receiver.close();
        server.closeAllConnections();
        server.close(ok);
      }),
  };
}

const post = (url, body, signal) =>
  fetch(url + '/api/handoff', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    signal,
  });
const lines = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('a valid handoff is accepted once; a second delivery of the same id is a duplicate', async () => {
  const srv = await serve();
  try {
    const first = await post(srv.url, handoff);
    assert.equal(first.status, 202);
    assert.deepEqual(await first.json(), { status: 'accepted', handoffId: handoff.handoffId });
    assert.equal(first.headers.get('access-control-allow-origin'), '*');

    const again = await post(srv.url, handoff);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).status, 'duplicate');

    const list = await (await fetch(srv.url + '/api/handoffs')).json();
    assert.equal(list.length, 1);
    assert.equal(list[0].handoffId, handoff.handoffId);
    assert.equal(list[0].deliveries, 2);
    assert.deepEqual(list[0].handoff, handoff);
    assert.equal(lines(srv.dataFile).length, 1, 'the duplicate is not appended');
    assert.equal(JSON.parse(lines(srv.dataFile)[0]).handoffId, handoff.handoffId);
  } finally {
    await srv.close();
  }
});

test('a restarted receiver remembers what its file holds', async () => {
  const srv = await serve();
  await post(srv.url, handoff);
  await srv.close();
  const again = createReceiver({ dataFile: srv.dataFile, schemaPath });
  assert.deepEqual(
    again.handoffs().map((r) => r.handoffId),
    [handoff.handoffId],
  );
});

test('invalid bodies get 400 with reasons and store nothing', async () => {
  const srv = await serve();
  try {
    const notJson = await post(srv.url, '{"handoffId":');
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).errors[0], /not JSON/);

    const { handoffId, ...noId } = handoff;
    const missing = await post(srv.url, noId);
    assert.equal(missing.status, 400);
    const body = await missing.json();
    assert.equal(body.status, 'invalid');
    assert.ok(body.errors.some((e) => e.includes('handoffId')), body.errors.join('; '));

    const tooBig = await post(srv.url, 'x'.repeat(300 * 1024));
    assert.equal(tooBig.status, 413);
    assert.equal(srv.receiver.handoffs().length, 0);
    assert.equal(srv.receiver.stats().invalid, 2);
  } finally {
    await srv.close();
  }
});

/** A payload's parts in cents: with its ledger they add up to score.total (the README's sum). */
function partsInCents(h) {
  const c = (x) => Math.round(x * 100);
  const x = h.explanation;
  let sum = 0;
  for (const e of h.ledger) sum += c(e.countedPoints);
  for (const r of x.rules) sum += c(r.earlierPoints);
  for (const f of x.fit) sum += c(f.points);
  for (const g of x.groups) sum += c(g.value) - c(g.raw);
  return sum + c(x.otherPoints) + (c(h.score.total) - c(x.totalRaw));
}

test('the payload accounts for its score; the schema checks the explanation and accepts payloads without it', async () => {
  assert.equal(partsInCents(handoff), Math.round(handoff.score.total * 100), JSON.stringify(handoff.explanation));
  assert.ok(handoff.explanation.fit.length > 0 && handoff.explanation.fit.every((f) => f.matched));
  assert.equal(
    handoff.explanation.fit.reduce((s, f) => s + Math.round(f.points * 100), 0),
    Math.round(handoff.score.fit * 100),
    'the fit rules explain the fit score',
  );
  const srv = await serve();
  try {
    const bad = structuredClone(handoff);
    bad.explanation.rules[0].earlierPoints = 'many';
    delete bad.explanation.otherPoints;
    const refused = await post(srv.url, bad);
    assert.equal(refused.status, 400);
    const { errors } = await refused.json();
    assert.ok(errors.some((e) => e.includes('/explanation/rules/0/earlierPoints')), errors.join('; '));
    assert.ok(errors.some((e) => e.includes('otherPoints')), errors.join('; '));

    // A payload from an earlier snippet (still in a visitor's outbox) has no explanation.
    const { explanation, ...earlier } = handoff;
    const accepted = await post(srv.url, earlier);
    assert.equal(accepted.status, 202, JSON.stringify(await accepted.clone().json()));
    assert.equal(srv.receiver.handoffs().length, 1);
  } finally {
    await srv.close();
  }
});

test('fault: fail answers the configured status with Retry-After and stores nothing', async () => {
  const srv = await serve({ faults: { failRate: 1, failStatus: 503, retryAfter: 7 } });
  try {
    const res = await post(srv.url, handoff);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(srv.receiver.handoffs().length, 0);
    // Faults are switched at run time through the API, as the browser tests do.
    const set = await fetch(srv.url + '/api/faults', { method: 'POST', body: JSON.stringify({ reset: true }) });
    assert.deepEqual((await set.json()).failRate, 0);
    assert.equal((await post(srv.url, handoff)).status, 202);
  } finally {
    await srv.close();
  }
});

test('fault: reject answers a permanent 422', async () => {
  const srv = await serve({ faults: { rejectRate: 1 } });
  try {
    assert.equal((await post(srv.url, handoff)).status, 422);
    assert.equal(srv.receiver.handoffs().length, 0);
  } finally {
    await srv.close();
  }
});

test('fault: drop destroys the connection without storing', async () => {
  const srv = await serve({ faults: { dropRate: 1 } });
  try {
    await assert.rejects(post(srv.url, handoff), /fetch failed/);
    assert.equal(srv.receiver.handoffs().length, 0);
    assert.equal(srv.receiver.stats().faulted, 1);
  } finally {
    await srv.close();
  }
});

test('fault: hang stores the handoff but never answers; the retry is a duplicate', async () => {
  const srv = await serve({ faults: { hangRate: 1, hangMs: 5_000 } });
  try {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    await assert.rejects(post(srv.url, handoff, controller.signal), /abort/i);
    clearTimeout(timer);
    assert.equal(srv.receiver.handoffs().length, 1, 'stored before hanging');
    srv.receiver.setFaults({ reset: true });
    const retry = await post(srv.url, handoff);
    assert.equal(retry.status, 200);
    assert.equal((await retry.json()).status, 'duplicate');
  } finally {
    await srv.close();
  }
});

test('a hung request is released after hangMs so servers can always close', async () => {
  const srv = await serve({ faults: { hangRate: 1, hangMs: 200 } });
  try {
    const started = Date.now();
    await assert.rejects(
      new Promise((ok, fail) => {
        const req = request(srv.url + '/api/handoff', { method: 'POST' }, ok);
        req.on('error', fail);
        req.end(JSON.stringify(handoff));
      }),
      /socket hang up|ECONNRESET/,
    );
    assert.ok(Date.now() - started < 4_000);
  } finally {
    await srv.close();
  }
});

test('wrong methods are refused', async () => {
  const srv = await serve();
  try {
    assert.equal((await fetch(srv.url + '/api/handoff')).status, 405);
  } finally {
    await srv.close();
  }
});
