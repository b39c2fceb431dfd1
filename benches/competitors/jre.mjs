// COMPETITOR, benchmark only: the 30 rules of benches/model30.json expressed in json-rules-engine's
// format (npm `json-rules-engine`), with the same book-keeping as the hand-written version around it
// (caps, decay, sessions, stages: json-rules-engine only decides which rules match). Never used by
// the product.
//
// One engine holds the 20 behaviour rules and runs once per event; a second holds the 10 fit rules
// and runs only when an identify changes the traits. benches/throughput.mjs checks the results.

import { Engine } from 'json-rules-engine';
import { createScorer, view } from './plain.mjs';

const is = (fact, value) => ({ fact, operator: 'equal', value });
const prefix = (fact, value) => ({ fact, operator: 'startsWith', value });
const query = (key, value) => ({ fact: 'query', path: `$.${key}`, operator: 'equal', value });
const prop = (key, operator, value) => ({ fact: 'properties', path: `$.${key}`, operator, value });
const trait = (key, operator, value) => ({ fact: 'traits', path: `$.${key}`, operator, value });

/** [id, points, conditions] — caps, groups and decay live in the shared book-keeping. */
const BEHAVIOUR_RULES = [
  ['page-view', 1, { all: [is('type', 'page')] }],
  ['blog-post', 2, { all: [is('type', 'page'), prefix('path', '/blog/')] }],
  ['pricing-page', 10, { all: [is('type', 'page'), is('path', '/pricing')] }],
  ['docs-page', 1, { all: [prefix('path', '/docs/')] }],
  ['case-study-page', 4, { all: [prefix('path', '/case-studies/')] }],
  ['integrations-page', 3, { all: [prefix('path', '/integrations/')] }],
  ['security-page', 5, { all: [is('path', '/security')] }],
  ['contact-page', 8, { all: [is('path', '/contact')] }],
  ['careers-page', -10, { any: [is('path', '/careers'), prefix('path', '/careers/')] }],
  ['linkedin-campaign', 3, { all: [query('utm_source', 'linkedin')] }],
  ['paid-search', 2, { all: [query('utm_medium', 'cpc'), query('utm_source', 'google')] }],
  ['newsletter-click', 2, { all: [query('utm_medium', 'email')] }],
  ['resource-download', 3, { all: [is('event', 'Asset Downloaded'), prop('path', 'startsWith', '/resources/')] }],
  ['case-study-download', 5, { all: [is('event', 'Asset Downloaded'), prop('category', 'equal', 'case-study')] }],
  ['demo-request', 30, { all: [is('event', 'Demo Requested')] }],
  ['webinar-registered', 8, { all: [is('event', 'Webinar Registered')] }],
  ['video-played', 2, { all: [is('event', 'Video Played'), prop('percent', 'greaterThanInclusive', 50)] }],
  ['pricing-calculator', 6, { all: [is('event', 'Pricing Calculator Used')] }],
  ['trial-started', 20, { all: [is('event', 'Trial Started')] }],
  ['unsubscribed', -20, { all: [is('event', 'Unsubscribed')] }],
];

const SENIOR = ['Director', 'VP', 'Vice President', 'Head', 'Chief', 'CEO', 'CTO', 'CMO', 'Founder'];
const FIT_RULES = [
  ['director-or-above', 15, { all: [trait('title', 'containsWord', SENIOR)] }],
  ['manager', 5, { all: [trait('title', 'containsWord', ['Manager']), { not: trait('title', 'containsWord', SENIOR.slice(0, 5)) }] }],
  ['employees-1000-plus', 12, { all: [trait('employees', 'greaterThanInclusive', 1000)] }],
  ['employees-100-999', 6, { all: [trait('employees', 'greaterThanInclusive', 100), trait('employees', 'lessThan', 1000)] }],
  ['target-industry', 5, { all: [trait('industry', 'in', ['Software', 'SaaS', 'Financial Services'])] }],
  ['target-country', 3, { all: [trait('country', 'in', ['US', 'GB', 'DE', 'FR', 'CA'])] }],
  ['free-email', -15, { any: ['@gmail.com', '@yahoo.com', '@hotmail.com'].map((d) => trait('email', 'endsWith', d)) }],
  ['student', -20, { any: [trait('email', 'endsWith', '.edu'), trait('title', 'containsWord', ['Student'])] }],
  ['competitor', -40, { all: [trait('email', 'endsWith', '@rivalsoft.example')] }],
  ['has-phone', 2, { all: [trait('phone', 'nonEmpty', true)] }],
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordPatterns = new Map();

function newEngine(rules) {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('startsWith', (a, b) => typeof a === 'string' && a.startsWith(b));
  engine.addOperator('endsWith', (a, b) => typeof a === 'string' && a.endsWith(b));
  engine.addOperator('nonEmpty', (a, want) => (typeof a === 'string' && a.trim() !== '') === want);
  engine.addOperator('containsWord', (a, words) => {
    if (typeof a !== 'string') return false;
    const key = words.join('|');
    let re = wordPatterns.get(key);
    if (!re) wordPatterns.set(key, (re = new RegExp(`\\b(${words.map(escape).join('|')})\\b`, 'i')));
    return re.test(a);
  });
  for (const [id, points, conditions] of rules) engine.addRule({ name: id, conditions, event: { type: id, params: { points } } });
  return engine;
}

export function createJreScorer() {
  const behaviour = newEngine(BEHAVIOUR_RULES);
  const fit = newEngine(FIT_RULES);
  const s = createScorer({ fitOf: null });
  return {
    async ingest(e) {
      const ts = Date.parse(e.timestamp);
      const v = s.prepare(e, ts);
      if (!v) return;
      if (e.type === 'identify') {
        const { events } = await fit.run({ traits: v.traits });
        v.fit = events.reduce((sum, ev) => sum + ev.params.points, 0);
      }
      const vw = view(e);
      const facts = {
        type: e.type, path: vw.path, event: vw.name ?? null, properties: vw.props,
        query: vw.query ? Object.fromEntries(vw.query) : {},
      };
      const { events } = await behaviour.run(facts);
      s.apply(v, e, ts, events.map((ev) => ev.type));
    },
    summary: s.summary,
  };
}
