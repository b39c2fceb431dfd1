// The built Node package (pkg/node) from JS: the same answers as the Rust tests, real Error
// objects across the boundary, typed results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Engine } = require('../../pkg/node/baton.js');
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
