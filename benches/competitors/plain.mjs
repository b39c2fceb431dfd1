// COMPETITOR, benchmark only: the 30 rules of benches/model30.json written by hand in plain
// JavaScript, the way a developer would write lead scoring without an engine: one predicate per
// rule, a per-visitor record with cap counters and half-life accumulators, the score recomputed
// after every event to check the MQL criteria. Never used by the product.
//
// It gets the advantages a hand-written version would take: fit points are recomputed only when
// traits change, and predicates compare exact strings (the generated data has one spelling).
// benches/throughput.mjs checks that it reproduces the engine's results exactly.

const DAY = 86_400_000;
const SESSION_MS = 30 * 60_000;
const HALF_LIFE = 30 * DAY;
/** Penalties never wear off (the model's rule: negative points do not decay). */
const NO_DECAY = Infinity;

// --- behaviour rules: [id, group, points, cap, halfLife, test(event, view)] ---
// `view` is the event pre-digested once: type, path, query parameters, name, properties.
const BEHAVIOUR = [
  ['page-view', 'engagement', 1, { perDay: 5 }, HALF_LIFE, (v) => v.type === 'page'],
  ['blog-post', 'engagement', 2, { perDay: 3 }, HALF_LIFE, (v) => v.type === 'page' && v.path.startsWith('/blog/')],
  ['pricing-page', 'intent', 10, { perSession: 1 }, HALF_LIFE, (v) => v.type === 'page' && v.path === '/pricing'],
  ['docs-page', 'engagement', 1, { perDay: 4 }, HALF_LIFE, (v) => v.path.startsWith('/docs/')],
  ['case-study-page', 'intent', 4, { perDay: 2 }, HALF_LIFE, (v) => v.path.startsWith('/case-studies/')],
  ['integrations-page', 'intent', 3, { perDay: 2 }, HALF_LIFE, (v) => v.path.startsWith('/integrations/')],
  ['security-page', 'intent', 5, { total: 1 }, HALF_LIFE, (v) => v.path === '/security'],
  ['contact-page', 'intent', 8, { perSession: 1 }, HALF_LIFE, (v) => v.path === '/contact'],
  ['careers-page', 'engagement', -10, { total: 2 }, NO_DECAY, (v) => v.path === '/careers' || v.path.startsWith('/careers/')],
  ['linkedin-campaign', 'engagement', 3, { total: 1 }, HALF_LIFE, (v) => v.query?.get('utm_source') === 'linkedin'],
  ['paid-search', 'engagement', 2, { perDay: 1 }, HALF_LIFE, (v) => v.query?.get('utm_medium') === 'cpc' && v.query.get('utm_source') === 'google'],
  ['newsletter-click', 'engagement', 2, { perDay: 1 }, HALF_LIFE, (v) => v.query?.get('utm_medium') === 'email'],
  ['resource-download', 'engagement', 3, { total: 10 }, HALF_LIFE, (v) => v.name === 'Asset Downloaded' && typeof v.props.path === 'string' && v.props.path.startsWith('/resources/')],
  ['case-study-download', 'intent', 5, { perDay: 2 }, HALF_LIFE, (v) => v.name === 'Asset Downloaded' && v.props.category === 'case-study'],
  ['demo-request', 'intent', 30, { total: 1 }, 90 * DAY, (v) => v.name === 'Demo Requested'],
  ['webinar-registered', 'intent', 8, { perDay: 1 }, HALF_LIFE, (v) => v.name === 'Webinar Registered'],
  ['video-played', 'engagement', 2, { perDay: 3 }, HALF_LIFE, (v) => v.name === 'Video Played' && v.props.percent >= 50],
  ['pricing-calculator', 'intent', 6, { perSession: 1 }, HALF_LIFE, (v) => v.name === 'Pricing Calculator Used'],
  ['trial-started', 'intent', 20, { total: 1 }, HALF_LIFE, (v) => v.name === 'Trial Started'],
  ['unsubscribed', 'engagement', -20, { total: 1 }, NO_DECAY, (v) => v.name === 'Unsubscribed'],
].map(([id, group, points, cap, halfLife, test]) => ({ id, group, points, cap, halfLife, test }));

const SENIOR = /\b(director|vp|vice president|head|chief|ceo|cto|cmo|founder)\b/i;
const SENIOR_FOR_MANAGER = /\b(director|vp|vice president|head|chief)\b/i;
const FIT = [
  ['director-or-above', 15, (t) => SENIOR.test(t.title ?? '')],
  ['manager', 5, (t) => /\bmanager\b/i.test(t.title ?? '') && !SENIOR_FOR_MANAGER.test(t.title ?? '')],
  ['employees-1000-plus', 12, (t) => t.employees >= 1000],
  ['employees-100-999', 6, (t) => t.employees >= 100 && t.employees < 1000],
  ['target-industry', 5, (t) => ['Software', 'SaaS', 'Financial Services'].includes(t.industry)],
  ['target-country', 3, (t) => ['US', 'GB', 'DE', 'FR', 'CA'].includes(t.country)],
  ['free-email', -15, (t) => /@(gmail|yahoo|hotmail)\.com$/.test(t.email ?? '')],
  ['student', -20, (t) => (t.email ?? '').endsWith('.edu') || /\bstudent\b/i.test(t.title ?? '')],
  ['competitor', -40, (t) => (t.email ?? '').endsWith('@rivalsoft.example')],
  ['has-phone', 2, (t) => typeof t.phone === 'string' && t.phone.trim() !== ''],
].map(([id, points, test]) => ({ id, points, test }));

export const GROUPS = { engagement: [-Infinity, 30], intent: [-Infinity, 60], fit: [-40, 50] };
const KEPT_TRAITS = ['title', 'employees', 'industry', 'country', 'email', 'phone'];
const STAGES = ['anonymous', 'known', 'mql'];

export const round2 = (x) => Math.round(x * 100) / 100 || 0;
const clamp = (x, [lo, hi]) => Math.min(hi, Math.max(lo, x));

/** The event digested once, shared by every predicate. */
export function view(e) {
  const page = e.type === 'page';
  const props = e.properties ?? {};
  let path = '';
  let query = null;
  if (page) {
    path = props.path ?? '';
    const url = props.url ?? '';
    const q = url.indexOf('?');
    if (q >= 0) query = new URLSearchParams(url.slice(q + 1));
  }
  return { type: e.type, path, query, name: e.type === 'track' ? e.event : undefined, props };
}

const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];
const hostOf = (u) => {
  try {
    return new URL(u).hostname.toLowerCase();
  } catch {
    return null;
  }
};
/** An event's campaign as one comparable key ('' for none) and whether its referrer is outside. */
function sourceOf(e) {
  const props = e.properties ?? {};
  const url = props.url ?? '';
  const q = url.indexOf('?');
  const query = q >= 0 ? new URLSearchParams(url.slice(q + 1).split('#')[0]) : null;
  const parts = UTM.map((k) => query?.get(k) ?? '');
  const utm = parts.some((x) => x !== '') ? parts.join('\u0000') : '';
  const ref = props.referrer ?? '';
  const refHost = ref ? hostOf(ref) : null;
  const outside = ref !== '' && !(refHost !== null && refHost === hostOf(url));
  return { utm, outside };
}

function newVisitor() {
  return {
    seen: new Set(), userId: null, traits: {}, fit: 0, lastSeen: null, sessions: 0, sessionStarts: [], lastUtm: '',
    rules: new Map(), stage: 0,
  };
}

function fitPoints(traits) {
  let fit = 0;
  for (const r of FIT) if (r.test(traits)) fit += r.points;
  return fit;
}

/** Decayed score of a visitor at `asOf`, the same arithmetic the model describes. */
export function scoreOf(v, asOf) {
  const sums = { engagement: 0, intent: 0 };
  for (const r of BEHAVIOUR) {
    const s = v.rules.get(r.id);
    if (s && s.t !== null) sums[r.group] += s.acc * 0.5 ** (Math.max(0, asOf - s.t) / r.halfLife);
  }
  const engagement = clamp(sums.engagement, GROUPS.engagement) + clamp(sums.intent, GROUPS.intent);
  const fit = clamp(v.fit, GROUPS.fit);
  return round2(clamp(fit + engagement, [0, 100]));
}

/**
 * Book-keeping around a matcher: dedupe, identity, sessions, caps, decay, stages. The caller
 * decides which behaviour rules an event matches (plain JS calls the predicates; the
 * json-rules-engine variant asks its engine) and passes their ids to `apply`. `fitOf: null` leaves
 * fit points to the caller.
 */
export function createScorer({ fitOf = fitPoints } = {}) {
  const visitors = [];
  const byId = new Map();
  const behaviourById = new Map(BEHAVIOUR.map((r) => [r.id, r]));

  function visitorFor(e) {
    const uk = e.userId != null ? `u:${e.userId}` : null;
    const ak = e.anonymousId != null ? `a:${e.anonymousId}` : null;
    let v = (uk && byId.get(uk)) ?? (ak && byId.get(ak));
    if (!v) visitors.push((v = newVisitor()));
    if (uk && !byId.has(uk)) byId.set(uk, v);
    if (ak && !byId.has(ak)) byId.set(ak, v);
    return v;
  }

  /** Folds the matched rules of one event in, then checks the stages; returns the total. */
  function apply(v, e, ts, matchedIds) {
    const day = Math.floor(ts / DAY);
    for (const id of matchedIds) {
      const r = behaviourById.get(id);
      let s = v.rules.get(id);
      if (!s) v.rules.set(id, (s = { counted: 0, day: -1, dayCount: 0, session: -1, sessionCount: 0, acc: 0, t: null }));
      if (s.session !== v.sessions) { s.session = v.sessions; s.sessionCount = 0; }
      if (s.day !== day) { s.day = day; s.dayCount = 0; }
      const c = r.cap;
      if ((c.total !== undefined && s.counted >= c.total) || (c.perDay !== undefined && s.dayCount >= c.perDay)
        || (c.perSession !== undefined && s.sessionCount >= c.perSession)) continue;
      s.counted++; s.dayCount++; s.sessionCount++;
      s.acc = s.t === null ? r.points : s.acc * 0.5 ** ((ts - s.t) / r.halfLife) + r.points;
      s.t = ts;
    }
    const total = scoreOf(v, ts);
    const known = v.userId !== null || (typeof v.traits.email === 'string' && v.traits.email.trim() !== '');
    const since = ts - 30 * DAY;
    const mql = total >= 50 && v.traits.employees >= 100 && v.sessionStarts.filter((t) => t >= since).length >= 2;
    const reached = mql ? 2 : known ? 1 : 0;
    if (reached > v.stage) v.stage = reached;
    return total;
  }

  /** Everything before matching: dedupe, identity, traits, session. False for a duplicate. */
  function prepare(e, ts) {
    const v = visitorFor(e);
    if (v.seen.has(e.messageId)) return null;
    v.seen.add(e.messageId);
    if (e.userId != null) v.userId = e.userId;
    if (e.type === 'identify' && e.traits) {
      let changed = false;
      for (const k of KEPT_TRAITS) if (k in e.traits) { v.traits[k] = e.traits[k]; changed = true; }
      if (changed && fitOf) v.fit = fitOf(v.traits);
    }
    // A visit starts after SESSION_MS idle, or in order with a campaign other than the last
    // touch's; a direct visit keeps the last touch's campaign (the engine's src/attribution.rs).
    const { utm, outside } = sourceOf(e);
    const inOrder = v.lastSeen === null || ts >= v.lastSeen;
    const newCampaign = inOrder && utm !== '' && utm !== v.lastUtm;
    if (v.lastSeen === null || ts - v.lastSeen >= SESSION_MS || newCampaign) {
      if (inOrder && (utm !== '' || outside)) v.lastUtm = utm;
      v.sessions++;
      v.sessionStarts.push(ts);
      if (v.sessionStarts.length > 8) v.sessionStarts.shift();
    }
    v.lastSeen = v.lastSeen === null ? ts : Math.max(v.lastSeen, ts);
    return v;
  }

  function summary(asOf) {
    let known = 0, mql = 0, scoreSum = 0;
    for (const v of visitors) {
      if (STAGES[v.stage] === 'known') known++;
      if (STAGES[v.stage] === 'mql') mql++;
      scoreSum += scoreOf(v, asOf);
    }
    return { visitors: visitors.length, known, mql, scoreSum: round2(scoreSum) };
  }

  return { prepare, apply, summary };
}

/** The hand-written scorer: predicates called directly. */
export function createPlainScorer() {
  const s = createScorer();
  return {
    ingest(e) {
      const ts = Date.parse(e.timestamp);
      const v = s.prepare(e, ts);
      if (!v) return;
      const vw = view(e);
      const ids = [];
      for (const r of BEHAVIOUR) if (r.test(vw)) ids.push(r.id);
      s.apply(v, e, ts, ids);
    },
    summary: s.summary,
  };
}

export { BEHAVIOUR, FIT, KEPT_TRAITS };
