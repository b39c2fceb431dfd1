// The built Node package (pkg/node) from JS: the same answers as the Rust tests, real Error
// objects across the boundary, typed results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Engine, CompiledModel, BatchReplay, Workspace, verifyHandoff, applyCalibration } = require('../../pkg/node/baton.js');
const fixture = (p) => JSON.parse(readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8'));

const model = fixture('models/demo.model.json');
const journey = fixture('journeys/seed.events.json');

function play(engine, events) {
  const handoffs = [];
  let now = 0;
  for (const e of events) {
    now = Date.parse(e.timestamp);
    handoffs.push(...engine.ingest(e, now).handoffs);
  }
  return { handoffs, now };
}

test('the seed journey qualifies as an MQL with exactly one handoff', () => {
  const engine = new Engine(model);
  const { handoffs, now } = play(engine, journey);
  const score = engine.score(now);
  assert.equal(score.stage, 'mql');
  assert.ok(score.total >= 50, `total ${score.total}`);
  assert.equal(handoffs.length, 1);
  const [h] = handoffs;
  assert.equal(h.stage, 'mql');
  assert.equal(h.visitorId, 'dana@northwind.example');
  assert.equal(h.model.hash, engine.modelHash);
  assert.equal(h.followUpBy, h.enteredAt + 60 * 60_000);
  assert.equal(h.traits.title, 'Director of Marketing');
  assert.ok(h.ledger.length > 0, 'the payload carries the ledger');
});

test('the model accepts JSON text as well as an object, with the same hash', () => {
  assert.equal(new Engine(JSON.stringify(model)).modelHash, new Engine(model).modelHash);
});

test('a duplicate messageId counts once', () => {
  const engine = new Engine(model);
  const e = journey[1];
  const now = Date.parse(e.timestamp);
  const first = engine.ingest(e, now);
  const second = engine.ingest(e, now);
  assert.equal(first.duplicate, false);
  assert.equal(second.duplicate, true);
  assert.deepEqual(second.score.total, first.score.total);
});

test('state exported and restored gives the same score', () => {
  const engine = new Engine(model);
  const { now } = play(engine, journey);
  const restored = Engine.withState(model, engine.exportState());
  assert.deepEqual(restored.score(now), engine.score(now));
  assert.ok(engine.exportState().length <= 4096);
});

test('a malformed model throws an Error naming every problem with its path', () => {
  const bad = structuredClone(model);
  bad.rules[0].points = 'ten';
  bad.rules[1].whne = bad.rules[1].when;
  delete bad.rules[1].when;
  assert.throws(() => new Engine(bad), (err) => {
    assert.ok(err instanceof Error, 'a real Error object');
    assert.match(err.message, /rules\[0\]\.points/);
    assert.match(err.message, /rules\[1\]/);
    assert.match(err.message, /did you mean/i);
    return true;
  });
  const problems = Engine.validate(bad);
  assert.ok(problems.length >= 2);
  assert.ok(problems.every((p) => typeof p.path === 'string' && typeof p.message === 'string'));
  assert.deepEqual(Engine.validate(model), []);
});

test('the thrown model Error carries the problems as data, the list validate returns', () => {
  const bad = { version: '1', rules: [{ id: 'a', points: 'x', when: { path: '/' } }, { id: 'a', points: 1, when: { type: 'page' } }],
    stages: { mql: { all: [{ score: 'nogroup', gte: 5 }, { matches: 'nope', atLeast: 1 }] } } };
  const listed = [
    { path: 'rules[0].points', message: 'must be a number, found a string' },
    { path: 'rules[1].id', message: 'duplicate id "a" (also rules[0])' },
    { path: 'stages.mql.all[0].score', message: 'unknown score "nogroup" (total, fit, engagement or a group)' },
    { path: 'stages.mql.all[1].matches', message: '"matches" names unknown rule "nope"' },
  ];
  assert.deepEqual(Engine.validate(bad), listed);
  for (const build of [() => new Engine(bad), () => new CompiledModel(bad), () => Engine.withState(bad, '{}'), () => new BatchReplay(bad)]) {
    assert.throws(build, (err) => {
      assert.ok(err instanceof Error);
      assert.deepEqual(err.problems, listed);
      assert.match(err.message, /^invalid model: 4 problem\(s\): rules\[0\]\.points: must be a number/);
      return true;
    });
  }
});

test('validate never throws: bad JSON text, undefined, null and non-finite numbers are problems', () => {
  const [bad] = Engine.validate('{bad json');
  assert.equal(bad.path, '$');
  assert.match(bad.message, /^not valid JSON: .* at line 1 column 2$/);
  assert.deepEqual(Engine.validate(undefined), [{ path: '$', message: 'must be a model object or its JSON text, found undefined' }]);
  assert.deepEqual(Engine.validate(null), [{ path: '$', message: 'must be an object, found null' }]);
  assert.deepEqual(Engine.validate(() => 1), [{ path: '$', message: 'must be a model object or its JSON text, found a function' }]);
  assert.deepEqual(Engine.validate(10n), [{ path: '$', message: 'must be a model object or its JSON text, found a BigInt' }]);
  const cyclic = { version: '1', rules: [] };
  cyclic.self = cyclic;
  assert.equal(Engine.validate(cyclic)[0].path, '$');
  const rule = (points, cap) => ({ version: '1', rules: [{ id: 'a', points, when: { type: 'page' }, ...(cap ? { cap } : {}) }] });
  assert.deepEqual(Engine.validate(rule(null)), [{ path: 'rules[0].points', message: 'must be a number, found null' }]);
  assert.deepEqual(Engine.validate(rule(Infinity)), [{ path: 'rules[0].points', message: 'must be a finite number, found Infinity' }]);
  assert.deepEqual(Engine.validate(rule(NaN)), [{ path: 'rules[0].points', message: 'must be a finite number, found NaN' }]);
  // An optional limit: JSON would write null, which reads as no limit at all.
  assert.deepEqual(Engine.validate(rule(1, { perDay: -Infinity })), [{ path: 'rules[0].cap.perDay', message: 'must be a finite number, found -Infinity' }]);
  assert.throws(() => new Engine(rule(1, { perDay: Infinity })), (err) => err.problems[0].path === 'rules[0].cap.perDay');
  // A genuine null there is no limit, as before; and the Infinity model is not taken for it.
  assert.deepEqual(Engine.validate(rule(1, { perDay: null, total: 2 })), []);
  new Engine(rule(1, { perDay: null, total: 2 }));
  assert.throws(() => new Engine(rule(1, { perDay: Infinity, total: 2 })), /must be a finite number, found Infinity/);
  assert.throws(() => new Engine(undefined), (err) => /found undefined/.test(err.message) && err.problems[0].path === '$');
  assert.throws(() => new Engine('{"version":'), (err) => /not valid JSON/.test(err.message) && err.problems.length === 1);
});

test('a key given twice in model text is a problem at its path, not a silent last value', () => {
  const text = '{"version":"1","rules":[{"id":"x","points":1,"points":50,"when":{"type":"page"}}],'
    + '"stages":{"mql":{"score":"total","gte":10},"mql":{"score":"total","gte":90}}}';
  assert.deepEqual(Engine.validate(text), [
    { path: 'rules[0].points', message: 'duplicate key "points": give each key once' },
    { path: 'stages.mql', message: 'duplicate key "mql": give each key once' },
  ]);
  assert.throws(() => new Engine(text), (err) => err.problems.length === 2);
  assert.throws(() => new CompiledModel(text), (err) => err.problems.length === 2);
});

test('every entry that takes model text reports a key given twice the same way', () => {
  // A valid model but for the repeated key: the last value would win without a word.
  const text = '{"version":"1","rules":[{"id":"x","points":1,"points":50,"when":{"type":"page"}}]}';
  const expected = [{ path: 'rules[0].points', message: 'duplicate key "points": give each key once' }];
  const ws = new Workspace();
  const entries = {
    'new Engine': () => new Engine(text),
    'Engine.withState': () => Engine.withState(text, new Engine(model).exportState()),
    'new BatchReplay': () => new BatchReplay(text),
    'verifyHandoff': () => verifyHandoff({}, text),
    'Workspace.leads': () => ws.leads(text, 0),
    'Workspace.funnel': () => ws.funnel(text, 0),
    'Workspace.backtest (candidate)': () => ws.backtest(model, text, 0),
    'applyCalibration': () => applyCalibration(text, { rules: [] }),
  };
  for (const [name, call] of Object.entries(entries)) {
    assert.throws(call, (err) => {
      assert.ok(err instanceof Error, name);
      assert.deepEqual(err.problems, expected, `${name}: ${err.message}`);
      assert.match(err.message, /rules\[0\]\.points: duplicate key "points"/, name);
      return true;
    }, name);
  }
  ws.free();
});

test('a malformed event throws an Error naming the field and leaves the state as it was', () => {
  const engine = new Engine(model);
  const before = engine.exportState();
  assert.throws(() => engine.ingest({ messageId: 'x', anonymousId: 'a' }, 0), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /type/);
    return true;
  });
  assert.equal(engine.exportState(), before);
});

test('a corrupt state throws instead of crashing', () => {
  assert.throws(() => Engine.withState(model, '{"v":999,"junk":true}'), Error);
  assert.throws(() => Engine.withState(model, 'not json'), Error);
});

test('a non-finite time is rejected', () => {
  const engine = new Engine(model);
  assert.throws(() => engine.score(NaN), /asOf/);
});

test('a time that is no JS Date (NaN, ±Infinity, beyond ±8.64e15 ms) is refused, naming the argument', () => {
  const engine = new Engine(model);
  const ws = new Workspace();
  const replay = new BatchReplay(model);
  const event = { type: 'page', messageId: 'm', anonymousId: 'a', timestamp: '2026-11-02T09:00:00Z' };
  const entries = {
    'ingest(event, now)': [(t) => engine.ingest(event, t), 'now'],
    'score(asOf)': [(t) => engine.score(t), 'asOf'],
    'explain(asOf)': [(t) => engine.explain(t), 'asOf'],
    'nextChange(asOf)': [(t) => engine.nextChange(t), 'asOf'],
    'BatchReplay.summary(asOf)': [(t) => replay.summary(t), 'asOf'],
    'new BatchReplay(model, { now })': [(t) => new BatchReplay(model, { now: t }), 'options.now'],
    'Workspace.leads(model, asOf)': [(t) => ws.leads(model, t), 'asOf'],
    'Workspace.funnel(model, asOf)': [(t) => ws.funnel(model, t), 'asOf'],
    'Workspace.beginEvents(.., { now })': [(t) => ws.beginEvents('jsonl', null, { now: t }), 'options.now'],
    'Workspace.sampleData(.., now)': [(t) => Workspace.sampleData(1, 1, t), 'now'],
  };
  for (const [name, [call, arg]] of Object.entries(entries)) {
    for (const [t, found] of [[-1e20, /-1e20 is outside the range of a JavaScript Date/], [1e300, /1e300 is outside/], [8.64e15 + 1, /outside/], [NaN, /found NaN/], [Infinity, /found Infinity/], [-Infinity, /found -Infinity/]]) {
      assert.throws(() => call(t), (err) => {
        assert.ok(err instanceof Error, name);
        assert.ok(err.message.startsWith(`${arg}: `), `${name} ${t}: ${err.message}`);
        assert.match(err.message, found, `${name} ${t}`);
        return true;
      }, `${name} ${t}`);
    }
  }
  // The ends of the range are times.
  assert.equal(engine.score(8.64e15).asOf, 8.64e15);
  assert.equal(engine.score(-8.64e15).asOf, -8.64e15);
  ws.free();
  replay.free();
});

test('a numeric timestamp in epoch seconds is refused at ingest, naming the field and the fix', () => {
  const engine = new Engine(model);
  const now = Date.parse('2026-11-02T09:30:00Z');
  assert.throws(
    () => engine.ingest({ type: 'page', messageId: 's', anonymousId: 'a', timestamp: 1793610000 }, now),
    { message: 'invalid event: timestamp: looks like seconds since the epoch (2026-11-02T09:00:00Z); numbers are milliseconds: send 1793610000000 or ISO 8601 text' },
  );
  assert.equal(engine.ingest({ type: 'page', messageId: 'm', anonymousId: 'a', timestamp: 1793610000000 }, now).duplicate, false);
});

test('engines on one CompiledModel give exactly what engines built from the model give', () => {
  const compiled = new CompiledModel(model);
  assert.equal(compiled.hash, new Engine(model).modelHash);
  assert.equal(compiled.version, model.version);
  const own = new Engine(model);
  const shared = Engine.fromModel(compiled);
  const other = Engine.fromModel(compiled); // a second visitor on the same model stays apart
  for (const e of journey) {
    const now = Date.parse(e.timestamp);
    assert.deepEqual(shared.ingest(e, now), own.ingest(e, now));
  }
  const end = Date.parse(journey.at(-1).timestamp) + 86_400_000;
  assert.deepEqual(shared.explain(end), own.explain(end));
  assert.equal(shared.exportState(), own.exportState());
  assert.equal(other.score(end).total, 0);
  const resumed = Engine.fromModelWithState(compiled, shared.exportState());
  assert.deepEqual(resumed.score(end), own.score(end));
  assert.throws(() => Engine.fromModelWithState(compiled, 'not json'), Error);
  assert.throws(() => new CompiledModel({ version: '1', rules: [{ id: 'x', points: 'ten', when: { path: '/' } }] }), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /rules\[0\]\.points/);
    return true;
  });
});

test('an event as an object or as JSON text, with or without messageId and timestamp, reads the same', () => {
  const events = [
    ...journey,
    { type: 'page', anonymousId: 'a', properties: { path: '/pricing' } }, // no messageId, no timestamp
    { type: 'Track', event: 'Asset Downloaded', messageId: 'dup', messageId2: 1, anonymousId: 'a', timestamp: Date.parse(journey.at(-1).timestamp) + 5, extra: { deep: [1, 'x'] } },
  ];
  const byObject = new Engine(model);
  const byText = new Engine(model);
  let now = Date.parse(journey[0].timestamp);
  for (const e of events) {
    // `now` never behind the event: an event over a day ahead of `now` is refused (clock skew).
    const t = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : (e.timestamp ?? 0);
    now = Math.max(now + 1000, t);
    assert.deepEqual(byObject.ingest(e, now), byText.ingest(JSON.stringify(e), now));
  }
  assert.equal(byObject.exportState(), byText.exportState());
  // Errors keep their wording on both readings.
  for (const input of ['not json', '{"type":"page"}', { type: 'jump', anonymousId: 'a', timestamp: 1 }, undefined]) {
    assert.throws(() => byObject.ingest(input, now), (err) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, input === 'not json' ? /invalid JSON/ : /event|type|anonymousId|object/);
      return true;
    });
  }
  assert.throws(() => byObject.ingest(events[0], NaN), /now/);
});

test('engines built from the same model text again, from another, and from a bad one', () => {
  // The last model compiled is reused for the same text: every engine still scores on its own.
  const text = JSON.stringify(model);
  const a = new Engine(text);
  const b = new Engine(model);
  const other = { version: '2', rules: [{ id: 'p', points: 3, when: { path: '/pricing' } }] };
  const c = new Engine(other);
  assert.equal(a.modelHash, b.modelHash);
  assert.notEqual(c.modelHash, a.modelHash);
  assert.equal(c.modelVersion, '2');
  assert.equal(new Engine(model).modelHash, a.modelHash);
  const e = journey[0];
  a.ingest(e, Date.parse(e.timestamp));
  assert.equal(b.exportState(), new Engine(model).exportState(), 'b saw no event');
  assert.throws(() => new Engine({ ...other, rules: [{ id: 'p', points: 'x', when: { path: '/' } }] }), /rules\[0\]\.points/);
  assert.throws(() => new Engine('{"version":'), /not valid JSON/);
  assert.equal(new Engine(other).modelHash, c.modelHash);
});
