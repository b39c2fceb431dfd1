// The model's own settings as a form: identity, session timeout, default decay, group and total
// limits, fit grades. Starts from the model's JSON and changes only what was edited.
import { h, clear } from '../dom.js';
import { decayEditor, field, numberInput, put, readNumber, textInput } from './fields.js';

const GRADES = ['A', 'B', 'C', 'D', 'E'];

function boundsRow(bounds, path, name) {
  const b = bounds ?? {};
  const min = numberInput(b.min, { path: `${path}.min`, name: `${name}-min`, placeholder: 'no minimum' });
  const max = numberInput(b.max, { path: `${path}.max`, name: `${name}-max`, placeholder: 'no maximum' });
  const desc = textInput(b.description, { path: `${path}.description`, name: `${name}-description`, placeholder: 'note (optional)' });
  const read = () => {
    const next = structuredClone(b);
    put(next, 'min', readNumber(min));
    put(next, 'max', readNumber(max));
    put(next, 'description', desc.value || (b.description === '' ? '' : undefined));
    return next;
  };
  return { cells: [min, max, desc], read };
}

/** The scoring card. `onApply(model)` receives the whole edited model. */
export function scoringForm(model, { onApply }) {
  const card = h('section', { class: 'bt-card', id: 'bt-scoring' }, h('h2', { class: 'bt-card-title' }, 'Model and scoring'));
  const idEl = textInput(model.id, { path: 'id', name: 'model-id' });
  const nameEl = textInput(model.name, { path: 'name', name: 'model-name' });
  const versionEl = textInput(model.version, { path: 'version', name: 'model-version' });
  const descEl = h('textarea', { class: 'bt-textarea bt-textarea-short', name: 'model-description', dataset: { path: 'description' } }, model.description ?? '');
  const sessionEl = numberInput(model.sessionTimeoutMinutes, { path: 'sessionTimeoutMinutes', name: 'sessionTimeoutMinutes', min: 1, step: 1, placeholder: '30' });
  const decay = decayEditor(model.decay, { path: 'decay', name: 'model-decay' });
  card.append(h('div', { class: 'bt-grid' },
    field('Id', idEl), field('Name', nameEl), field('Version', versionEl),
    field('Visit ends after (minutes idle)', sessionEl), field('Default decay of behaviour points', decay.el), field('Description', descEl)));

  // Groups: a table of bounds; renaming a group here does not rename it in the rules.
  const groups = Object.entries(model.groups && typeof model.groups === 'object' ? model.groups : {}).map(([name, b]) => ({ name, b }));
  const tbody = h('tbody');
  const drawGroups = () => {
    clear(tbody);
    groups.forEach((g, k) => {
      const path = `groups.${g.name}`;
      g.nameEl = textInput(g.nameEl?.value ?? g.name, { path, name: 'group-name', list: 'bt-dl-groups' });
      const prev = g.row?.read();
      g.row = boundsRow(prev ?? g.b, path, 'group');
      tbody.append(h('tr', { dataset: { group: g.name } }, h('td', {}, g.nameEl), g.row.cells.map((c) => h('td', {}, c)),
        h('td', {}, h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name: 'group-remove', title: 'Remove', onclick: () => { groups.splice(k, 1); drawGroups(); } }, '×'))));
    });
  };
  drawGroups();
  const total = boundsRow(model.limits?.total, 'limits.total', 'total');
  const gradeEls = GRADES.map((g) => numberInput(model.grades?.[g], { path: `grades.${g}`, name: `grade-${g}`, placeholder: '–' }));
  card.append(h('h3', { class: 'bt-sub' }, 'Group limits'),
    h('table', { class: 'bt-table bt-form-table', dataset: { path: 'groups' } }, h('thead', {}, h('tr', {}, ['Group', 'Min', 'Max', 'Note', ''].map((t) => h('th', {}, t)))), tbody),
    h('button', { class: 'bt-btn bt-btn-small', type: 'button', id: 'bt-group-add', onclick: () => { groups.push({ name: '', b: {} }); drawGroups(); } }, '+ Group limit'),
    h('h3', { class: 'bt-sub' }, 'Total score limits'),
    h('div', { class: 'bt-row', dataset: { path: 'limits' } }, h('span', { class: 'bt-muted' }, 'min'), total.cells[0], h('span', { class: 'bt-muted' }, 'max'), total.cells[1], total.cells[2]),
    h('h3', { class: 'bt-sub' }, 'Fit grades (minimum fit score; below the last is F)'),
    h('div', { class: 'bt-row', dataset: { path: 'grades' } }, GRADES.map((g, k) => h('label', { class: 'bt-inline' }, `${g} ≥ `, gradeEls[k]))));

  const read = () => {
    const next = structuredClone(model);
    put(next, 'id', idEl.value || (model.id === '' ? '' : undefined));
    put(next, 'name', nameEl.value || (model.name === '' ? '' : undefined));
    next.version = versionEl.value;
    put(next, 'description', descEl.value || (model.description === '' ? '' : undefined));
    put(next, 'sessionTimeoutMinutes', readNumber(sessionEl));
    put(next, 'decay', decay.value());
    const nextGroups = Object.fromEntries(groups.map((g) => [g.nameEl.value, g.row.read()]));
    put(next, 'groups', groups.length || model.groups !== undefined ? nextGroups : undefined);
    const limits = structuredClone(model.limits ?? {});
    const t = total.read();
    put(limits, 'total', Object.keys(t).length || model.limits?.total !== undefined ? t : undefined);
    put(next, 'limits', Object.keys(limits).length || model.limits !== undefined ? limits : undefined);
    const grades = structuredClone(model.grades ?? {});
    GRADES.forEach((g, k) => put(grades, g, readNumber(gradeEls[k])));
    put(next, 'grades', Object.keys(grades).length || model.grades !== undefined ? grades : undefined);
    return next;
  };
  card.append(h('div', { class: 'bt-row', style: 'margin-top:10px' }, h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-scoring-apply', onclick: () => onApply(read()) }, 'Apply settings')));
  return card;
}
