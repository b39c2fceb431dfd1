// Seeded, deterministic event-log generator for the benchmarks: many visitors, a page / track /
// identify mix shaped like a B2B marketing site, written as NDJSON in time order (what a Segment
// export or the dashboard's replay reads). Same seed and size → byte-identical file.
//
//   node benches/gen-events.mjs --events 100000 [--seed 42] [--out benches/out/events-100000.ndjson]
//
// Memory stays small for 1M events: a first pass draws only each event's time (typed arrays), the
// events are sorted by time, and a second pass draws each event's content from a generator keyed by
// (seed, visitor, sequence), so nothing but the timestamps is held at once.

import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Epoch ms of the log's first day (2026-11-01T00:00:00Z). */
export const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Mean events per visitor; the visitor count is events / this. */
const EVENTS_PER_VISITOR = 20;

/** mulberry32: a small, fast, well-mixed 32-bit generator; returns floats in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one (seed, a, b) triple, so content can be drawn in any order. */
function keyed(seed, a, b = 0) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const x of [a, b]) {
    h = Math.imul(h ^ x, 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return rng(h);
}

const pick = (r, list) => list[Math.floor(r() * list.length)];

/** Weighted choice: `table` is [[weight, value], ...]. */
function weighted(r, table) {
  const total = table.reduce((s, [w]) => s + w, 0);
  let x = r() * total;
  for (const [w, v] of table) {
    if ((x -= w) < 0) return v;
  }
  return table[table.length - 1][1];
}

const PAGES = [
  [18, () => '/'],
  [10, () => '/pricing'],
  [16, (r) => `/blog/${pick(r, ['lead-scoring-101', 'mql-vs-sql', 'intent-data', 'handoff-sla', 'decay-explained', 'b2b-funnels'])}`],
  [12, (r) => `/docs/${pick(r, ['setup', 'api', 'models', 'webhooks', 'snippet', 'privacy'])}`],
  [6, (r) => `/case-studies/${pick(r, ['globex', 'initech', 'umbrella', 'hooli'])}`],
  [5, (r) => `/integrations/${pick(r, ['salesforce', 'hubspot', 'slack'])}`],
  [3, () => '/security'],
  [3, () => '/contact'],
  [3, (r) => pick(r, ['/careers', '/careers/engineering', '/careers/sales'])],
  [8, () => '/resources'],
  [6, () => '/about'],
  [4, () => '/product/features'],
];

const TRACKS = [
  [30, (r) => ({ event: 'Asset Downloaded', properties: weighted(r, [
    [3, { path: `/resources/${pick(r, ['guide', 'checklist', 'report'])}-${1 + Math.floor(r() * 9)}.pdf`, category: 'whitepaper' }],
    [2, { path: `/resources/case-study-${pick(r, ['globex', 'initech', 'umbrella'])}.pdf`, category: 'case-study' }],
    [1, { path: '/press/kit.zip', category: 'press' }],
  ]) })],
  [22, (r) => ({ event: 'Video Played', properties: { video: pick(r, ['intro', 'demo', 'webinar-replay']), percent: Math.floor(r() * 101) } })],
  [12, (r) => ({ event: 'Pricing Calculator Used', properties: { seats: 5 + Math.floor(r() * 500) } })],
  [10, (r) => ({ event: 'Form Submitted', properties: { form: pick(r, ['newsletter', 'contact', 'ebook']) } })],
  [8, (r) => ({ event: 'Webinar Registered', properties: { webinar: pick(r, ['q1-roadmap', 'scoring-clinic']) } })],
  [6, () => ({ event: 'Demo Requested', properties: { source: 'pricing' } })],
  [4, () => ({ event: 'Trial Started', properties: { plan: 'pro' } })],
  [3, () => ({ event: 'Unsubscribed', properties: { list: 'newsletter' } })],
  [5, (r) => ({ event: 'Search Performed', properties: { query: pick(r, ['pricing', 'api key', 'sso', 'gdpr']) } })],
];

const CAMPAIGNS = [
  [70, ''],
  [8, '?utm_source=linkedin&utm_medium=social&utm_campaign=q4-abm'],
  [8, '?utm_source=google&utm_medium=cpc&utm_campaign=brand'],
  [6, '?utm_source=newsletter&utm_medium=email&utm_campaign=nov-digest'],
  [4, '?utm_source=twitter&utm_medium=social'],
  [4, '?ref=partner'],
];

const TITLES = [
  'Marketing Manager', 'Director of Marketing', 'VP Sales', 'Head of Growth', 'Software Engineer',
  'Student', 'Chief Revenue Officer', 'Account Executive', 'Senior Product Manager', 'CEO & Founder',
  'Vice President, Demand Generation', 'Analyst', 'Operations Manager', 'CTO',
];
const INDUSTRIES = ['Software', 'SaaS', 'Financial Services', 'Retail', 'Healthcare', 'Education', 'Manufacturing'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'IN', 'BR', 'JP', 'ES', 'AU'];
const DOMAINS = [
  [30, (v) => `acme${v % 997}.example`], [10, () => 'gmail.com'], [4, () => 'yahoo.com'], [3, () => 'hotmail.com'],
  [4, (v) => `uni${v % 50}.edu`], [1, () => 'rivalsoft.example'], [20, (v) => `corp${v % 3001}.example`],
];

/** What a visitor is: fixed per (seed, visitor), drawn before any of its events. */
function profile(seed, v, count) {
  const r = keyed(seed, v, 0xffffffff);
  const identifies = r() < 0.55;
  return {
    anonymousId: `anon-${v.toString(36)}-${Math.floor(r() * 1e9).toString(36)}`,
    userId: `user-${v}`,
    identifyAt: identifies ? Math.min(count - 1, Math.floor(r() * Math.min(count, 12))) : -1,
    traits: {
      email: `p${v}@${weighted(r, DOMAINS)(v)}`,
      title: pick(r, TITLES),
      employees: weighted(r, [[4, 5 + Math.floor(r() * 95)], [4, 100 + Math.floor(r() * 900)], [2, 1000 + Math.floor(r() * 20000)]]),
      industry: pick(r, INDUSTRIES),
      country: pick(r, COUNTRIES),
      ...(r() < 0.3 ? { phone: `+1-555-01${String(v % 100).padStart(2, '0')}` } : {}),
    },
  };
}

/** One event's JSON object: content keyed by (seed, visitor, seq), time given. */
function makeEvent(seed, v, seq, ts, p) {
  const r = keyed(seed, v, seq);
  const base = { messageId: `m-${v.toString(36)}-${seq}`, anonymousId: p.anonymousId };
  if (p.identifyAt >= 0 && seq >= p.identifyAt) base.userId = p.userId;
  const timestamp = new Date(ts).toISOString();
  if (seq === p.identifyAt) {
    return { type: 'identify', ...base, timestamp, traits: { ...p.traits } };
  }
  if (seq === 0 || r() < 0.7) {
    const path = weighted(r, PAGES)(r);
    const query = seq === 0 || r() < 0.15 ? weighted(r, CAMPAIGNS) : '';
    return {
      type: 'page', ...base, timestamp,
      properties: { path, url: `https://www.baton.example${path}${query}`, title: path.slice(1) || 'home', referrer: query ? 'https://www.linkedin.com/' : '' },
    };
  }
  const t = weighted(r, TRACKS)(r);
  return { type: 'track', ...base, timestamp, event: t.event, properties: t.properties };
}

/**
 * Generates the log: yields NDJSON chunks (4096 whole lines each, the last one shorter), in time order.
 * About 1% of events are resent right after (same messageId): retries the engines must dedupe.
 */
export function* generate({ events = 100_000, seed = 42 } = {}) {
  const visitors = Math.max(1, Math.round(events / EVENTS_PER_VISITOR));
  const r = rng(seed);
  // Pass 1: how many events each visitor has, and when (sessions of 1–6 events minutes apart,
  // sessions hours to days apart).
  const counts = new Uint32Array(visitors);
  let remaining = events;
  for (let v = 0; v < visitors; v++) {
    const left = visitors - v;
    const n = v === visitors - 1 ? remaining : Math.max(1, Math.min(remaining - (left - 1), Math.round(-Math.log(1 - r()) * EVENTS_PER_VISITOR)));
    counts[v] = n;
    remaining -= n;
  }
  const ts = new Float64Array(events);
  const who = new Uint32Array(events);
  const seqOf = new Uint32Array(events);
  let i = 0;
  for (let v = 0; v < visitors; v++) {
    let t = T0 + Math.floor(r() * 45 * DAY);
    let inSession = 0;
    for (let s = 0; s < counts[v]; s++) {
      if (s > 0) {
        if (inSession > 0 && r() < 0.75) t += 10_000 + Math.floor(r() * 5 * MIN);
        else { t += HOUR + Math.floor(r() * 10 * DAY); inSession = 0; }
      }
      inSession++;
      ts[i] = t; who[i] = v; seqOf[i] = s; i++;
    }
  }
  const order = new Uint32Array(events);
  for (let k = 0; k < events; k++) order[k] = k;
  order.sort((a, b) => ts[a] - ts[b] || who[a] - who[b] || seqOf[a] - seqOf[b]);
  // Pass 2: content, drawn per event.
  const profiles = new Map();
  let lines = [];
  for (let k = 0; k < events; k++) {
    const e = order[k];
    const v = who[e];
    let p = profiles.get(v);
    if (!p) { p = profile(seed, v, counts[v]); profiles.set(v, p); }
    const line = JSON.stringify(makeEvent(seed, v, seqOf[e], ts[e], p));
    lines.push(line);
    if (keyed(seed ^ 0x5bd1e995, v, seqOf[e])() < 0.01) lines.push(line);
    if (seqOf[e] === counts[v] - 1) profiles.delete(v);
    if (lines.length >= 4096) { yield lines.join('\n') + '\n'; lines = []; }
  }
  if (lines.length) yield lines.join('\n') + '\n';
}

/** Writes the log to a file; resolves with the path. */
export async function writeLog(path, opts) {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  for (const chunk of generate(opts)) {
    if (!out.write(chunk)) await new Promise((res) => out.once('drain', res));
  }
  await new Promise((res, rej) => out.end((err) => (err ? rej(err) : res())));
  return path;
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const events = Number(arg('events', '100000'));
  const seed = Number(arg('seed', '42'));
  const out = arg('out', `benches/out/events-${events}.ndjson`);
  await writeLog(out, { events, seed });
  console.log(out);
}
