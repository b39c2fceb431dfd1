// Baton dashboard: navigation, the working model, and the shared context every view receives.
// Views live in ./views/*.js and export `render(root, ctx)`.
import { h, clear, fmt } from './dom.js';
import { call, task } from './client.js';

const VIEWS = [
  ['model', 'Model editor', () => import('./views/model.js')],
  ['versions', 'Versions', () => import('./views/versions.js')],
  ['imports', 'Imports', () => import('./views/imports.js')],
  ['leads', 'Leads', () => import('./views/leads.js')],
  ['funnel', 'Funnel', () => import('./views/funnel.js')],
  ['sla', 'SLA', () => import('./views/sla.js')],
  ['rejected', 'Rejected', () => import('./views/rejected.js')],
  ['backtest', 'Backtest', () => import('./views/backtest.js')],
  ['histogram', 'Score histogram', () => import('./views/histogram.js')],
  ['calibrate', 'Calibrate', () => import('./views/calibrate.js')],
];
const DATA_VIEWS = new Set(['leads', 'funnel', 'sla', 'rejected', 'backtest', 'histogram']);
const WORKING_KEY = 'bt:v1:working-model';
export const SAMPLE_SEED = 42;
export const SAMPLE_VISITORS = 1500;

const state = {
  model: null,
  hash: null,
  problems: [],
  asOf: Date.now(),
  summary: { events: 0, outcomes: 0, handoffs: 0 },
  view: 'model',
};

const main = document.getElementById('bt-main');
const nav = document.getElementById('bt-nav');
let renderToken = 0;

function setBadges() {
  const m = state.model ?? {};
  const badge = document.getElementById('bt-model-badge');
  badge.textContent = `${m.name ?? m.id ?? 'model'} · v${m.version ?? '?'} · ${state.hash ? state.hash.slice(0, 10) : 'invalid'}`;
  const s = state.summary;
  document.getElementById('bt-data-badge').textContent =
    `${fmt.int(s.events)} events · ${fmt.int(s.outcomes)} CRM leads · ${fmt.int(s.handoffs)} handoffs`;
}

/** Validates and adopts a model; returns the engine's problems (empty when valid). */
async function setModel(model, { persist = true } = {}) {
  const { problems, hash } = await call('validate', model);
  state.model = model;
  state.problems = problems;
  if (problems.length === 0) {
    state.hash = hash;
    state.validModel = model;
  } else {
    state.hash = null;
  }
  if (persist) localStorage.setItem(WORKING_KEY, JSON.stringify(model));
  setBadges();
  return problems;
}

async function refreshSummary() {
  state.summary = await call('summary');
  setBadges();
  return state.summary;
}

const progressEl = document.getElementById('bt-progress');
/** Runs a cancellable worker task with the progress bar. */
function withProgress(label, method, args) {
  const fill = document.getElementById('bt-progress-fill');
  const text = document.getElementById('bt-progress-text');
  progressEl.hidden = false;
  fill.style.width = '0%';
  text.textContent = label;
  const t = task(method, args, (p) => {
    const pct = p.total ? (p.loaded / p.total) * 100 : 0;
    fill.style.width = `${pct.toFixed(1)}%`;
    const bad = p.report?.rejected ? ` · ${fmt.int(p.report.rejected)} bad` : '';
    text.textContent = `${label}: ${pct.toFixed(0)}% · ${fmt.int(p.report?.imported)} rows${bad}`;
  });
  document.getElementById('bt-progress-cancel').onclick = () => t.cancel();
  return t.promise.finally(() => {
    progressEl.hidden = true;
  });
}

async function loadSample() {
  await withProgress('Generating sample data', 'loadSample', [SAMPLE_SEED, SAMPLE_VISITORS, state.asOf]);
  await refreshSummary();
}

function emptyState(root) {
  root.append(h('div', { class: 'bt-card bt-empty' },
    h('h2', {}, 'No data yet'),
    h('p', { class: 'bt-muted' }, 'Import event exports and CRM outcomes, or explore with generated sample data: realistic journeys from several sources, CRM outcomes with rejection reasons and slow follow-ups.'),
    h('div', { class: 'bt-row', style: 'justify-content:center' },
      h('button', { class: 'bt-btn bt-btn-primary', id: 'bt-load-sample', type: 'button', onclick: async () => { await loadSample(); go(state.view); } }, 'Load sample data'),
      h('button', { class: 'bt-btn', type: 'button', onclick: () => go('imports') }, 'Import files'))));
}

async function go(view) {
  state.view = view;
  if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
  for (const b of nav.children) b.classList.toggle('bt-active', b.dataset.view === view);
  const token = ++renderToken;
  clear(main);
  const entry = VIEWS.find((v) => v[0] === view) ?? VIEWS[0];
  const root = h('div', { class: 'bt-view', dataset: { view: entry[0] } });
  main.append(root);
  root.append(h('h1', { class: 'bt-view-title' }, entry[1]));
  if (DATA_VIEWS.has(entry[0]) && state.summary.events === 0 && state.summary.outcomes === 0 && state.summary.handoffs === 0) {
    emptyState(root);
    root.dataset.ready = '1';
    return;
  }
  if (DATA_VIEWS.has(entry[0]) && !state.hash) {
    root.append(h('div', { class: 'bt-problems' }, 'The model has problems; results use the last valid version. Fix it in the model editor.'));
  }
  // Replaying a large history takes a while the first time a model is used: say so.
  const loading = DATA_VIEWS.has(entry[0]) ? h('p', { class: 'bt-muted bt-loading' }, `Scoring ${fmt.int(state.summary.events)} events…`) : null;
  if (loading) root.append(loading);
  try {
    const mod = await entry[2]();
    if (token !== renderToken) return;
    await mod.render(root, ctx);
  } catch (err) {
    root.append(h('div', { class: 'bt-problems' }, `Error: ${err.message}`));
  }
  loading?.remove();
  root.dataset.ready = '1';
}

export const ctx = {
  state,
  call,
  task,
  setModel,
  refreshSummary,
  withProgress,
  loadSample,
  go,
  /** The model analyses run on: the working model if valid, else the last valid one. */
  model: () => state.validModel ?? state.model,
};

async function start() {
  for (const [id, label] of VIEWS) {
    nav.append(h('button', { type: 'button', dataset: { view: id }, onclick: () => go(id) }, label));
  }
  let model = null;
  try {
    model = JSON.parse(localStorage.getItem(WORKING_KEY) ?? 'null');
  } catch {
    model = null;
  }
  if (!model) {
    const res = await fetch(new URL('../models/demo.model.json', import.meta.url));
    model = await res.json();
    delete model.$schema;
  }
  await setModel(model, { persist: false });
  if (state.problems.length && !state.validModel) {
    // A stored working copy that no longer validates: keep it editable, but analyse with the demo.
    const res = await fetch(new URL('../models/demo.model.json', import.meta.url));
    const demo = await res.json();
    delete demo.$schema;
    const { problems } = await call('validate', demo);
    if (problems.length === 0) state.validModel = demo;
  }
  await refreshSummary();
  const first = location.hash.slice(1);
  await go(VIEWS.some((v) => v[0] === first) ? first : (state.summary.events ? 'leads' : 'model'));
  document.body.dataset.ready = '1';
}

start().catch((err) => {
  main.append(h('div', { class: 'bt-problems' }, `The dashboard could not start: ${err.message}`));
});
