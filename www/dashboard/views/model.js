// Model editor: the rules table (add, edit, remove, reorder), the rule form with the recursive
// condition builder, the model's settings, stages and their criteria, handoff settings, and a
// JSON view that round-trips. The engine validates every applied change; each problem is shown
// at the field its JSON path names, and the whole list stays at the top.
import { h, clear } from '../dom.js';
import { saveVersion } from './versions.js';
import { summarize, classify } from './condition-builder.js';
import { ruleForm } from './rule-form.js';
import { stagesForm, STAGES } from './stages-form.js';
import { handoffForm } from './handoff-form.js';
import { scoringForm } from './scoring-form.js';
import { put } from './fields.js';

export { summarize };

// The standard CRM fields a visitor's state keeps (src/model/parse.rs), offered as trait names.
const STANDARD_TRAITS = ['email', 'name', 'firstName', 'lastName', 'title', 'phone', 'company', 'employees', 'industry', 'country', 'city', 'website', 'role', 'seniority'];
const EVENT_TYPES = ['page', 'screen', 'track', 'identify', 'group'];
const LISTS = {
  traits: 'bt-dl-traits', events: 'bt-dl-events', types: 'bt-dl-types', rules: 'bt-dl-rules',
  scores: 'bt-dl-scores', groups: 'bt-dl-groups', properties: 'bt-dl-properties', teams: 'bt-dl-teams',
};

const SETTINGS = ['id', 'name', 'version', 'description', 'sessionTimeoutMinutes', 'decay', 'groups', 'limits', 'grades'];

const clone = (v) => structuredClone(v);

function capText(cap) {
  if (!cap || typeof cap !== 'object') return '–';
  return Object.entries(cap).map(([k, v]) => (v === true ? k : `${k} ${v}`)).join(', ');
}

/** Every leaf of a condition (for the suggestion lists). */
function leaves(c, out = []) {
  const k = classify(c);
  if (k.group === 'not') leaves(c.not, out);
  else if (k.group) for (const x of c[k.group]) leaves(x, out);
  else if (k.subject) out.push(c);
  return out;
}

/** Suggestions for the builder's inputs, gathered from the model itself. */
function suggestionLists(model) {
  const conds = [
    ...(model.rules ?? []).map((r) => r?.when),
    ...Object.values(model.stages ?? {}),
    ...(model.handoff?.routing?.rules ?? []).map((r) => r?.when),
  ];
  const all = conds.flatMap((c) => leaves(c));
  const strings = (key) => all.flatMap((l) => (key in l ? [l[key]].flat() : [])).filter((x) => typeof x === 'string' && x);
  const behaviour = (model.rules ?? []).filter((r) => r?.kind !== 'fit').map((r) => r?.id);
  const groups = [...new Set([...(model.rules ?? []).map((r) => r?.group), ...Object.keys(model.groups ?? {}), 'engagement', 'fit'])];
  const teams = [model.handoff?.routing?.team, ...(model.handoff?.routing?.rules ?? []).map((r) => r?.team)];
  const values = {
    traits: [...STANDARD_TRAITS, ...strings('trait')],
    events: strings('event'),
    types: EVENT_TYPES,
    rules: behaviour,
    scores: ['total', 'fit', 'engagement', ...groups],
    groups,
    properties: strings('property'),
    teams,
  };
  return Object.entries(LISTS).map(([key, id]) => h('datalist', { id }, [...new Set(values[key].filter((x) => typeof x === 'string' && x))].map((v) => h('option', { value: v }))));
}

/**
 * Shows each problem at the fields whose data-path is the longest prefix of its path (every such
 * field: a rule's points sit both in the table and in its form).
 */
export function placeProblems(root, problems) {
  for (const old of root.querySelectorAll('.bt-error[data-problem-path]')) old.remove();
  for (const old of root.querySelectorAll('.bt-input-error')) old.classList.remove('bt-input-error');
  const fields = [...root.querySelectorAll('[data-path]')];
  const covers = (fp, path) => path === fp || path.startsWith(`${fp}.`) || path.startsWith(`${fp}[`);
  for (const p of problems) {
    let best = [];
    for (const f of fields) {
      const fp = f.dataset.path;
      if (!covers(fp, p.path)) continue;
      if (!best.length || fp.length > best[0].dataset.path.length) best = [f];
      else if (fp.length === best[0].dataset.path.length) best.push(f);
    }
    for (const f of best) {
      f.classList.add('bt-input-error');
      const err = h('div', { class: 'bt-error', dataset: { problemPath: p.path } }, `${p.path}: ${p.message}`);
      // A rule whose form is closed: the problem goes in its row's condition cell.
      if (f.tagName === 'TR') f.querySelector('.bt-when-cell')?.append(err);
      else f.after(err);
    }
  }
}

export async function render(root, ctx) {
  let editing = null; // index of the rule in the form
  // Sections with edits not yet applied survive another section's apply (a redraw).
  const kept = new Map();
  const body = h('div', { id: 'bt-model-editor' });
  root.append(h('p', { class: 'bt-view-sub' }, 'Rules add points when an event or trait matches; stages decide when a visitor becomes an MQL and is handed off. Each section applies on its own; the engine checks every change.'), body);

  async function adopt(model, section) {
    if (section) kept.delete(section);
    await ctx.setModel(model);
    draw();
  }

  async function apply(mutate, section) {
    const model = clone(ctx.state.model);
    mutate(model);
    await adopt(model, section);
  }

  /** A section's card: the kept one while it has unapplied edits, else a fresh one. */
  function section(key, build) {
    const k = kept.get(key);
    if (k?.dirty) return k.el;
    const el = build();
    const entry = { el, dirty: false };
    const mark = (e) => {
      if (e.type !== 'click' || (e.target.closest('button') && !e.target.closest('button[id$="-apply"], #bt-rule-save, #bt-rule-close'))) entry.dirty = true;
    };
    el.addEventListener('input', mark);
    el.addEventListener('change', mark);
    el.addEventListener('click', mark);
    kept.set(key, entry);
    return el;
  }

  function rulesCard(model) {
    const rules = model.rules ?? [];
    const card = h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, `Rules (${rules.length})`));
    const tbl = h('table', { class: 'bt-table bt-rules', id: 'bt-rules' },
      h('thead', {}, h('tr', {}, ['#', 'Id', 'Kind', 'Group', 'Points', 'When', 'Cap', ''].map((t) => h('th', {}, t)))));
    const tb = h('tbody');
    // Moving or removing rules renumbers them: an open form would name the wrong rule.
    const restructure = (fn) => { kept.delete('rule'); return apply(fn); };
    rules.forEach((r, i) => {
      const pts = h('input', { class: 'bt-input bt-input-num', type: 'number', step: 'any', name: `points-${i}`, dataset: { path: `rules[${i}].points` }, value: typeof r?.points === 'number' ? r.points : '' });
      pts.addEventListener('change', () => apply((m) => { m.rules[i].points = pts.value === '' ? null : Number(pts.value); }));
      tb.append(h('tr', { dataset: { path: `rules[${i}]`, rule: r?.id ?? '' }, class: editing === i ? 'bt-selected' : '' },
        h('td', { class: 'bt-muted' }, String(i + 1)),
        h('td', { class: 'bt-mono' }, r?.id ?? ''),
        h('td', {}, r?.kind === 'fit' ? 'fit' : 'behaviour'),
        h('td', {}, r?.group ?? (r?.kind === 'fit' ? 'fit' : 'engagement')),
        h('td', {}, pts),
        h('td', { class: 'bt-mono bt-when-cell' }, summarize(r?.when)),
        h('td', {}, capText(r?.cap)),
        h('td', { style: 'white-space:nowrap' },
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', title: 'Move up', name: 'up', disabled: i === 0, onclick: () => restructure((m) => { [m.rules[i - 1], m.rules[i]] = [m.rules[i], m.rules[i - 1]]; if (editing === i) editing = i - 1; else if (editing === i - 1) editing = i; }) }, '↑'),
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', title: 'Move down', name: 'down', disabled: i === rules.length - 1, onclick: () => restructure((m) => { [m.rules[i + 1], m.rules[i]] = [m.rules[i], m.rules[i + 1]]; if (editing === i) editing = i + 1; else if (editing === i + 1) editing = i; }) }, '↓'),
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'edit', onclick: () => { kept.delete('rule'); editing = i; draw(); document.getElementById('bt-rule-form')?.scrollIntoView(); } }, 'Edit'),
          h('button', { class: 'bt-btn bt-btn-small bt-btn-danger', type: 'button', name: 'remove', onclick: () => restructure((m) => { m.rules.splice(i, 1); if (editing === i) editing = null; else if (editing > i) editing -= 1; }) }, 'Remove'))));
    });
    tbl.append(tb);
    card.append(tbl, h('div', { class: 'bt-row', style: 'margin-top:10px' },
      h('button', { class: 'bt-btn', type: 'button', id: 'bt-rule-add', onclick: () => restructure((m) => {
        m.rules ??= [];
        let n = m.rules.length + 1;
        while (m.rules.some((r) => r?.id === `rule-${n}`)) n += 1;
        m.rules.push({ id: `rule-${n}`, points: 5, when: { event: 'Demo Requested' } });
        editing = m.rules.length - 1;
      }) }, 'Add rule')));
    return card;
  }

  function jsonCard(model) {
    const json = h('textarea', { class: 'bt-textarea', id: 'bt-model-json', spellcheck: false, style: 'min-height:260px' }, JSON.stringify(model, null, 2));
    const jsonErr = h('div', { class: 'bt-error' });
    const note = h('input', { class: 'bt-input', id: 'bt-version-note', placeholder: 'What changed? (author note)' });
    note.style.flex = '1';
    const saveStatus = h('div', { id: 'bt-version-status', role: 'status' });
    return h('section', { class: 'bt-card', id: 'bt-json' }, h('h2', { class: 'bt-card-title' }, 'JSON'),
      h('p', { class: 'bt-muted' }, 'The whole model as JSON, for copying or bulk edits; applying it redraws every form above.'), json, jsonErr,
      h('div', { class: 'bt-row', style: 'margin-top:8px' },
        h('button', { class: 'bt-btn', type: 'button', id: 'bt-json-apply', onclick: async () => {
          let v;
          try {
            v = JSON.parse(json.value);
          } catch (e) {
            jsonErr.textContent = `Not valid JSON: ${e.message}`;
            return;
          }
          if (v === null || typeof v !== 'object' || Array.isArray(v)) {
            jsonErr.textContent = 'A model is a JSON object: { "version": ..., "rules": [...] }';
            return;
          }
          jsonErr.textContent = '';
          kept.clear();
          await adopt(v);
        } }, 'Apply JSON'),
        note,
        h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-version-save', onclick: async () => {
          const n = ctx.state.problems.length;
          if (n) {
            saveStatus.className = 'bt-problems';
            saveStatus.textContent = `Not saved: the model has ${n} problem${n === 1 ? '' : 's'} (listed at the top). Fix ${n === 1 ? 'it' : 'them'}, then save; a version is always a valid model.`;
            return;
          }
          try {
            const v = await saveVersion(ctx, note.value);
            note.value = '';
            jsonErr.textContent = '';
            saveStatus.className = 'bt-ok';
            saveStatus.textContent = `Saved version ${v.hash.slice(0, 10)}.`;
          } catch (e) {
            saveStatus.className = 'bt-problems';
            saveStatus.textContent = `Not saved: ${e.message}`;
          }
        } }, 'Save version')), saveStatus);
  }

  /** Opens the rule a problem is in (if its form is closed) and scrolls to the field. */
  function goToProblem(path) {
    const rule = /^rules\[(\d+)\]\./.exec(path);
    if (rule && editing !== Number(rule[1]) && !kept.get('rule')?.dirty) {
      editing = Number(rule[1]);
      draw();
    }
    const err = [...body.querySelectorAll('.bt-error[data-problem-path]')].find((e) => e.dataset.problemPath === path && !e.closest('#bt-rules'))
      ?? [...body.querySelectorAll('.bt-error[data-problem-path]')].find((e) => e.dataset.problemPath === path);
    err?.scrollIntoView({ block: 'center' });
    const field = err?.previousElementSibling;
    if (field && typeof field.focus === 'function') field.focus();
  }

  let rev = 0;
  function draw() {
    clear(body);
    // Tests (and anything scripted) wait for the redraw that follows an apply.
    body.dataset.rev = String(++rev);
    const model = ctx.state.model ?? {};
    const problems = ctx.state.problems;
    body.append(problems.length
      ? h('div', { class: 'bt-problems', id: 'bt-problems' }, `${problems.length} problem(s) — the last valid model stays in use (click one to go to its field):`,
        h('ul', {}, problems.map((p) => h('li', {
          dataset: { problemPath: p.path },
          tabindex: '0',
          role: 'link',
          title: 'Go to the field (Enter)',
          onclick: () => goToProblem(p.path),
          onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); goToProblem(p.path); } },
        }, `${p.path && p.path !== '$' ? p.path : '(whole model)'}: ${p.message}`))))
      : h('div', { class: 'bt-row bt-ok', id: 'bt-valid' }, `✓ Valid · hash ${ctx.state.hash}`));
    body.append(h('div', { hidden: true }, suggestionLists(model)));
    const lists = LISTS;
    body.append(rulesCard(model));
    const rules = model.rules ?? [];
    if (editing !== null && rules[editing] && typeof rules[editing] === 'object') {
      body.append(section('rule', () => ruleForm(rules[editing], editing, {
        lists,
        onApply: (next) => apply((m) => { m.rules[editing] = next; }, 'rule'),
        onClose: () => { kept.delete('rule'); editing = null; draw(); },
      })));
    } else {
      kept.delete('rule');
    }
    // The settings form may have been built before other sections applied: take only its keys.
    body.append(section('scoring', () => scoringForm(model, { onApply: (next) => apply((m) => { for (const k of SETTINGS) put(m, k, next[k]); }, 'scoring') })));
    body.append(section('stages', () => stagesForm(model.stages, { lists, onApply: (next) => apply((m) => { if (next === undefined) delete m.stages; else m.stages = next; }, 'stages') })));
    body.append(section('handoff', () => handoffForm(model.handoff, { lists, onApply: (next) => apply((m) => { if (next === undefined) delete m.handoff; else m.handoff = next; }, 'handoff') })));
    body.append(jsonCard(model));
    placeProblems(body, problems);
  }
  draw();
}

export { STAGES };
