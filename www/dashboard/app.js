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
  /** An event-file import or an undo is running: data calls wait for it, Clear is off. */
  importing: false,
  /** The last event-file import (kept across views): `{ status, file, report, ... }`. */
  eventImport: null,
};

const main = document.getElementById('bt-main');
const nav = document.getElementById('bt-nav');
let renderToken = 0;

function setBadges() {
  const m = state.model ?? {};
  const badge = document.getElementById('bt-model-badge');
  badge.textContent = `${m.name ?? m.id ?? 'model'} · v${m.version ?? '?'} · ${state.hash ? state.hash.slice(0, 10) : 'invalid'}`;
  const s = state.summary;
  const data = document.getElementById('bt-data-badge');
  const any = hasData();
  data.textContent = `${fmt.int(s.events)} events · ${fmt.int(s.outcomes)} CRM leads · ${fmt.int(s.handoffs)} handoffs${state.importing ? ' · importing…' : ''}${any ? ' · this tab only' : ''}`;
  data.title = any
    ? 'Imported data lives in this tab\'s memory only: reloading or closing the tab loses it (import the files again). The working model and saved versions are kept in this browser.'
    : 'No data loaded. Imported data will live in this tab\'s memory only.';
}

function hasData() {
  const s = state.summary;
  return state.importing || s.events > 0 || s.outcomes > 0 || s.handoffs > 0;
}

// Imported data is only in the Worker's memory: ask before a reload or close throws it away.
window.addEventListener('beforeunload', (e) => {
  if (!hasData()) return;
  e.preventDefault();
  e.returnValue = '';
});

/** Tells the views that data or the import state changed (`bt-data-change` on document). */
function notify() {
  setBadges();
  document.dispatchEvent(new Event('bt-data-change'));
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
let activeTask = null;
// Escape cancels the running task (as the Cancel button does), from any view.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && activeTask && !progressEl.hidden) {
    e.preventDefault();
    activeTask.cancel();
  }
});
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
  activeTask = t;
  return t.promise.finally(() => {
    if (activeTask === t) activeTask = null;
    progressEl.hidden = true;
  });
}

/** After data changed under a data view (an import ended, an undo): draw it again. */
function redrawDataView() {
  if (DATA_VIEWS.has(state.view)) go(state.view);
}

/**
 * Imports an event file in the Worker. Runs on past a view change: the outcome goes to
 * `state.eventImport` (the Imports view shows it whenever it is drawn).
 */
async function importEventFile(file, format, mapping) {
  if (state.importing) throw new Error('An import is already running.');
  state.importing = true;
  state.eventImport = { status: 'running', file: file.name };
  notify();
  const t0 = performance.now();
  try {
    const r = await withProgress(`Importing ${file.name}`, 'importEventFile', [file, format, mapping]);
    const seconds = (performance.now() - t0) / 1000;
    state.eventImport = r.cancelled
      ? { status: 'cancelled', file: file.name, entry: r.entry, kept: r.kept, loaded: r.loaded, total: r.total, report: r.report, seconds }
      : { status: 'done', file: file.name, entry: r.entry, report: r, seconds };
  } catch (e) {
    state.eventImport = { status: 'failed', file: file.name, error: e.message };
  } finally {
    state.importing = false;
  }
  await refreshSummary();
  notify();
  redrawDataView();
}

/** Removes the events the last (cancelled) event import kept. */
async function undoEventImport() {
  const imp = state.eventImport;
  if (!imp || state.importing || imp.entry === undefined) return;
  state.importing = true;
  state.eventImport = { ...imp, status: 'undoing' };
  notify();
  try {
    const r = await call('undoImport', imp.entry);
    state.eventImport = { ...imp, status: 'undone', removed: r.removed };
  } catch (e) {
    state.eventImport = { ...imp, undoError: e.message };
  } finally {
    state.importing = false;
  }
  await refreshSummary();
  notify();
  redrawDataView();
}

/** Drops every imported event, outcome and handoff (refused while an import runs). */
async function clearData() {
  if (state.importing) throw new Error('An import is running: cancel it first, or wait for it to finish.');
  const imp = state.eventImport;
  await call('clear');
  if (state.eventImport === imp) state.eventImport = null;
  await refreshSummary();
  notify();
}

async function loadSample() {
  if (state.importing) throw new Error('An import is running: cancel it first, or wait for it to finish.');
  await withProgress('Generating sample data', 'loadSample', [SAMPLE_SEED, SAMPLE_VISITORS, state.asOf]);
  // The sample replaces all data: the last import's report no longer describes it.
  state.eventImport = null;
  await refreshSummary();
  notify();
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
  if (DATA_VIEWS.has(entry[0]) && !state.importing && state.summary.events === 0 && state.summary.outcomes === 0 && state.summary.handoffs === 0) {
    emptyState(root);
    root.dataset.ready = '1';
    return;
  }
  if (DATA_VIEWS.has(entry[0]) && state.importing) {
    // Data calls wait in the Worker until the import ends; the view is drawn again then.
    root.append(h('div', { class: 'bt-notice', id: 'bt-import-running' }, 'An import is running: this view shows the data once it has finished.'));
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
  importEventFile,
  undoEventImport,
  clearData,
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
