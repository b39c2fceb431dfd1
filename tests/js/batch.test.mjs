// BatchReplay from JS: text and byte chunks give the same replay, and bad lines are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { BatchReplay, Engine } = require('../../pkg/node/baton.js');
const fixture = (p) => JSON.parse(readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8'));

const model = fixture('models/demo.model.json');
const journey = fixture('journeys/seed.events.json');
// Two visitors: the seed journey and a copy under other ids, interleaved in time order.
const other = journey.map((e) => ({ ...e, messageId: `o-${e.messageId}`, anonymousId: 'other-anon', userId: e.userId && 'other@example.com' }));
const events = [...journey, ...other].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
const ndjson = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const asOf = Date.parse(journey.at(-1).timestamp) + 3_600_000;

test('NDJSON as text or as UTF-8 bytes replays the same, and as engines fed one by one', () => {
  const byText = new BatchReplay(model);
  const byBytes = new BatchReplay(model);
  const half = ndjson.indexOf('\n', ndjson.length / 2) + 1;
  assert.equal(byText.pushNdjson(ndjson.slice(0, half)) + byText.pushNdjson(ndjson.slice(half)), events.length);
  assert.equal(byBytes.pushNdjsonBytes(Buffer.from(ndjson.slice(0, half))) + byBytes.pushNdjsonBytes(new TextEncoder().encode(ndjson.slice(half))), events.length);
  const summary = byText.summary(asOf);
  assert.deepEqual(byBytes.summary(asOf), summary);
  assert.equal(summary.visitors, 2);
  // The same as one engine per visitor, fed event by event.
  const one = new Engine(model);
  const two = new Engine(model);
  for (const e of events) (e.anonymousId === 'other-anon' ? two : one).ingest(e, Date.parse(e.timestamp));
  const total = Math.round((one.score(asOf).total + two.score(asOf).total) * 100) / 100;
  assert.equal(summary.scoreSum, total);
  assert.equal(summary.mql, [one, two].filter((e) => e.score(asOf).stage === 'mql').length);
});

test('a bad line is named, and the lines before it stay ingested', () => {
  const lines = ndjson.trimEnd().split('\n');
  const replay = new BatchReplay(model);
  const bad = [lines[0], lines[1], '{"type":"page"', lines[2]].join('\n');
  assert.throws(() => replay.pushNdjsonBytes(Buffer.from(bad)), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /^line 3: /);
    return true;
  });
  assert.equal(replay.summary(asOf).events, 2);
  // Invalid UTF-8 in the fourth line: three lines ingested, the fourth named.
  const bytes = Buffer.concat([Buffer.from([lines[3], lines[4], lines[5], ''].join('\n')), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]);
  assert.throws(() => replay.pushNdjsonBytes(bytes), /line 4: not valid UTF-8/);
  assert.equal(replay.summary(asOf).events, 5);
  replay.free();
});
