// Small form controls shared by the model editor's forms. Each control edits one JSON value and
// carries the value's JSON path in `data-path`, so an engine problem lands next to it. Values
// keep their JSON type (a number stays a number, a one-item list stays a list) so an untouched
// form gives back exactly the model it was given.
import { h, clear } from '../dom.js';

/** A labelled field around a control. */
export function field(label, control, hint) {
  // A label around one input; a composite control holds its own labels (labels do not nest).
  const single = ['INPUT', 'SELECT', 'TEXTAREA'].includes(control.tagName);
  return h(single ? 'label' : 'div', { class: 'bt-field' }, h('span', {}, label), control, hint ? h('small', { class: 'bt-muted' }, hint) : null);
}

/** Number input: `''` reads back as `undefined` (optional) and anything else as a number. */
export function numberInput(value, { path, name, placeholder, onChange, min, step = 'any' } = {}) {
  const el = h('input', {
    class: 'bt-input bt-input-num', type: 'number', step, min, name, placeholder,
    dataset: path ? { path } : undefined, value: typeof value === 'number' ? String(value) : '',
  });
  el.addEventListener('change', () => onChange?.(readNumber(el)));
  return el;
}

export function readNumber(el) {
  return el.value.trim() === '' ? undefined : Number(el.value);
}

export function textInput(value, { path, name, placeholder, onChange, list, cls = '' } = {}) {
  const el = h('input', { class: `bt-input ${cls}`.trim(), name, placeholder, list, dataset: path ? { path } : undefined, value: typeof value === 'string' ? value : value == null ? '' : String(value) });
  el.addEventListener('change', () => onChange?.(el.value));
  return el;
}

export function select(options, value, { path, name, onChange, title } = {}) {
  const el = h('select', { class: 'bt-select', name, title, dataset: path ? { path } : undefined },
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  el.addEventListener('change', () => onChange?.(el.value));
  return el;
}

const SCALAR_TYPES = [['text', 'abc'], ['number', '123'], ['boolean', 'yes/no']];

function scalarType(v) {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'text';
}

/**
 * A string, number or boolean, with its type chosen beside it: `"100"` and `100` are different
 * models (the engine compares them alike, the model hash does not).
 */
export function scalarInput(value, { path, name, onChange, list } = {}) {
  let current = value ?? '';
  const box = h('span', { class: 'bt-scalar' });
  const draw = () => {
    clear(box);
    const type = scalarType(current);
    let control;
    if (type === 'boolean') {
      control = select([['true', 'true'], ['false', 'false']], String(current), { path, name, onChange: (v) => { current = v === 'true'; onChange?.(current); } });
    } else if (type === 'number') {
      control = numberInput(current, { path, name, onChange: (v) => { current = v ?? null; onChange?.(current); } });
    } else {
      control = textInput(current, { path, name, list, onChange: (v) => { current = v; onChange?.(current); } });
    }
    const typeSel = select(SCALAR_TYPES, type, { name: `${name ?? 'value'}-type`, title: 'Value type', onChange: (t) => {
      current = convertScalar(current, t);
      onChange?.(current);
      draw();
    } });
    typeSel.classList.add('bt-select-type');
    box.append(control, typeSel);
  };
  draw();
  return box;
}

function convertScalar(v, type) {
  if (type === 'number') {
    const n = Number(v);
    return v !== null && v !== '' && Number.isFinite(n) ? n : null;
  }
  if (type === 'boolean') return v === true || String(v).toLowerCase() === 'true';
  return v === null || v === undefined ? '' : String(v);
}

/**
 * A list editor for a value that is a string or a list (`"a"` or `["a", "b"]`), or always a list
 * (`alwaysList`). Items are text, or typed scalars with `scalars`. A single string stays a single
 * string until a second item is added.
 */
export function listEditor(value, { path, name, onChange, alwaysList = false, scalars = false, list, placeholder, addLabel = 'Add' } = {}) {
  const wasList = Array.isArray(value);
  const items = Array.isArray(value) ? [...value] : value === undefined || value === null ? [] : [value];
  const box = h('span', { class: 'bt-list' });
  const emit = () => (alwaysList || wasList || items.length !== 1 ? [...items] : items[0]);
  const draw = () => {
    clear(box);
    const asArray = alwaysList || wasList || items.length !== 1;
    // A single string is its own item: the path belongs to the input then, not to the list.
    if (path && asArray) box.dataset.path = path;
    else delete box.dataset.path;
    items.forEach((item, k) => {
      const itemPath = path ? (asArray ? `${path}[${k}]` : path) : undefined;
      const change = (v) => { items[k] = v; onChange?.(emit()); };
      const control = scalars
        ? scalarInput(item, { path: itemPath, name: `${name}-item`, onChange: change, list })
        : textInput(item, { path: itemPath, name: `${name}-item`, list, placeholder, onChange: change, cls: 'bt-list-item' });
      box.append(h('span', { class: 'bt-list-chip' }, control,
        h('button', { class: 'bt-btn bt-btn-icon', type: 'button', title: 'Remove this item', name: `${name}-remove`, onclick: () => { items.splice(k, 1); onChange?.(emit()); draw(); } }, '×')));
    });
    box.append(h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: `${name}-add`, title: 'Add an item', onclick: () => {
      items.push(scalars && items.length && typeof items[items.length - 1] !== 'string' ? convertScalar('', scalarType(items[items.length - 1])) : '');
      onChange?.(emit());
      draw();
      box.querySelectorAll('input')[items.length - 1]?.focus();
    } }, addLabel));
  };
  draw();
  return { el: box, value: emit };
}

const DECAY_MODES = [['none', 'no decay'], ['halfLife', 'half-life'], ['linear', 'linear']];

function decayMode(d) {
  if (d === undefined) return 'default';
  if (d === 'none') return 'none';
  if (d && typeof d === 'object' && 'linearPercent' in d) return 'linear';
  return 'halfLife';
}

/**
 * Decay: `"none"`, `{halfLifeDays}` or `{linearPercent, periodDays}`; with `allowDefault`,
 * absent means "the model's default" (a rule's override).
 */
export function decayEditor(value, { path, allowDefault = false, name = 'decay' } = {}) {
  let current = value === undefined ? undefined : structuredClone(value);
  const box = h('span', { class: 'bt-row bt-decay', dataset: { path } });
  const draw = () => {
    clear(box);
    const mode = decayMode(current);
    const modes = allowDefault ? [['default', 'model default'], ...DECAY_MODES] : DECAY_MODES;
    const shown = !allowDefault && mode === 'default' ? 'none' : mode;
    box.append(select(modes, shown, { name: `${name}-mode`, onChange: (m) => {
      if (m === 'default') current = undefined;
      else if (m === 'none') current = allowDefault || value !== undefined ? 'none' : undefined;
      else if (m === 'halfLife') current = { halfLifeDays: 30 };
      else current = { linearPercent: 10, periodDays: 7 };
      draw();
    } }));
    if (mode === 'halfLife') {
      box.append(numberInput(current.halfLifeDays, { path: `${path}.halfLifeDays`, name: `${name}-halfLifeDays`, onChange: (v) => { current.halfLifeDays = v ?? null; } }), h('span', { class: 'bt-muted' }, 'days'));
    } else if (mode === 'linear') {
      box.append(numberInput(current.linearPercent, { path: `${path}.linearPercent`, name: `${name}-linearPercent`, onChange: (v) => { current.linearPercent = v ?? null; } }),
        h('span', { class: 'bt-muted' }, '% per'),
        numberInput(current.periodDays, { path: `${path}.periodDays`, name: `${name}-periodDays`, onChange: (v) => { current.periodDays = v ?? null; } }),
        h('span', { class: 'bt-muted' }, 'days'));
    }
  };
  draw();
  return { el: box, value: () => current };
}

/** Sets `obj[key] = v`, or deletes the key when `v` is undefined (keeps the key's position). */
export function put(obj, key, v) {
  if (v === undefined) delete obj[key];
  else obj[key] = v;
  return obj;
}
