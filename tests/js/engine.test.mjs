// The built Node package (pkg/node) from JS: the same answers as the Rust tests, real Error
// objects across the boundary, typed results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Engine, CompiledModel } = require('../../pkg/node/baton.js');
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
    { type: 'Track', event: 'Asset Downloaded', messageId: 'dup', messageId2: 1, anonymousId: 'a', timestamp: 5, extra: { deep: [1, 'x'] } },
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
  assert.throws(() => new Engine('{"version":'), /invalid JSON/);
  assert.equal(new Engine(other).modelHash, c.modelHash);
});
