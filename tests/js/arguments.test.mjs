// The boundary's arguments from JS (the built Node package, pkg/node): times, option objects,
// byte chunks and models are refused with the argument named and the fix, never taken silently
// as something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Engine, CompiledModel, BatchReplay, Workspace } = require('../../pkg/node/baton.js');
const fixture = (p) => JSON.parse(readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8'));

const model = fixture('models/demo.model.json');
const now = Date.parse('2026-11-02T09:30:00Z');
const event = { type: 'page', messageId: 'm', anonymousId: 'a', timestamp: '2026-11-02T09:00:00Z' };

/** Every entry point that takes a time, by the argument's name. */
function entries() {
  const engine = new Engine(model);
  const ws = new Workspace();
  const replay = new BatchReplay(model);
  return {
    'ingest(event, now)': [(t) => engine.ingest(event, t), 'now'],
    'score(asOf)': [(t) => engine.score(t), 'asOf'],
    'explain(asOf)': [(t) => engine.explain(t), 'asOf'],
    'nextChange(asOf)': [(t) => engine.nextChange(t), 'asOf'],
    'BatchReplay.summary(asOf)': [(t) => replay.summary(t), 'asOf'],
    'Workspace.leads(model, asOf)': [(t) => ws.leads(model, t), 'asOf'],
    'Workspace.funnel(model, asOf)': [(t) => ws.funnel(model, t), 'asOf'],
    'Workspace.backtest(.., asOf)': [(t) => ws.backtest(model, model, t), 'asOf'],
    'Workspace.sampleData(.., now)': [(t) => Workspace.sampleData(1, 1, t), 'now'],
  };
}

test('a now or asOf in epoch seconds is refused at the boundary, naming the argument and the fix', () => {
  const seconds = Math.floor(now / 1000);
  for (const [name, [call, arg]] of Object.entries(entries())) {
    for (const t of [seconds, now / 1000]) {
      assert.throws(() => call(t), (err) => {
        assert.ok(err instanceof Error, name);
        assert.ok(err.message.startsWith(`${arg}: ${t} looks like seconds since the epoch (2026-11-02T09:30:00Z), not milliseconds`), `${name}: ${err.message}`);
        assert.match(err.message, /multiply it by 1000, or pass Date\.now\(\)$/);
        return true;
      });
    }
  }
  // Options too, instead of blaming every event on its sender's clock.
  assert.throws(() => new BatchReplay(model, { now: seconds }), /^Error: options\.now: 1793611800 looks like seconds/);
  const ws = new Workspace();
  assert.throws(() => ws.importEvents(JSON.stringify(event), 'jsonl', null, { now: seconds }), /^Error: options\.now: 1793611800 looks like seconds/);
  // An event without a time is no longer scored in January 1970.
  const engine = new Engine(model);
  assert.throws(() => engine.ingest({ type: 'page', messageId: 'x', anonymousId: 'a' }, seconds), /^Error: now: 1793611800 looks like seconds/);
  assert.equal(engine.exportState(), new Engine(model).exportState());
  // Milliseconds, Dates, and small test times outside the seconds' range stay times.
  assert.equal(engine.score(now).asOf, now);
  assert.equal(engine.score(new Date(now)).asOf, now);
  for (const t of [0, 5, 999_999_999, 4_102_444_800, -1_000]) assert.equal(engine.score(t).asOf, t);
  ws.free();
});

test('a missing, null, string or BigInt time is refused naming the argument', () => {
  const cases = [
    [undefined, 'missing: expected a number of milliseconds since the epoch, e.g. Date.now()'],
    [null, 'null, where a time is required: expected a number'],
    ['1795608000000', 'a string (convert ISO text with Date.parse()): expected a number'],
    [1795608000000n, 'a BigInt (convert it with Number()): expected a number'],
    [{}, 'not a number: expected a number'],
  ];
  for (const [name, [call, arg]] of Object.entries(entries())) {
    for (const [t, why] of cases) {
      assert.throws(() => call(t), (err) => {
        assert.ok(err instanceof Error, name);
        assert.ok(err.message.startsWith(`${arg}: ${why}`), `${name} ${String(t)}: ${err.message}`);
        return true;
      });
    }
  }
  // No argument at all: missing, not NaN.
  assert.throws(() => new Engine(model).score(), { message: 'asOf: missing: expected a number of milliseconds since the epoch, e.g. Date.now()' });
  // An options.now of null or undefined is no check, as before.
  assert.equal(new BatchReplay(model, { now: null }).summary(now).events, 0);
});

test('an unknown option key is refused with the nearest known one', () => {
  const ws = new Workspace();
  const cases = [
    [() => new BatchReplay(model, { Now: now }), 'options: unknown key "Now", did you mean "now"?'],
    [() => new BatchReplay(model, { nowMs: now }), 'options: unknown key "nowMs", did you mean "now"?'],
    [() => new BatchReplay(model, { historybytes: 0 }), 'options: unknown key "historybytes", did you mean "historyBytes"?'],
    [() => new BatchReplay(model, { zzz: 1 }), 'options: unknown key "zzz" (expected one of: historyBytes, now)'],
    [() => ws.beginEvents('jsonl', null, { Now: now }), 'options: unknown key "Now", did you mean "now"?'],
    [() => ws.importEvents('', 'jsonl', null, { nowMs: now }), 'options: unknown key "nowMs", did you mean "now"?'],
  ];
  for (const [call, message] of cases) assert.throws(call, { message });
  // The known keys still work.
  assert.equal(new BatchReplay(model, { now, historyBytes: 0 }).summary(now).events, 0);
  assert.equal(ws.importEvents(JSON.stringify(event), 'jsonl', null, { now }).imported, 1);
  ws.free();
});

test('Workspace.backtest names which model is invalid', () => {
  const ws = new Workspace();
  const bad = { version: '1', rules: [{ id: 'r', points: 'x', when: { type: 'page' } }] };
  for (const [current, candidate, arg] of [[bad, model, 'current'], [model, bad, 'candidate']]) {
    assert.throws(() => ws.backtest(current, candidate, now), (err) => {
      assert.ok(err.message.startsWith(`${arg}: invalid model: 1 problem(s): rules[0].points: must be a number`), err.message);
      assert.equal(err.argument, arg);
      assert.deepEqual(err.problems.map((p) => p.path), ['rules[0].points']);
      return true;
    });
  }
  ws.free();
});

test('pushNdjsonBytes given a string throws a TypeError pointing at pushNdjson', () => {
  const replay = new BatchReplay(model);
  const line = `${JSON.stringify(event)}\n`;
  assert.throws(() => replay.pushNdjsonBytes(line), {
    name: 'TypeError',
    message: 'BatchReplay.pushNdjsonBytes(): expected a Uint8Array (a Buffer is one), got a string; pass text to pushNdjson instead',
  });
  assert.throws(() => replay.pushNdjsonBytes([1, 2]), TypeError);
  // Nothing was read: the same line as bytes or text is one event.
  assert.equal(replay.pushNdjsonBytes(Buffer.from(line)) + replay.pushNdjson(line.replace('"m"', '"m2"')), 2);
  replay.finish();
  assert.deepEqual([replay.summary(now).events, replay.summary(now).skipped], [2, 0]);
});

test('one reason for a line that is no JSON; an unwritable event is an invalid event with its field', () => {
  const replay = new BatchReplay(model);
  replay.pushNdjson('{oops\n');
  replay.finish();
  const ws = new Workspace();
  const r = ws.importEvents('{oops\n', 'jsonl');
  assert.equal(replay.summary(now).skippedLines[0].reason, 'not valid JSON at column 2: expected a string key');
  assert.equal(r.errors[0].reason, replay.summary(now).skippedLines[0].reason);

  const engine = new Engine(model);
  const cyclic = { ...event, properties: {} };
  cyclic.properties.self = cyclic;
  assert.throws(() => engine.ingest(cyclic, now), { message: 'invalid event: properties: cannot be written as JSON (a BigInt or a cycle inside?)' });
  assert.throws(() => engine.ingest({ ...event, timestamp: 1n }, now), { message: 'invalid event: timestamp: cannot be written as JSON (a BigInt or a cycle inside?)' });
  ws.free();
});

test('the raw Node build is guarded like the npm entries: use after free() names the call, free() twice is fine', () => {
  const compiled = new CompiledModel(model);
  const engine = Engine.fromModel(compiled);
  engine.free();
  assert.throws(() => engine.score(now), { message: "baton: Engine.score() was called after free(): this Engine's memory is released; create a new one" });
  engine.free();
  compiled.free();
  assert.throws(() => Engine.fromModel(compiled), /^Error: baton: Engine\.fromModel\(\): its CompiledModel argument was used after free\(\)/);
  assert.throws(() => Engine.fromModel({}), { name: 'TypeError', message: 'baton: Engine.fromModel(): expected a CompiledModel argument (made by `new CompiledModel()`)' });
});
