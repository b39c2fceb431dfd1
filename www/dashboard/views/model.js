// Model editor: rules table (add, edit, remove, reorder, condition builder), scoring settings,
// stages, handoff settings, and a JSON view that round-trips. The engine validates every change;
// each problem is shown at the field its JSON path names.
import { h, clear } from '../dom.js';
import { saveVersion } from './versions.js';

const SUBJECTS = ['type', 'path', 'event', 'property', 'trait', 'query'];
const NAMED = new Set(['property', 'trait', 'query']);
const OPS = ['equals', 'contains', 'startsWith', 'endsWith', 'containsWord', 'in', 'gte', 'gt', 'lte', 'lt', 'exists'];
const NUMERIC = new Set(['gte', 'gt', 'lte', 'lt']);
const CAPS = ['none', 'once', 'perDay', 'perSession', 'total'];

const clone = (v) => structuredClone(v);

/** A leaf the builder can show: one subject and (for property/trait/query) one operator. */
function leafRow(c) {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return null;
  const keys = Object.keys(c);
  const subject = keys.find((k) => SUBJECTS.includes(k));
  if (!subject) return null;
  if (!NAMED.has(subject)) return keys.length === 1 ? { subject, name: '', op: 'equals', value: c[subject] } : null;
  const ops = keys.filter((k) => k !== subject);
  if (ops.length !== 1 || !OPS.includes(ops[0])) return null;
  return { subject, name: c[subject], op: ops[0], value: c[ops[0]] };
}

/** `when` → `{ join, rows }` for the builder, or null when only JSON can express it. */
export function toBuilder(when) {
  const single = leafRow(when);
  if (single) return { join: 'all', rows: [single] };
  for (const join of ['all', 'any']) {
    if (when && Array.isArray(when[join]) && Object.keys(when).length === 1) {
      const rows = when[join].map(leafRow);
      if (rows.every(Boolean) && rows.length) return { join, rows };
    }
  }
  return null;
}

function parseValue(op, text) {
  if (op === 'exists') return text.trim() !== 'false';
  const parts = String(text).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const conv = (s) => (NUMERIC.has(op) && s !== '' && !Number.isNaN(Number(s)) ? Number(s) : s);
  if (op === 'in' || op === 'containsWord' || parts.length > 1) return parts.map(conv);
  return conv(parts[0] ?? '');
}

export function fromBuilder({ join, rows }) {
  const leaves = rows.map((r) => (NAMED.has(r.subject) ? { [r.subject]: r.name, [r.op]: r.value } : { [r.subject]: r.value }));
  return leaves.length === 1 ? leaves[0] : { [join]: leaves };
}

function valueText(v) {
  return Array.isArray(v) ? v.join(', ') : String(v ?? '');
}

/** A readable one-line summary of any condition (nested all/any/not included). */
export function summarize(when, top = true) {
  if (!when || typeof when !== 'object' || Array.isArray(when)) return JSON.stringify(when);
  for (const join of ['all', 'any']) {
    if (Array.isArray(when[join])) {
      const text = when[join].map((c) => summarize(c, false)).join(join === 'all' ? ' and ' : ' or ');
      return top || when[join].length < 2 ? text : `(${text})`;
    }
  }
  if (when.not) return `not ${summarize(when.not, false)}`;
  const subject = Object.keys(when).find((k) => SUBJECTS.includes(k));
  if (!subject) return JSON.stringify(when);
  if (!NAMED.has(subject)) return `${subject} = ${valueText(when[subject])}`;
  const ops = Object.entries(when).filter(([k]) => k !== subject).map(([k, v]) => `${k} ${valueText(v)}`);
  return `${subject} ${when[subject]} ${ops.join(', ')}`;
}

function capText(cap) {
  if (!cap) return '–';
  return Object.entries(cap).map(([k, v]) => (v === true ? k : `${k} ${v}`)).join(', ');
}

/** Marks the field whose data-path is the longest prefix of each problem's path. */
function placeProblems(root, problems) {
  const fields = [...root.querySelectorAll('[data-path]')];
  for (const p of problems) {
    let best = null;
    for (const f of fields) {
      const fp = f.dataset.path;
      if ((p.path === fp || p.path.startsWith(`${fp}.`) || p.path.startsWith(`${fp}[`)) && (!best || fp.length > best.dataset.path.length)) best = f;
    }
    if (!best) continue;
    best.classList.add('bt-input-error');
    best.after(h('div', { class: 'bt-error', dataset: { problemPath: p.path } }, `${p.path}: ${p.message}`));
  }
}

export async function render(root, ctx) {
  let editing = null; // index of the rule in the form
  const body = h('div');
  root.append(h('p', { class: 'bt-view-sub' }, 'Rules add points when an event or trait matches; stages decide when a visitor becomes an MQL and is handed off.'), body);

  async function apply(mutate) {
    const model = clone(ctx.state.model);
    mutate(model);
    await ctx.setModel(model);
    draw();
  }

  function jsonField(label, path, value, onValid) {
    const ta = h('textarea', { class: 'bt-textarea', dataset: { path }, spellcheck: false }, JSON.stringify(value ?? null, null, 2));
    const err = h('div', { class: 'bt-error' });
    ta.addEventListener('change', () => {
      try {
        const v = JSON.parse(ta.value);
        err.textContent = '';
        onValid(v);
      } catch (e) {
        err.textContent = `Not valid JSON: ${e.message}`;
      }
    });
    return h('label', { class: 'bt-field' }, h('span', {}, label), ta, err);
  }

  function input(label, path, value, onChange, attrs = {}) {
    const el = h('input', { class: 'bt-input', dataset: { path }, value: value ?? '', ...attrs });
    el.addEventListener('change', () => onChange(el.value, el));
    return h('label', { class: 'bt-field' }, h('span', {}, label), el);
  }

  function ruleForm(i) {
    const rule = clone(ctx.state.model.rules[i]);
    const p = `rules[${i}]`;
    const groups = Object.keys(ctx.state.model.groups ?? {});
    const builder = toBuilder(rule.when);
    const form = h('div', { class: 'bt-card', id: 'bt-rule-form' }, h('h2', { class: 'bt-card-title' }, `Edit rule ${rule.id ?? i + 1}`));
    const grid = h('div', { class: 'bt-grid' });
    const idEl = h('input', { class: 'bt-input', name: 'id', dataset: { path: `${p}.id` }, value: rule.id ?? '' });
    const descEl = h('input', { class: 'bt-input', name: 'description', value: rule.description ?? '' });
    const kindEl = h('select', { class: 'bt-select', name: 'kind', dataset: { path: `${p}.kind` } }, ['behaviour', 'fit'].map((k) => h('option', { value: k, selected: (rule.kind ?? 'behaviour') === k }, k)));
    const groupEl = h('input', { class: 'bt-input', name: 'group', list: 'bt-groups', dataset: { path: `${p}.group` }, value: rule.group ?? '' });
    const pointsEl = h('input', { class: 'bt-input', name: 'points', type: 'number', step: 'any', dataset: { path: `${p}.points` }, value: rule.points ?? 0 });
    const capKey = rule.cap ? Object.keys(rule.cap)[0] : 'none';
    const capEl = h('select', { class: 'bt-select', name: 'cap', dataset: { path: `${p}.cap` } }, CAPS.map((c) => h('option', { value: c, selected: c === capKey }, c)));
    const capN = h('input', { class: 'bt-input', name: 'capN', type: 'number', min: 1, value: rule.cap && typeof rule.cap[capKey] === 'number' ? rule.cap[capKey] : 1 });
    const decayEl = h('input', { class: 'bt-input', name: 'halfLifeDays', type: 'number', min: 0, step: 'any', dataset: { path: `${p}.decay` }, value: rule.decay?.halfLifeDays ?? '', placeholder: 'model default' });
    grid.append(
      h('label', { class: 'bt-field' }, h('span', {}, 'Id'), idEl),
      h('label', { class: 'bt-field' }, h('span', {}, 'Description'), descEl),
      h('label', { class: 'bt-field' }, h('span', {}, 'Kind'), kindEl),
      h('label', { class: 'bt-field' }, h('span', {}, 'Group'), groupEl, h('datalist', { id: 'bt-groups' }, groups.map((g) => h('option', { value: g })))),
      h('label', { class: 'bt-field' }, h('span', {}, 'Points'), pointsEl),
      h('label', { class: 'bt-field' }, h('span', {}, 'Cap'), h('div', { class: 'bt-row' }, capEl, capN)),
      h('label', { class: 'bt-field' }, h('span', {}, 'Decay half-life (days)'), decayEl),
    );
    form.append(grid);
    // Condition builder, or JSON when the condition is richer than the builder shows.
    const condBox = h('div', { dataset: { path: `${p}.when` } });
    let b = builder;
    let whenJson = null;
    const drawBuilder = () => {
      clear(condBox);
      if (!b) {
        whenJson = h('textarea', { class: 'bt-textarea', name: 'when', spellcheck: false }, JSON.stringify(rule.when ?? {}, null, 2));
        condBox.append(h('div', { class: 'bt-muted' }, 'This condition nests groups; edit it as JSON.'), whenJson);
        return;
      }
      const join = h('select', { class: 'bt-select', name: 'join', onchange: () => { b.join = join.value; } },
        h('option', { value: 'all', selected: b.join === 'all' }, 'all of'), h('option', { value: 'any', selected: b.join === 'any' }, 'any of'));
      condBox.append(h('div', { class: 'bt-row' }, h('span', {}, 'Match'), join, h('span', {}, 'these conditions:')));
      b.rows.forEach((r, k) => {
        const subject = h('select', { class: 'bt-select', name: 'subject', onchange: () => { r.subject = subject.value; drawBuilder(); } }, SUBJECTS.map((s) => h('option', { value: s, selected: s === r.subject }, s)));
        const row = h('div', { class: 'bt-cond-row' }, subject);
        if (NAMED.has(r.subject)) {
          const name = h('input', { class: 'bt-input', name: 'condName', placeholder: 'name', value: r.name ?? '', onchange: () => { r.name = name.value; } });
          const op = h('select', { class: 'bt-select', name: 'op', onchange: () => { r.op = op.value; } }, OPS.map((o) => h('option', { value: o, selected: o === r.op }, o)));
          row.append(name, op);
        }
        const value = h('input', { class: 'bt-input', name: 'condValue', placeholder: 'value (comma-separated for a list)', value: valueText(r.value), onchange: () => { r.value = parseValue(NAMED.has(r.subject) ? r.op : 'equals', value.value); } });
        value.style.minWidth = '260px';
        row.append(value, h('button', { class: 'bt-btn bt-btn-small bt-btn-danger', type: 'button', onclick: () => { b.rows.splice(k, 1); drawBuilder(); } }, 'Remove'));
        condBox.append(row);
      });
      condBox.append(h('button', { class: 'bt-btn bt-btn-small', type: 'button', onclick: () => { b.rows.push({ subject: 'event', name: '', op: 'equals', value: '' }); drawBuilder(); } }, 'Add condition'));
    };
    drawBuilder();
    form.append(h('h3', {}, 'When'), condBox);
    form.append(h('div', { class: 'bt-row' },
      h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-rule-save', onclick: async () => {
        const next = { ...rule, id: idEl.value.trim(), group: groupEl.value.trim(), points: Number(pointsEl.value) };
        if (descEl.value.trim()) next.description = descEl.value.trim(); else delete next.description;
        if (kindEl.value === 'fit') next.kind = 'fit'; else delete next.kind;
        if (capEl.value === 'none') delete next.cap;
        else next.cap = { [capEl.value]: capEl.value === 'once' ? true : Number(capN.value) };
        if (decayEl.value !== '') next.decay = { halfLifeDays: Number(decayEl.value) }; else delete next.decay;
        if (b) next.when = fromBuilder(b);
        else {
          try { next.when = JSON.parse(whenJson.value); } catch (e) { alert(`The condition is not valid JSON: ${e.message}`); return; }
        }
        await apply((m) => { m.rules[i] = next; });
      } }, 'Apply rule'),
      h('button', { class: 'bt-btn', type: 'button', onclick: () => { editing = null; draw(); } }, 'Close')));
    return form;
  }

  function draw() {
    clear(body);
    const model = ctx.state.model;
    const problems = ctx.state.problems;
    body.append(problems.length
      ? h('div', { class: 'bt-problems', id: 'bt-problems' }, `${problems.length} problem(s) — the last valid model stays in use:`, h('ul', {}, problems.map((p) => h('li', {}, `${p.path}: ${p.message}`))))
      : h('div', { class: 'bt-row bt-ok', id: 'bt-valid' }, `✓ Valid · hash ${ctx.state.hash}`));

    const rules = model.rules ?? [];
    const rulesCard = h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, `Rules (${rules.length})`));
    const tbl = h('table', { class: 'bt-table bt-rules', id: 'bt-rules' },
      h('thead', {}, h('tr', {}, ['#', 'Id', 'Kind', 'Group', 'Points', 'When', 'Cap', ''].map((t) => h('th', {}, t)))));
    const tb = h('tbody');
    rules.forEach((r, i) => {
      const pts = h('input', { class: 'bt-input', type: 'number', step: 'any', name: `points-${i}`, dataset: { path: `rules[${i}].points` }, value: r.points ?? '' });
      pts.style.width = '80px';
      pts.addEventListener('change', () => apply((m) => { m.rules[i].points = pts.value === '' ? null : Number(pts.value); }));
      tb.append(h('tr', { dataset: { path: `rules[${i}]`, rule: r.id ?? '' } },
        h('td', { class: 'bt-muted' }, String(i + 1)),
        h('td', { class: 'bt-mono' }, r.id ?? ''),
        h('td', {}, r.kind ?? 'behaviour'),
        h('td', {}, r.group ?? ''),
        h('td', {}, pts),
        h('td', { class: 'bt-mono' }, summarize(r.when)),
        h('td', {}, capText(r.cap)),
        h('td', { style: 'white-space:nowrap' },
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', title: 'Move up', disabled: i === 0, onclick: () => apply((m) => { [m.rules[i - 1], m.rules[i]] = [m.rules[i], m.rules[i - 1]]; }) }, '↑'),
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', title: 'Move down', disabled: i === rules.length - 1, onclick: () => apply((m) => { [m.rules[i + 1], m.rules[i]] = [m.rules[i], m.rules[i + 1]]; }) }, '↓'),
          h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'edit', onclick: () => { editing = i; draw(); document.getElementById('bt-rule-form')?.scrollIntoView(); } }, 'Edit'),
          h('button', { class: 'bt-btn bt-btn-small bt-btn-danger', type: 'button', name: 'remove', onclick: () => { if (editing === i) editing = null; apply((m) => { m.rules.splice(i, 1); }); } }, 'Remove'))));
    });
    tbl.append(tb);
    rulesCard.append(tbl, h('div', { class: 'bt-row', style: 'margin-top:10px' },
      h('button', { class: 'bt-btn', type: 'button', id: 'bt-rule-add', onclick: () => apply((m) => {
        m.rules ??= [];
        let n = m.rules.length + 1;
        while (m.rules.some((r) => r.id === `rule-${n}`)) n += 1;
        m.rules.push({ id: `rule-${n}`, group: Object.keys(m.groups ?? { engagement: 1 })[0] ?? 'engagement', points: 5, when: { event: 'Demo Requested' } });
        editing = m.rules.length - 1;
      }) }, 'Add rule')));
    body.append(rulesCard);
    if (editing !== null && rules[editing]) body.append(ruleForm(editing));

    const scoring = h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, 'Scoring'));
    const g = h('div', { class: 'bt-grid' });
    g.append(
      input('Default decay half-life (days)', 'decay', model.decay?.halfLifeDays, (v) => apply((m) => { if (v === '') delete m.decay; else m.decay = { halfLifeDays: Number(v) }; }), { type: 'number', step: 'any' }),
      input('Session timeout (minutes)', 'sessionTimeoutMinutes', model.sessionTimeoutMinutes, (v) => apply((m) => { if (v === '') delete m.sessionTimeoutMinutes; else m.sessionTimeoutMinutes = Number(v); }), { type: 'number' }),
      input('Version', 'version', model.version, (v) => apply((m) => { m.version = v; })),
    );
    scoring.append(g, h('div', { class: 'bt-grid' },
      jsonField('Groups (bounds per group)', 'groups', model.groups, (v) => apply((m) => { m.groups = v; })),
      jsonField('Limits', 'limits', model.limits, (v) => apply((m) => { m.limits = v; })),
      jsonField('Fit grades (minimum fit per grade)', 'grades', model.grades, (v) => apply((m) => { m.grades = v; }))));
    body.append(scoring);

    const stages = h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, 'Stages and criteria'));
    const sg = h('div', { class: 'bt-grid' });
    for (const [name, crit] of Object.entries(model.stages ?? {})) {
      sg.append(jsonField(`${name}`, `stages.${name}`, crit, (v) => apply((m) => { m.stages[name] = v; })));
    }
    stages.append(sg);
    body.append(stages);

    const ho = model.handoff ?? {};
    const handoff = h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, 'Handoff'));
    handoff.append(h('div', { class: 'bt-grid' },
      input('Stage that triggers the handoff', 'handoff.stage', ho.stage, (v) => apply((m) => { m.handoff = { ...m.handoff, stage: v }; })),
      input('Endpoint', 'handoff.endpoint', ho.endpoint, (v) => apply((m) => { m.handoff = { ...m.handoff, endpoint: v }; }), { type: 'url' }),
      input('Follow-up SLA (minutes)', 'handoff.slaMinutes', ho.slaMinutes, (v) => apply((m) => { m.handoff = { ...m.handoff, slaMinutes: Number(v) }; }), { type: 'number' })),
      h('div', { class: 'bt-grid' },
        jsonField('Routing (owner/team rules)', 'handoff.routing', ho.routing, (v) => apply((m) => { m.handoff = { ...m.handoff, routing: v }; })),
        jsonField('Retry policy', 'handoff.retry', ho.retry, (v) => apply((m) => { m.handoff = { ...m.handoff, retry: v }; }))));
    body.append(handoff);

    const json = h('textarea', { class: 'bt-textarea', id: 'bt-model-json', spellcheck: false, style: 'min-height:260px' }, JSON.stringify(model, null, 2));
    const jsonErr = h('div', { class: 'bt-error' });
    const note = h('input', { class: 'bt-input', id: 'bt-version-note', placeholder: 'What changed? (author note)' });
    note.style.flex = '1';
    body.append(h('section', { class: 'bt-card' }, h('h2', { class: 'bt-card-title' }, 'JSON'), json, jsonErr,
      h('div', { class: 'bt-row', style: 'margin-top:8px' },
        h('button', { class: 'bt-btn', type: 'button', id: 'bt-json-apply', onclick: async () => {
          try {
            const v = JSON.parse(json.value);
            jsonErr.textContent = '';
            await ctx.setModel(v);
            draw();
          } catch (e) {
            jsonErr.textContent = `Not valid JSON: ${e.message}`;
          }
        } }, 'Apply JSON'),
        note,
        h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-version-save', onclick: async () => {
          const v = await saveVersion(ctx, note.value);
          note.value = '';
          jsonErr.textContent = '';
          jsonErr.after(h('div', { class: 'bt-ok' }, `Saved version ${v.hash.slice(0, 10)}.`));
        } }, 'Save version'))));
    placeProblems(body, problems);
  }
  draw();
}
