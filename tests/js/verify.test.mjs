// verifyHandoff from JS (the built Node package, pkg/node), and the demo receiver refusing what
// does not verify. The genuine payload is the engine's own handoff for the packaging fixture visitor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReceiver } from '../../www/receiver/receiver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'tests', 'fixtures');
const { Engine, verifyHandoff } = createRequire(import.meta.url)(join(root, 'pkg', 'node', 'baton.js'));
const model = JSON.parse(readFileSync(join(fixtures, 'models', 'demo.model.json'), 'utf8'));
const { events } = JSON.parse(readFileSync(join(root, 'tests', 'packaging', 'fixture.json'), 'utf8'));

/** The handoff the engine builds for the fixture visitor, and the state it was built from. */
function genuine() {
  const engine = new Engine(model);
  for (const event of events) {
    const { handoffs } = engine.ingest(event, Date.parse(event.timestamp));
    if (handoffs.length) return { payload: handoffs[0], state: engine.exportState() };
  }
  throw new Error('the fixture visitor never qualified');
}

const fieldsOf = (verdict) => verdict.mismatches.map((m) => m.field);

test('a genuine payload verifies; with its visitor state, completely', () => {
  const { payload, state } = genuine();
  const fromLedger = verifyHandoff(payload, model);
  assert.equal(fromLedger.ok, true, JSON.stringify(fromLedger.mismatches));
  assert.equal(fromLedger.basis, 'ledger');
  assert.equal(fromLedger.handoffId, payload.handoffId);
  // The demo's MQL counts visits (not in a payload); history, attribution and an identified
  // visitor's anonymousId feed no score: all rest on the payload's word, so never `complete`.
  assert.deepEqual(fromLedger.unverifiable.map((m) => m.field), ['stage', 'history', 'firstTouch', 'lastTouch', 'anonymousId']);
  assert.match(fromLedger.unverifiable[0].reason, /visits/);
  assert.equal(fromLedger.complete, false);
  const fromState = verifyHandoff({ ...payload, state }, JSON.stringify(model));
  assert.deepEqual(
    { ok: fromState.ok, complete: fromState.complete, basis: fromState.basis, mismatches: fromState.mismatches },
    { ok: true, complete: true, basis: 'state', mismatches: [] },
  );
  // As posted: JSON text verifies the same way.
  assert.equal(verifyHandoff(JSON.stringify(payload), model).ok, true);
});

test('a tampered score is refused with the field, both numbers and a reason', () => {
  const { payload } = genuine();
  const forged = structuredClone(payload);
  forged.score.total = 99;
  const verdict = verifyHandoff(forged, model);
  assert.equal(verdict.ok, false);
  const m = verdict.mismatches.find((x) => x.field === 'score.total');
  assert.ok(m, JSON.stringify(verdict.mismatches));
  assert.equal(m.claimed, 99);
  assert.equal(m.recomputed, payload.score.total);
  assert.match(m.reason, new RegExp(`claims 99, re-scoring its data gives ${payload.score.total}`));
});

test('tampered events are refused: an invented match, an unknown rule, a changed time', () => {
  const { payload } = genuine();
  const invented = structuredClone(payload);
  invented.ledger.push({ ...invented.ledger[0], ruleId: 'demo-request', group: 'intent', rawPoints: 30, countedPoints: 30 });
  assert.ok(fieldsOf(verifyHandoff(invented, model)).includes('score.total'));

  const unknown = structuredClone(payload);
  unknown.ledger[0].ruleId = 'vip';
  const v = verifyHandoff(unknown, model);
  assert.ok(v.mismatches.some((m) => m.field === 'ledger[0].ruleId' && /no behaviour rule "vip"/.test(m.reason)));

  // Moving the case-study download a year back makes its points decay away.
  const moved = structuredClone(payload);
  const i = moved.ledger.findIndex((e) => e.ruleId === 'case-study');
  moved.ledger[i].timestamp -= 365 * 86_400_000;
  assert.ok(fieldsOf(verifyHandoff(moved, model)).some((f) => f.startsWith(`ledger[${i}]`) || f.startsWith('score.')));
});

test('a tampered model hash or handoffId is refused with a clear reason', () => {
  const { payload } = genuine();
  const otherModel = structuredClone(payload);
  otherModel.model.hash = 'ffffffffffffffffffffffffffffffff';
  const v = verifyHandoff(otherModel, model);
  assert.deepEqual(fieldsOf(v), ['model.hash']);
  assert.equal(v.basis, 'none');
  assert.match(v.mismatches[0].reason, /another model/);

  const reid = structuredClone(payload);
  reid.handoffId = 'not-the-id';
  const w = verifyHandoff(reid, model);
  assert.deepEqual(fieldsOf(w), ['handoffId']);
  assert.match(w.mismatches[0].reason, /deduplication/);
});

test('garbage is a verdict, an invalid model is a real Error', () => {
  for (const junk of [null, 42, 'not json', [], {}]) {
    const v = verifyHandoff(junk, model);
    assert.equal(v.ok, false, JSON.stringify(junk));
    assert.ok(v.mismatches.length >= 1);
  }
  assert.throws(() => verifyHandoff(genuine().payload, { version: '1' }), (e) => e instanceof Error && /invalid model: .*rules: missing/.test(e.message));
});

// --- the demo receiver -----------------------------------------------------------------------

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-verify-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(options = {}) {
  const receiver = createReceiver({
    dataFile: join(dir, `${Math.random().toString(36).slice(2)}.jsonl`),
    schemaPath: join(fixtures, 'schema', 'handoff.schema.json'),
    modelsDir: join(fixtures, 'models'),
    ...options,
  });
  const server = createServer((req, res) => {
    if (!receiver.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/api/handoff`;
  const post = async (body) => {
    const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() };
  };
  return {
    post,
    receiver,
    close: () => new Promise((ok) => (receiver.close(), server.closeAllConnections(), server.close(ok))),
  };
}

test('the receiver stores a genuine handoff and answers 422 with the reasons for a forged one', async () => {
  const srv = await serve();
  try {
    const { payload } = genuine();
    const forged = structuredClone(payload);
    forged.score.total = 100;
    forged.handoffId = 'ab'.repeat(16); // a fresh id, to dodge deduplication
    const refused = await srv.post(forged);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.status, 'rejected');
    assert.ok(refused.body.errors.some((e) => e.startsWith('score.total: ')), refused.body.errors.join('; '));
    assert.ok(refused.body.errors.some((e) => e.startsWith('handoffId: ')), refused.body.errors.join('; '));
    assert.equal(srv.receiver.handoffs().length, 0, 'nothing forged is stored');

    const accepted = await srv.post(payload);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual(srv.receiver.handoffs().map((r) => r.handoffId), [payload.handoffId]);
  } finally {
    await srv.close();
  }
});

test('a model the receiver does not have: accepted unverified by default, refused when required', async () => {
  const { payload } = genuine();
  const foreign = structuredClone(payload);
  foreign.model.hash = '0123456789abcdef0123456789abcdef';
  const lenient = await serve();
  const strict = await serve({ requireKnownModel: true });
  try {
    assert.equal((await lenient.post(foreign)).status, 202);
    const refused = await strict.post(foreign);
    assert.equal(refused.status, 422);
    assert.match(refused.body.errors[0], /^model\.hash: no model 0123456789abcdef0123456789abcdef/);
    assert.equal((await strict.post(payload)).status, 202);
  } finally {
    await lenient.close();
    await strict.close();
  }
});

test('every handoff.include subset: genuine payloads verify, a raised score is refused where the payload can show it', () => {
  const parts = ['traits', 'attribution', 'ledger', 'history', 'stages'];
  for (let bits = 1; bits < 32; bits++) {
    const include = parts.filter((_, i) => bits & (1 << i));
    const m = {
      version: '1',
      rules: [
        { id: 'd', points: 60, when: { event: 'Demo' } },
        { id: 'f', kind: 'fit', points: 5, when: { trait: 'title', contains: 'VP' } },
      ],
      stages: { mql: { score: 'total', gte: 50 } },
      handoff: { stage: 'mql', endpoint: '/h', include },
    };
    const e = new Engine(m);
    e.ingest({ type: 'identify', messageId: 'i', anonymousId: 'a', userId: 'u', timestamp: 0, traits: { title: 'VP' } }, 0);
    const [p] = e.ingest({ type: 'track', event: 'Demo', messageId: 't', anonymousId: 'a', userId: 'u', timestamp: 1 }, 1).handoffs;
    const v = verifyHandoff(p, m);
    assert.equal(v.ok, true, `${include}: ${JSON.stringify(v.mismatches)}`);
    assert.equal(v.complete, false);
    const behaviour = structuredClone(p);
    behaviour.score.engagement = 994;
    behaviour.score.total = 999;
    const vb = verifyHandoff(behaviour, m);
    assert.equal(vb.ok, !include.includes('ledger'), `${include}: ${JSON.stringify(vb)}`);
    const fit = structuredClone(p);
    fit.score.fit = 50;
    const vf = verifyHandoff(fit, m);
    assert.equal(vf.ok, !include.includes('traits'), `${include}: ${JSON.stringify(vf)}`);
    if (vf.ok) assert.ok(vf.unverifiable.some((u) => u.field === 'score.fit'));
  }
});

test('times: backdated, postdated and late-dated claims are refused; a fresh SLA is never complete', () => {
  const m = {
    version: '1',
    rules: [{ id: 'demo', points: 60, when: { event: 'Demo Requested' } }, { id: 'p', points: 5, when: { path: '/pricing' } }],
    stages: { mql: { score: 'total', gte: 50 } },
    handoff: { stage: 'mql', endpoint: '/api/handoff', slaMinutes: 60, include: ['ledger', 'stages', 'traits'] },
  };
  const e = new Engine(m);
  const at = Date.parse('2026-11-02T10:00:00Z');
  e.ingest({ type: 'page', messageId: 'p1', anonymousId: 'a1', timestamp: at - 3600e3, properties: { path: '/pricing' } }, at - 3600e3);
  const [p] = e.ingest({ type: 'track', event: 'Demo Requested', messageId: 'd1', anonymousId: 'a1', timestamp: at }, at).handoffs;
  const genuineVerdict = verifyHandoff(p, m);
  assert.equal(genuineVerdict.ok && genuineVerdict.complete, true, JSON.stringify(genuineVerdict));
  const D = 3 * 86400e3;
  const moved = (by, created = false) => {
    const x = structuredClone(p);
    x.enteredAt += by;
    x.followUpBy += by;
    x.stages = x.stages.map((s) => ({ ...s, at: s.at + by }));
    if (created) {
      x.createdAt += by;
      x.score.asOf += by;
    }
    return x;
  };
  const refusedOn = (x, field) => {
    const v = verifyHandoff(x, m);
    assert.equal(v.ok, false, JSON.stringify(v));
    assert.ok(fieldsOf(v).includes(field), `${field} not in ${fieldsOf(v)}`);
  };
  refusedOn(moved(-D), 'stage');
  refusedOn(moved(D), 'enteredAt');
  const late = structuredClone(p);
  for (const l of late.ledger) l.timestamp += 5 * 86400e3;
  refusedOn(late, 'ledger[0].timestamp');
  refusedOn({ ...structuredClone(p), stages: [] }, 'stages');
  const sql = structuredClone(p);
  sql.stages.push({ stage: 'sql', at: p.enteredAt });
  refusedOn(sql, 'stages[1].stage');
  const fresh = verifyHandoff(moved(D, true), m);
  assert.equal(fresh.complete, false, JSON.stringify(fresh));
  assert.deepEqual(fresh.unverifiable.map((u) => u.field), ['enteredAt']);
});
