// One rule as a form: id, description, kind, group, points, caps, decay override and its `when`
// in the condition builder. Starts from the rule's own JSON and changes only what was edited.
import { h } from '../dom.js';
import { conditionBuilder } from './condition-builder.js';
import { decayEditor, field, numberInput, put, readNumber, select, textInput } from './fields.js';

const CAP_COUNTS = [['perSession', 'per visit'], ['perDay', 'per day'], ['total', 'in total']];

const kindOf = (rule) => (rule.kind === 'fit' ? 'fit' : 'behavior');

/** The rule editor card. `onApply(next)` receives the edited rule JSON. */
export function ruleForm(rule, i, { lists, onApply, onClose }) {
  const p = `rules[${i}]`;
  const card = h('div', { class: 'bt-card', id: 'bt-rule-form', dataset: { rule: i } }, h('h2', { class: 'bt-card-title' }, 'Edit rule ', h('span', { class: 'bt-mono' }, rule.id ?? String(i + 1))));
  const idEl = textInput(rule.id, { path: `${p}.id`, name: 'id' });
  const descEl = textInput(rule.description, { path: `${p}.description`, name: 'description', placeholder: 'what it means (optional)' });
  const kindEl = select([['behavior', 'behaviour (per event)'], ['fit', 'fit (current traits)']], kindOf(rule), { path: `${p}.kind`, name: 'kind' });
  const groupEl = textInput(rule.group, { path: `${p}.group`, name: 'group', list: lists.groups, placeholder: 'engagement / fit by default' });
  const pointsEl = numberInput(rule.points, { path: `${p}.points`, name: 'points' });
  const cap = rule.cap ?? {};
  const onceEl = h('input', { type: 'checkbox', name: 'cap-once', checked: cap.once === true, dataset: { path: `${p}.cap.once` } });
  const capEls = Object.fromEntries(CAP_COUNTS.map(([k]) => [k, numberInput(cap[k], { path: `${p}.cap.${k}`, name: `cap-${k}`, min: 1, step: 1, placeholder: '–' })]));
  const decay = decayEditor(rule.decay, { path: `${p}.decay`, allowDefault: true });
  const capBox = h('div', { class: 'bt-row bt-cap', dataset: { path: `${p}.cap` } },
    h('label', { class: 'bt-inline' }, onceEl, ' once ever'),
    CAP_COUNTS.map(([k, label]) => h('label', { class: 'bt-inline' }, capEls[k], ` ${label}`)));
  card.append(h('div', { class: 'bt-grid' },
    field('Id', idEl), field('Description', descEl), field('Kind', kindEl), field('Group', groupEl), field('Points (negative to subtract)', pointsEl),
    field('Cap (behaviour rules; all given apply)', capBox), field('Decay', decay.el)));

  const whenBox = h('div');
  let builder;
  const mountBuilder = (value) => {
    builder = conditionBuilder(value, { path: `${p}.when`, scope: kindEl.value, lists });
    whenBox.replaceChildren(builder.el);
  };
  mountBuilder(rule.when);
  // Fit rules see traits only, take no cap and never decay: the form offers what the kind takes
  // (a cap or decay already there stays visible, so the engine's problem with it shows).
  const capField = capBox.parentElement;
  const decayField = decay.el.parentElement;
  const showKind = () => {
    const fit = kindEl.value === 'fit';
    capField.hidden = fit && rule.cap === undefined;
    decayField.hidden = fit && rule.decay === undefined;
  };
  showKind();
  kindEl.addEventListener('change', () => { mountBuilder(builder.value()); showKind(); });
  card.append(h('h3', { class: 'bt-sub' }, 'When'), whenBox);

  const read = () => {
    const next = structuredClone(rule);
    // Text as typed (no trimming): an untouched form must give back the rule it was given.
    next.id = idEl.value;
    put(next, 'description', descEl.value || (rule.description === '' ? '' : undefined));
    if (kindEl.value !== kindOf(rule)) put(next, 'kind', kindEl.value === 'fit' ? 'fit' : undefined);
    put(next, 'group', groupEl.value || (rule.group === '' ? '' : undefined));
    next.points = readNumber(pointsEl) ?? null;
    const nextCap = structuredClone(rule.cap ?? {});
    put(nextCap, 'once', onceEl.checked ? true : cap.once === false ? false : undefined);
    for (const [k] of CAP_COUNTS) put(nextCap, k, readNumber(capEls[k]));
    put(next, 'cap', Object.keys(nextCap).length || (rule.cap && Object.keys(rule.cap).length === 0) ? nextCap : undefined);
    put(next, 'decay', decay.value());
    next.when = builder.value();
    return next;
  };
  card.append(h('div', { class: 'bt-row', style: 'margin-top:10px' },
    h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-rule-save', onclick: () => onApply(read()) }, 'Apply rule'),
    h('button', { class: 'bt-btn', type: 'button', id: 'bt-rule-close', onclick: onClose }, 'Close')));
  return card;
}
