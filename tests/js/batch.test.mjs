// BatchReplay from JS: text and byte chunks give the same replay, and bad lines are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { BatchReplay, Engine, Workspace } = require('../../pkg/node/baton.js');
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

test('a malformed line is skipped, counted and named by its line in the whole stream', () => {
  const lines = ndjson.trimEnd().split('\n');
  const replay = new BatchReplay(model);
  const first = [lines[0], lines[1], '{"type":"page"', lines[2]].join('\n') + '\n';
  // The second chunk is cut inside its second line and inside a UTF-8 character.
  const second = Buffer.concat([Buffer.from(`${lines[3]}\n{not json\n${lines[4]}\n`), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(`${lines[5]}\n`)]);
  assert.equal(replay.pushNdjsonBytes(Buffer.from(first)), 3);
  const cut = second.indexOf('\n') + 5;
  assert.equal(replay.pushNdjsonBytes(second.subarray(0, cut)) + replay.pushNdjsonBytes(second.subarray(cut)), 3);
  assert.equal(replay.finish(), 0);
  const s = replay.summary(asOf);
  assert.equal(s.events, 6);
  assert.equal(s.skipped, 3);
  assert.deepEqual(s.skippedLines.map((x) => x.line), [3, 6, 8]);
  assert.match(s.skippedLines[1].reason, /at column 2/);
  assert.doesNotMatch(s.skippedLines[1].reason, /line 1/);
  assert.match(s.skippedLines[2].reason, /^not valid UTF-8/);
  replay.free();
});

test('an identify from a second device merges its history into the known lead (the reviewer\'s case: one lead, 40)', () => {
  const T0 = Date.parse('2026-11-02T09:00:00Z');
  const DAY = 86_400_000;
  const m = { version: '1', rules: [{ id: 'pv', points: 10, when: { type: 'page' } }] };
  const evs = [
    { type: 'page', messageId: '1', anonymousId: 'a1', timestamp: T0 },
    { type: 'identify', messageId: '2', anonymousId: 'a1', userId: 'u', timestamp: T0 + 1000, traits: { email: 'x@y.z' } },
    { type: 'page', messageId: '3', anonymousId: 'a2', timestamp: T0 + DAY },
    { type: 'page', messageId: '4', anonymousId: 'a2', timestamp: T0 + DAY + 1000 },
    { type: 'identify', messageId: '5', anonymousId: 'a2', userId: 'u', timestamp: T0 + DAY + 2000 },
    { type: 'page', messageId: '6', anonymousId: 'a2', userId: 'u', timestamp: T0 + DAY + 3000 },
  ];
  const text = evs.map((e) => JSON.stringify(e)).join('\n');
  const merged = new BatchReplay(m);
  merged.pushNdjson(text);
  const s = merged.summary(T0 + 2 * DAY);
  assert.equal(s.visitors, 1);
  assert.equal(s.scoreSum, 40);
  assert.deepEqual(s.merges, { exact: 1, late: 0, separate: 0, refused: 0 });
  // No history kept: the anonymous history stays a visitor of its own, and says so.
  const bounded = new BatchReplay(m, { historyBytes: 0 });
  bounded.pushNdjson(text);
  const b = bounded.summary(T0 + 2 * DAY);
  assert.equal(b.visitors, 2);
  assert.equal(b.scoreSum, 40);
  assert.deepEqual(b.merges, { exact: 0, late: 0, separate: 1, refused: 0 });
  assert.throws(() => new BatchReplay(m, { historyBytes: -1 }), /options\.historyBytes/);
  merged.free();
  bounded.free();
});

test('two people on one device are two leads: the second carries none of the first one\'s traits or points (Engine, BatchReplay, Workspace)', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const m = { version: '1', rules: [{ id: 'pv', points: 30, when: { type: 'page' } }], stages: { mql: { score: 'total', gte: 50 } }, handoff: { stage: 'mql', endpoint: '/h' } };
  const evs = [
    { type: 'identify', anonymousId: 'dev', userId: 'alice', messageId: '1', timestamp: now - 5000, traits: { email: 'alice@corp.example', title: 'CFO' } },
    { type: 'page', anonymousId: 'dev', userId: 'alice', messageId: '2', timestamp: now - 4000 },
    { type: 'identify', anonymousId: 'dev', userId: 'bob', messageId: '3', timestamp: now - 3000, traits: { name: 'Bob' } },
    { type: 'page', anonymousId: 'dev', userId: 'bob', messageId: '4', timestamp: now - 2000 },
    { type: 'page', anonymousId: 'dev', messageId: '5', timestamp: now - 1000 },
  ];
  // One engine for the device (what the snippet runs): bob starts fresh, and his handoff is his.
  const e = new Engine(m);
  const handoffs = evs.flatMap((x) => e.ingest(x, now).handoffs);
  assert.deepEqual(handoffs.map((h) => [h.userId, h.traits, h.score.total]), [['bob', { name: 'Bob' }, 60]]);
  const state = JSON.parse(e.exportState());
  assert.equal(e.score(now).total, 60);
  assert.ok(!JSON.stringify(state).includes('alice'), JSON.stringify(state));
  // The replay: two visitors, and the summary says why.
  const r = new BatchReplay(m);
  r.pushNdjson(evs.map((x) => JSON.stringify(x)).join('\n'));
  r.finish();
  const s = r.summary(now);
  assert.deepEqual([s.visitors, s.known, s.scoreSum, s.mql], [2, 1, 90, 1]); // alice known (30), bob mql (60)
  assert.deepEqual(s.merges, { exact: 0, late: 0, separate: 0, refused: 1 });
  // The dashboard: two leads, bob's with his own score.
  const ws = new Workspace();
  ws.importEvents(evs.map((x) => JSON.stringify(x)).join('\n'), 'jsonl', null, { now });
  const leads = ws.leads(m, now).rows.map((row) => [row.userId, row.email, row.name, row.score]);
  assert.deepEqual(leads.sort(), [['alice', 'alice@corp.example', null, 30], ['bob', null, 'Bob', 60]]);
  // The same user twice on the device: one lead, unchanged.
  const same = evs.map((x) => ({ ...x, userId: x.userId && 'alice' }));
  const r2 = new BatchReplay(m);
  r2.pushNdjson(same.map((x) => JSON.stringify(x)).join('\n'));
  r2.finish();
  const s2 = r2.summary(now);
  assert.deepEqual([s2.visitors, s2.scoreSum, s2.merges.refused], [1, 90, 0]);
  for (const x of [e, r, r2, ws]) x.free();
});

test('given now, a line more than a day after it or in epoch seconds is skipped with its reason; without, unchanged', () => {
  const now = Date.parse('2026-11-04T09:00:00Z');
  const day1 = Date.parse('2026-11-02T09:00:00Z');
  const perDay = { version: '1', rules: [{ id: 'pv', points: 10, when: { type: 'page' }, cap: { perDay: 1 } }] };
  const log = [
    { type: 'page', messageId: '1', anonymousId: 'a', timestamp: day1 },
    { type: 'page', messageId: '2', anonymousId: 'a', timestamp: '2099-01-01T00:00:00Z' },
    { type: 'page', messageId: '3', anonymousId: 'a', timestamp: 1793613600 },
    { type: 'page', messageId: '4', anonymousId: 'a', timestamp: day1 + 86_400_000 },
  ].map((e) => JSON.stringify(e)).join('\n') + '\n';

  const checked = new BatchReplay(perDay, { now });
  assert.equal(checked.pushNdjson(log) + checked.finish(), 2);
  const s = checked.summary(now);
  assert.equal(s.skipped, 2);
  assert.equal(s.skippedLines[0].line, 2);
  assert.equal(s.skippedLines[0].reason, "invalid event: timestamp: 2099-01-01T00:00:00Z is more than a day after now (2026-11-04T09:00:00Z): the sender's clock is wrong");
  assert.deepEqual(s.skippedLines[1], { line: 3, reason: 'invalid event: timestamp: looks like seconds since the epoch (2026-11-02T10:00:00Z); numbers are milliseconds: send 1793613600000 or ISO 8601 text' });
  // Both days count: the 2099 event did not close the per-day cap until 2099.
  assert.equal(s.scoreSum, 20);

  const unchecked = new BatchReplay(perDay);
  unchecked.pushNdjson(log);
  unchecked.finish();
  assert.equal(unchecked.summary(now).skipped, 0);

  assert.throws(() => new BatchReplay(perDay, { now: 'today' }), /^Error: options\.now: must be a number of milliseconds/);
  for (const r of [checked, unchecked]) r.free();
});

test('a Workspace import given now reports those rows as bad rows; without, unchanged', () => {
  const now = Date.parse('2026-11-04T09:00:00Z');
  const rows = [
    { type: 'page', messageId: '1', anonymousId: 'a', timestamp: '2026-11-02T09:00:00Z' },
    { type: 'page', messageId: '2', anonymousId: 'a', timestamp: '2099-01-01T00:00:00Z' },
    { type: 'page', messageId: '3', anonymousId: 'a', timestamp: 1793610000 },
  ].map((e) => JSON.stringify(e)).join('\n');
  const ws = new Workspace();
  const r = ws.importEvents(rows, 'jsonl', null, { now });
  assert.deepEqual([r.imported, r.rejected, r.errors.map((e) => e.row)], [1, 2, [2, 3]]);
  assert.match(r.errors[1].reason, /looks like seconds since the epoch \(2026-11-02T09:00:00Z\)/);
  ws.clear();
  ws.beginEvents('jsonl');
  ws.pushEvents(rows);
  assert.equal(ws.finishEvents().rejected, 0);
  assert.throws(() => ws.beginEvents('jsonl', null, 5), /^Error: options: must be an object/);
  ws.free();
});
