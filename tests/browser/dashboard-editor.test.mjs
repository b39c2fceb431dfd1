// The model editor in real Chromium: a nested condition built through the recursive builder
// (scores checked against the engine from the Node package), stage criteria and handoff routing
// edited through their forms, an invalid nested value reported at its own field, and every
// fixture model (plus one using every subject, test and setting the engine accepts) round-tripped
// through every form unchanged. Screenshots go to target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { closeDashboard, openDashboard, openView } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'target/screenshots');
mkdirSync(shots, { recursive: true });
const { Engine } = createRequire(import.meta.url)(join(root, 'pkg/node/baton.js'));
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

/** Valid, and uses every subject, test, value type and setting the engine accepts. */
const EVERY = {
  id: 'every-condition', version: '2', name: 'Every condition', description: '  spaced  ',
  sessionTimeoutMinutes: 45,
  decay: { linearPercent: 10, periodDays: 7 },
  groups: { engagement: { min: 0, max: 50, description: 'reading' }, intent: {}, fit: { min: -30 } },
  limits: { total: { max: 120 } },
  grades: { A: 30, B: 10 },
  rules: [
    { id: 'types', points: 1, when: { type: ['page', 'screen'] }, cap: { once: false, perSession: 2, perDay: 3, total: 9 } },
    { id: 'type-one', kind: 'behaviour', points: 1, when: { type: 'track' }, decay: 'none' },
    { id: 'paths', group: 'intent', points: 2, when: { any: [{ path: ['/pricing'] }, { pathPrefix: '/docs/' }, { url: '*example.com/*?x=1' }, { referrer: ['*google.*', '*bing.*'] }] }, decay: { halfLifeDays: 12.5 } },
    { id: 'events', points: 3, when: { all: [{ event: 'Webinar *' }, { not: { not: { property: 'asset.type', in: ['pdf', 5, true] } } }, { query: 'utm_source', equals: 'linkedin' }] }, cap: { once: true } },
    { id: 'props', points: 1.5, when: { any: [{ property: 'properties.size', gte: 1, lt: 10.5 }, { property: 'x', gt: -3, lte: 0 }, { property: 'flag', equals: true }, { property: 'n', equals: 100 }, { property: 's', equals: '100' }, { property: 'c', contains: 'a', startsWith: 'b', endsWith: 'c' }, { property: 'e', exists: false }] } },
    { id: 'deep', points: -2, when: { all: [{ any: [{ all: [{ not: { any: [{ identified: false }, { trait: 'email', exists: true }] } }] }] }] } },
    { id: 'fit-words', kind: 'fit', points: 4, when: { trait: 'title', containsWord: ['VP'] } },
    { id: 'fit-one-word', kind: 'fit', group: 'fit', points: 4, when: { all: [{ trait: 'title', containsWord: 'Head of' }, { identified: true }] } },
  ],
  stages: {
    mql: { all: [{ score: 'total', gte: 20, lt: 500 }, { score: 'intent', gt: 1 }, { matches: ['events', 'paths'], atLeast: 2, withinDays: 0.5 }, { matches: 'types', atLeast: 1 }, { visits: 2 }, { visits: 1, withinDays: 30 }, { not: { trait: 'country', in: ['XX'] } }] },
    known: { trait: 'email', exists: true },
    sal: { any: [{ score: 'fit', lte: 100 }] },
  },
  handoff: {
    stage: 'mql', endpoint: '/intake', include: ['ledger', 'traits'],
    routing: { rules: [{ when: { all: [{ trait: 'employees', gte: 1000 }, { any: [{ trait: 'country', equals: 'DE' }, { not: { identified: false } }] }] }, owner: 'a@x.example' }, { when: { trait: 'industry', in: ['SaaS'] }, team: 'saas' }], reps: 'solo@x.example' },
    retry: { maxAttempts: 3, leaseSeconds: 60 },
  },
};

let srv;
let browser;
let page;

before(async () => {
  ({ srv, browser, page } = await openDashboard({ timeout: 30_000, path: '/dashboard/#model' }));
  await page.waitForSelector('.bt-view[data-view="model"][data-ready="1"]');
});

after(async () => {
  await closeDashboard({ browser, srv });
});

const view = (name) => openView(page, name);

async function shot(name) {
  await page.screenshot({ path: join(shots, `editor-${name}.png`), fullPage: true });
}

const rev = () => page.$eval('#bt-model-editor', (el) => Number(el.dataset.rev));

/** Clicks something that makes the editor apply and redraw, and waits for the redraw. */
async function applying(selector) {
  const before = await rev();
  await page.click(selector);
  await page.waitForFunction((n) => Number(document.querySelector('#bt-model-editor')?.dataset.rev) > n, before);
}

async function applyJson(model) {
  await page.fill('#bt-model-json', JSON.stringify(model, null, 2));
  await applying('#bt-json-apply');
}

const modelText = () => page.inputValue('#bt-model-json');
const modelJson = async () => JSON.parse(await modelText());
const node = (path) => `[data-node-path="${path}"]`;

/** Sets an input or select found inside a node and fires its change event. */
async function set(selector, value) {
  const el = await page.waitForSelector(selector);
  if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(String(value));
  else {
    await el.fill(String(value));
    await el.dispatchEvent('change');
  }
}

test('every fixture model round-trips through every form unchanged', async () => {
  const files = [
    ...readdirSync(join(root, 'tests/fixtures/models')).filter((f) => f.endsWith('.json')).map((f) => join(root, 'tests/fixtures/models', f)),
    ...readdirSync(join(root, 'tests/fixtures/scenarios')).filter((f) => f.endsWith('.model.json')).map((f) => join(root, 'tests/fixtures/scenarios', f)),
  ];
  assert.ok(files.length >= 2, files.join(','));
  const models = [...files.map((f) => [f.slice(root.length + 1), readJson(f)]), ['EVERY', EVERY]];
  for (const [name, model] of models) {
    assert.deepEqual(Engine.validate(model), [], `${name} is a valid model`);
    await applyJson(model);
    await page.waitForSelector('#bt-valid');
    const text = await modelText();
    const hash = await page.textContent('#bt-valid');
    assert.deepEqual(JSON.parse(text), model, name);
    for (let i = 0; i < model.rules.length; i++) {
      await applying(`#bt-rules tbody tr:nth-child(${i + 1}) button[name="edit"]`);
      // Every valid condition is editable field by field: no JSON fallback.
      assert.equal(await page.$$eval('#bt-rule-form .bt-cond-raw', (els) => els.length), 0, `${name} rules[${i}] needs no JSON`);
      await applying('#bt-rule-save');
    }
    assert.equal(await page.$$eval('.bt-cond-raw', (els) => els.length), 0, `${name}: stages and routing need no JSON`);
    await applying('#bt-stages-apply');
    if (model.handoff) await applying('#bt-handoff-apply');
    await applying('#bt-scoring-apply');
    await page.waitForSelector('#bt-valid');
    assert.equal(await modelText(), text, `${name}: same JSON text (keys in order) after every form applied`);
    assert.equal(await page.textContent('#bt-valid'), hash);
    if (name === 'EVERY') {
      await applying('#bt-rules tr[data-rule="events"] button[name="edit"]');
      await shot('every-condition');
    }
  }
  assert.deepEqual(page.errors, []);
});

/** A few visitors, each aimed at one branch of the nested condition built below (or none). */
function journeys() {
  const t0 = Date.parse('2024-03-04T09:00:00Z');
  let n = 0;
  const ev = (anonymousId, e) => ({ messageId: `ed-${++n}`, anonymousId, timestamp: new Date(t0 + n * 60_000).toISOString(), ...e });
  return [
    // A live webinar: the all-of branch.
    ev('v-live', { type: 'identify', traits: { email: 'live@northwind.example', country: 'DE', title: 'VP Marketing' } }),
    ev('v-live', { type: 'track', event: 'Webinar Attended', properties: { format: 'live' } }),
    ev('v-live', { type: 'page', properties: { path: '/pricing' } }),
    // A recorded webinar from France: neither branch.
    ev('v-recorded', { type: 'identify', traits: { email: 'rec@globex.example', country: 'FR' } }),
    ev('v-recorded', { type: 'track', event: 'Webinar Attended', properties: { format: 'recorded' } }),
    // Outside DE/FR: the not branch, on every event.
    ev('v-abroad', { type: 'identify', traits: { email: 'abroad@initech.example', country: 'US', employees: 800 } }),
    ev('v-abroad', { type: 'page', properties: { path: '/pricing' } }),
    ev('v-abroad', { type: 'page', properties: { path: '/blog/a' } }),
    // Germany, no webinar: neither branch.
    ev('v-home', { type: 'identify', traits: { email: 'home@umbrella.example', country: 'DE' } }),
    ev('v-home', { type: 'page', properties: { path: '/blog/b' } }),
  ];
}

/** The score the engine (Node package) gives each visitor's journey under `model`, as shown. */
function engineScores(model, events) {
  const out = {};
  const asOf = Date.parse('2024-06-01T00:00:00Z');
  for (const id of new Set(events.map((e) => e.anonymousId))) {
    const engine = new Engine(model);
    for (const e of events.filter((x) => x.anonymousId === id)) engine.ingest(e, Date.parse(e.timestamp));
    out[id] = engine.score(asOf).total.toFixed(1);
    engine.free();
  }
  return out;
}

/** Score column of the leads table by the lead's email. */
async function shownScores() {
  await view('leads');
  await page.waitForSelector('#bt-leads-body .bt-vt-row');
  const rows = await page.$$eval('#bt-leads-body .bt-vt-row', (rs) => rs.map((r) => [r.children[0].getAttribute('title'), r.children[2].textContent]));
  return Object.fromEntries(rows);
}

test('a nested condition built in the builder scores as the engine says', async () => {
  // Undecayed points, so the dashboard's "now" and the test's agree on every score.
  const base = structuredClone(readJson(join(root, 'tests/fixtures/models/demo.model.json')));
  delete base.$schema;
  base.decay = 'none';
  for (const r of base.rules) delete r.decay;
  await view('model');
  await applyJson(base);
  await page.waitForSelector('#bt-valid');
  const events = journeys();
  const file = join(shots, '..', 'editor-journeys.jsonl');
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  await view('imports');
  await page.click('#bt-clear-data');
  await page.setInputFiles('#bt-events-file', file);
  await page.selectOption('#bt-events-format', 'auto');
  await page.click('#bt-events-import');
  await page.waitForSelector('#bt-events-result .bt-import-report');
  const emailOf = Object.fromEntries(events.filter((e) => e.traits).map((e) => [e.anonymousId, e.traits.email]));
  const byEmail = (scores) => Object.fromEntries(Object.entries(scores).map(([id, s]) => [emailOf[id], s]));
  const before = await shownScores();
  assert.deepEqual(before, byEmail(engineScores(base, events)), 'the dashboard shows the engine\'s scores');

  await view('model');
  const n = base.rules.length;
  const w = `rules[${n}].when`;
  await applying('#bt-rule-add');
  await set('#bt-rule-form input[name="id"]', 'webinar-or-abroad');
  await set('#bt-rule-form input[name="points"]', '7');
  // The new rule's single condition becomes a group, then "any of".
  await page.click(`${node(w)} button[name="wrap"]`);
  await set(`${node(w)} > .bt-cond-head > select[name="group-op"]`, 'any');
  // First branch: all of [event name Webinar *, property format equals live].
  await page.click(`${node(`${w}.any[0]`)} button[name="wrap"]`);
  await set(`${node(`${w}.any[0].all[0]`)} input[name="pattern-item"]`, 'Webinar *');
  await page.click(`${node(`${w}.any[0]`)} > .bt-cond-add button[name="add-condition"]`);
  await set(`${node(`${w}.any[0].all[1]`)} select[name="subject"]`, 'property');
  await set(`${node(`${w}.any[0].all[1]`)} input[name="name"]`, 'format');
  await set(`${node(`${w}.any[0].all[1]`)} input[name="value"]`, 'live');
  // Second branch: not [trait country is one of DE, FR].
  await page.click(`${node(w)} > .bt-cond-add button[name="add-group"]`);
  await set(`${node(`${w}.any[1]`)} > .bt-cond-head > select[name="group-op"]`, 'not');
  const leaf = node(`${w}.any[1].not`);
  await set(`${leaf} select[name="subject"]`, 'trait');
  await set(`${leaf} input[name="name"]`, 'country');
  await set(`${leaf} select[name="op"]`, 'in');
  await set(`${leaf} input[name="value-item"]`, 'DE');
  await page.click(`${leaf} button[name="value-add"]`);
  await set(`${leaf} .bt-list-chip:nth-child(2) input[name="value-item"]`, 'FR');
  await shot('nested-builder');
  await page.locator('#bt-rule-form').screenshot({ path: join(shots, 'editor-nested-builder-form.png') });
  await applying('#bt-rule-save');
  await page.waitForSelector('#bt-valid');
  const model = await modelJson();
  assert.deepEqual(model.rules[n], {
    id: 'webinar-or-abroad', points: 7,
    when: { any: [{ all: [{ event: 'Webinar *' }, { property: 'format', equals: 'live' }] }, { not: { trait: 'country', in: ['DE', 'FR'] } }] },
  });
  assert.match(await page.textContent(`#bt-rules tr[data-rule="webinar-or-abroad"]`), /\(event = Webinar \* and property format equals live\) or not trait country is one of DE, FR/);
  await page.fill('#bt-version-note', 'nested webinar rule');
  await page.click('#bt-version-save');
  await page.waitForSelector('text=Saved version');

  const after = await shownScores();
  const expected = byEmail(engineScores(model, events));
  assert.deepEqual(after, expected, 'the dashboard shows the engine\'s scores under the edited model');
  for (const email of ['live@northwind.example', 'abroad@initech.example']) assert.notEqual(after[email], before[email], `${email} gains points`);
  for (const email of ['rec@globex.example', 'home@umbrella.example']) assert.equal(after[email], before[email], `${email} is untouched`);
  assert.deepEqual(page.errors, []);
});

test('stage criteria and handoff routing are edited through their forms', async () => {
  const demo = readJson(join(root, 'tests/fixtures/models/demo.model.json'));
  delete demo.$schema;
  await view('model');
  await applyJson(demo);
  await page.waitForSelector('#bt-valid');
  // MQL at 40 points instead of 50; "known" also after 3 visits.
  await set(`${node('stages.mql.all[0]')} input[name="value"]`, '40');
  await page.click(`${node('stages.known')} > .bt-cond-add button[name="add-condition"]`);
  await set(`${node('stages.known.any[2]')} select[name="subject"]`, 'visits');
  await set(`${node('stages.known.any[2]')} input[name="visits"]`, '3');
  await applying('#bt-stages-apply');
  await page.waitForSelector('#bt-valid');
  let model = await modelJson();
  assert.deepEqual(model.stages.mql.all[0], { score: 'total', gte: 40 });
  assert.deepEqual(model.stages.known.any, [...demo.stages.known.any, { visits: 3, withinDays: 30 }]);
  assert.deepEqual({ ...model, stages: demo.stages }, demo, 'nothing else changed');

  // Routing: the EMEA rule first and renamed, a new rule for very large companies, a fourth rep,
  // a shorter SLA and fewer delivery attempts.
  await page.click('#bt-handoff [data-route="1"] button[name="route-up"]');
  await set('#bt-handoff [data-route="0"] input[name="route-team"]', 'europe');
  await page.click('#bt-route-add');
  const r2 = node('handoff.routing.rules[2].when');
  await set(`${r2} input[name="name"]`, 'employees');
  await set(`${r2} select[name="op"]`, 'gte');
  await set(`${r2} input[name="value"]`, '5000');
  await set('#bt-handoff [data-route="2"] input[name="route-owner"]', 'strategic@baton.example');
  await set('#bt-handoff [data-route="2"] input[name="route-team"]', 'strategic');
  await page.click('#bt-handoff button[name="rep-add"]');
  await set('#bt-handoff .bt-list-chip:nth-child(4) input[name="rep-item"]', 'dana@baton.example');
  await set('#bt-handoff input[name="slaMinutes"]', '30');
  await set('#bt-handoff input[name="retry-maxAttempts"]', '5');
  await page.locator('#bt-handoff').screenshot({ path: join(shots, 'editor-handoff-form.png') });
  await applying('#bt-handoff-apply');
  await page.waitForSelector('#bt-valid');
  model = await modelJson();
  const [enterprise, emea] = demo.handoff.routing.rules;
  assert.deepEqual(model.handoff, {
    ...demo.handoff,
    slaMinutes: 30,
    routing: {
      ...demo.handoff.routing,
      rules: [{ ...emea, team: 'europe' }, enterprise, { when: { trait: 'employees', gte: 5000 }, team: 'strategic', owner: 'strategic@baton.example' }],
      reps: [...demo.handoff.routing.reps, 'dana@baton.example'],
    },
    retry: { ...demo.handoff.retry, maxAttempts: 5 },
  });
  await shot('stages-handoff');

  // The engine routes as the form says: a German director at a 2,000-person company now goes to
  // "europe" (the EMEA rule comes first), at 40 points.
  const engine = new Engine(model);
  let t = Date.parse('2024-03-04T09:00:00Z');
  const visit = (e) => engine.ingest({ anonymousId: 'v-de', messageId: `de-${t}`, timestamp: new Date(t).toISOString(), ...e }, (t += 3_600_000));
  visit({ type: 'identify', userId: 'de@example.com', traits: { email: 'de@example.com', title: 'Director of Sales', employees: 2000, country: 'DE' } });
  const handoffs = [];
  for (let i = 0; i < 4; i++) {
    handoffs.push(...visit({ type: 'page', properties: { path: '/pricing' } }).handoffs);
    t += 2 * 3_600_000; // a new visit each time
    handoffs.push(...visit({ type: 'track', event: 'Asset Downloaded', properties: { path: '/resources/guide.pdf', category: 'case-study' } }).handoffs);
  }
  engine.free();
  assert.equal(handoffs.length, 1, 'one handoff');
  assert.equal(handoffs[0].routing.team, 'europe');
  assert.equal(handoffs[0].followUpBy - handoffs[0].enteredAt, 30 * 60_000);
  assert.deepEqual(page.errors, []);
});

/** The problem shown next to the field with this data-path (inside `scope`), or null. */
const errorAt = (scope, path) => page.evaluate(([s, p]) => {
  const field = [...document.querySelectorAll(`${s} [data-path]`)].find((el) => el.dataset.path === p);
  const next = field?.nextElementSibling;
  return next?.classList.contains('bt-error') && field.classList.contains('bt-input-error') ? next.textContent : null;
}, [scope, path]);

test('an invalid nested value shows its problem at that field and the model-level list', async () => {
  const demo = readJson(join(root, 'tests/fixtures/models/demo.model.json'));
  delete demo.$schema;
  await view('model');
  await applyJson(demo);
  await page.waitForSelector('#bt-valid');
  // rules[4] (resource-download): all of [event, any of [property path starts with ..., ...]].
  await applying('#bt-rules tr[data-rule="resource-download"] button[name="edit"]');
  const startsWith = 'rules[4].when.all[1].any[0].startsWith';
  await set(`${node('rules[4].when.all[1].any[0]')} input[name="value"]`, '');
  await set(`${node('rules[4].when.all[1].any[1]')} select[name="op"]`, 'gte');
  await applying('#bt-rule-save');
  await page.waitForSelector('#bt-problems');
  assert.equal(await errorAt('#bt-rule-form', startsWith), `${startsWith}: must not be empty`);
  // Switching "contains" to ≥ keeps no number from "/resources/": the field says so.
  assert.match(await errorAt('#bt-rule-form', 'rules[4].when.all[1].any[1].gte'), /^rules\[4\]\.when\.all\[1\]\.any\[1\]\.gte: /);
  // A stage criterion and a routing rule, nested too.
  await set(`${node('stages.mql.all[1]')} input[name="atLeast"]`, '0');
  await applying('#bt-stages-apply');
  await set(`${node('handoff.routing.rules[1].when')} .bt-list-chip:nth-child(2) input[name="value-item"]`, '');
  await page.click(`${node('handoff.routing.rules[1].when')} .bt-list-chip:nth-child(2) select[name="value-item-type"]`);
  await set(`${node('handoff.routing.rules[1].when')} .bt-list-chip:nth-child(2) select[name="value-item-type"]`, 'number');
  await set('#bt-handoff input[name="retry-maxDelaySeconds"]', '1');
  await applying('#bt-handoff-apply');
  await page.waitForSelector('#bt-problems');
  assert.match(await errorAt('#bt-stages', 'stages.mql.all[1].atLeast'), /stages\.mql\.all\[1\]\.atLeast: must be a whole number/);
  assert.match(await errorAt('#bt-handoff', 'handoff.routing.rules[1].when.in[1]'), /handoff\.routing\.rules\[1\]\.when\.in\[1\]: must be a string, number or boolean/);
  assert.match(await errorAt('#bt-handoff', 'handoff.retry'), /baseDelaySeconds is greater than maxDelaySeconds/);
  // The rule form's problems survived the other sections' applies, and the list names them all.
  assert.equal(await errorAt('#bt-rule-form', startsWith), `${startsWith}: must not be empty`);
  const listed = await page.$$eval('#bt-problems li', (lis) => lis.map((li) => li.dataset.problemPath));
  for (const p of [startsWith, 'rules[4].when.all[1].any[1].gte', 'stages.mql.all[1].atLeast', 'handoff.routing.rules[1].when.in[1]', 'handoff.retry']) assert.ok(listed.includes(p), `${p} in ${listed}`);
  // With the form closed the rule's row carries its problems; a click on one in the list opens
  // the rule at that field.
  await applying('#bt-rule-close');
  assert.match(await page.textContent('#bt-rules tr[data-rule="resource-download"] .bt-when-cell'), /startsWith: must not be empty/);
  await page.click(`#bt-problems li[data-problem-path="${startsWith}"]`);
  await page.waitForSelector('#bt-rule-form');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.path), startsWith);
  await shot('invalid-nested');
  await page.locator('#bt-rule-form').screenshot({ path: join(shots, 'editor-invalid-nested-form.png') });
  // Fixing the value clears its problem.
  await set(`${node('rules[4].when.all[1].any[0]')} input[name="value"]`, '/resources/');
  await applying('#bt-rule-save');
  assert.equal(await errorAt('#bt-rule-form', startsWith), null);
  assert.ok(!(await page.$$eval('#bt-problems li', (lis) => lis.map((li) => li.dataset.problemPath))).includes(startsWith));
  assert.deepEqual(page.errors, []);
});

test('untrusted text in rule names and values is shown as text, never run', async () => {
  const xss = '<img src=x onerror="window.__xss=1">';
  const demo = readJson(join(root, 'tests/fixtures/models/demo.model.json'));
  delete demo.$schema;
  await view('model');
  await applyJson(demo);
  await applying('#bt-rules tr[data-rule="pricing-page"] button[name="edit"]');
  await set('#bt-rule-form input[name="id"]', xss);
  await set(`${node('rules[3].when.all[1]')} input[name="pattern-item"]`, `/x${xss}`);
  await applying('#bt-rule-save');
  await page.waitForSelector('#bt-problems');
  const text = await page.textContent('#bt-model-editor');
  assert.ok(text.includes(xss), 'shown as text');
  await page.fill('#bt-model-json', (await modelText()).replace('"version"', `"</textarea><script>window.__xss=2</script>": 1, "version"`));
  await applying('#bt-json-apply');
  await shot('xss');
  const state = await page.evaluate(() => ({ xss: window.__xss, nodes: document.querySelectorAll('#bt-model-editor img, #bt-model-editor script').length }));
  assert.deepEqual(state, { xss: undefined, nodes: 0 });
  assert.deepEqual(page.errors, []);
});

test('conditions and groups move, nest, ungroup and switch to JSON and back', async () => {
  const demo = readJson(join(root, 'tests/fixtures/models/demo.model.json'));
  delete demo.$schema;
  await view('model');
  await applyJson(demo);
  // rules[10] (manager): all of [title has Manager, not [title has Director, VP, ...]].
  await applying('#bt-rules tr[data-rule="manager"] button[name="edit"]');
  const w = 'rules[10].when';
  const [hasManager, notSenior] = demo.rules[10].when.all;
  await page.click(`${node(`${w}.all[0]`)} button[name="move-down"]`);
  assert.ok(await page.$(`${node(`${w}.all[0]`)}[data-group="not"]`), 'the not group moved up');
  // Into a group of its own, then back out of it: the emptied group is removed.
  await page.click(`${node(`${w}.all[1]`)} button[name="wrap"]`);
  await page.click(`${node(`${w}.all[1].all[0]`)} button[name="move-out"]`);
  assert.ok(await page.$(`${node(`${w}.all[1]`)}[data-group="all"]`), 'the emptied group stays until removed');
  await page.click(`${node(`${w}.all[2]`)} button[name="move-into"]`);
  assert.ok(await page.$(`${node(`${w}.all[1].all[0]`)}[data-subject="trait"]`), 'moved into the group above');
  await page.click(`${node(`${w}.all[1].all[0]`)} button[name="move-out"]`);
  await page.click(`${node(`${w}.all[1]`)} > .bt-cond-head button[name="remove"]`);
  // "not" over two conditions groups them first; ungrouping gives them back.
  await set(`${node(w)} > .bt-cond-head > select[name="group-op"]`, 'not');
  assert.ok(await page.$(`${node(`${w}.not`)}[data-group="all"]`));
  await page.click(`${node(w)} > .bt-cond-head button[name="unwrap"]`);
  // Changing a test converts its value (a word list becomes one text); a second test is added.
  await set(`${node(`${w}.all[1]`)} select[name="op"]`, 'contains');
  await set(`${node(`${w}.all[1]`)} input[name="value"]`, 'Manager');
  await page.click(`${node(`${w}.all[1]`)} button[name="add-test"]`);
  await set(`${node(`${w}.all[1]`)} .bt-test:nth-child(2) select[name="op"]`, 'exists');
  // Power users: the same condition as JSON, edited, and back in the builder.
  await page.click('#bt-rule-form button[name="cond-json"]');
  const text = await page.inputValue('#bt-rule-form textarea[name="cond-json-text"]');
  const edited = JSON.parse(text);
  assert.deepEqual(edited, { all: [notSenior, { trait: 'title', contains: 'Manager', exists: true }] });
  edited.all.push({ trait: 'seniority', in: ['manager', 3, false] });
  await page.fill('#bt-rule-form textarea[name="cond-json-text"]', JSON.stringify(edited));
  await page.click('#bt-rule-form button[name="cond-json"]');
  assert.equal(await page.inputValue(`${node(`${w}.all[2]`)} .bt-list-chip:nth-child(2) input[name="value-item"]`), '3');
  await page.locator('#bt-rule-form').screenshot({ path: join(shots, 'editor-restructured-form.png') });
  await applying('#bt-rule-save');
  await page.waitForSelector('#bt-valid');
  assert.deepEqual((await modelJson()).rules[10].when, edited);
  assert.notDeepEqual(edited.all[1], hasManager);
  assert.deepEqual(page.errors, []);
});
