// The condition builder: edits a condition (a rule's `when`, a stage's criteria, a routing rule's
// `when`) as nested groups — all of / any of / not — down to leaves that name one subject and its
// tests. It edits the condition's own JSON in place, so what it gives back is exactly what it was
// given plus the marketer's edits (key order and value types included). Every field carries its
// JSON path (`rules[3].when.any[1].equals`), where the engine's problems are shown.
//
// The subjects, tests and where each subject is allowed follow src/condition.rs.
import { h, clear } from '../dom.js';
import { listEditor, numberInput, scalarInput, select, textInput } from './fields.js';

export const GROUPS = ['all', 'any', 'not'];
const GROUP_LABELS = { all: 'all of', any: 'any of', not: 'not' };

/** Subject → label, value shape, and the scopes that allow it (src/condition.rs). */
export const SUBJECTS = {
  type: { label: 'event type', shape: 'patterns', scopes: ['behavior'] },
  path: { label: 'page path', shape: 'patterns', scopes: ['behavior'] },
  pathPrefix: { label: 'path prefix', shape: 'patterns', scopes: ['behavior'] },
  url: { label: 'page URL', shape: 'patterns', scopes: ['behavior'] },
  referrer: { label: 'referrer', shape: 'patterns', scopes: ['behavior'] },
  event: { label: 'event name', shape: 'patterns', scopes: ['behavior'] },
  query: { label: 'query parameter', shape: 'named', scopes: ['behavior'] },
  property: { label: 'event property', shape: 'named', scopes: ['behavior'] },
  trait: { label: 'trait', shape: 'named', scopes: ['behavior', 'fit', 'stage', 'routing'] },
  identified: { label: 'identified', shape: 'flag', scopes: ['behavior', 'fit', 'stage', 'routing'] },
  score: { label: 'score', shape: 'named', scopes: ['stage'] },
  matches: { label: 'rule matches', shape: 'matches', scopes: ['stage'] },
  visits: { label: 'visits', shape: 'visits', scopes: ['stage'] },
};

/** Test → label and value kind. */
export const TESTS = {
  equals: { label: 'equals', kind: 'scalar' },
  in: { label: 'is one of', kind: 'scalars' },
  contains: { label: 'contains', kind: 'text' },
  containsWord: { label: 'contains word', kind: 'strings' },
  startsWith: { label: 'starts with', kind: 'text' },
  endsWith: { label: 'ends with', kind: 'text' },
  gte: { label: '≥', kind: 'number' },
  gt: { label: '>', kind: 'number' },
  lte: { label: '≤', kind: 'number' },
  lt: { label: '<', kind: 'number' },
  exists: { label: 'exists', kind: 'bool' },
};
const NUMERIC = ['gte', 'gt', 'lte', 'lt'];
const NAME_HINT = { query: 'parameter, e.g. utm_source', property: 'property, e.g. category', trait: 'trait, e.g. title', score: 'total, fit, engagement or a group' };
const PATTERN_HINT = {
  type: 'page, screen, track, identify or group',
  path: 'glob: /pricing, /blog/* (* any run, ? one character)',
  pathPrefix: '/resources/',
  url: 'glob on the full URL',
  referrer: 'glob, e.g. *google.*',
  event: 'glob, e.g. Webinar *',
};

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStrings = (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null));
const isScalar = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isNumber = (v) => v === null || typeof v === 'number';

function testValueFits(op, v) {
  switch (TESTS[op].kind) {
    case 'scalar': return isScalar(v);
    case 'scalars': return Array.isArray(v) && v.every(isScalar);
    case 'text': return v === null || typeof v === 'string';
    case 'strings': return v === null || isStrings(v);
    case 'number': return isNumber(v);
    default: return v === null || typeof v === 'boolean';
  }
}

/**
 * What the builder shows for a node: `{group}`, `{subject}`, or `{raw: reason}` when the JSON is
 * not a condition the builder can edit field by field (only invalid conditions: the engine
 * rejects them too), which is then edited as JSON in place.
 */
export function classify(node) {
  if (!isObject(node)) return { raw: 'not an object' };
  const keys = Object.keys(node);
  const groups = keys.filter((k) => GROUPS.includes(k));
  const subjects = keys.filter((k) => k in SUBJECTS);
  if (groups.length + subjects.length !== 1) return { raw: 'needs exactly one subject' };
  if (groups.length) {
    const g = groups[0];
    if (keys.length !== 1) return { raw: 'a group takes one key' };
    if (g !== 'not' && !Array.isArray(node[g])) return { raw: 'a group holds a list' };
    return { group: g };
  }
  const subject = subjects[0];
  const others = keys.filter((k) => k !== subject);
  const v = node[subject];
  switch (SUBJECTS[subject].shape) {
    case 'patterns':
      return others.length === 0 && (v === null || isStrings(v)) ? { subject } : { raw: 'unexpected keys or values' };
    case 'named':
      return (v === null || typeof v === 'string') && others.every((k) => k in TESTS && testValueFits(k, node[k])) ? { subject } : { raw: 'unexpected keys or values' };
    case 'flag':
      return others.length === 0 && (v === null || typeof v === 'boolean') ? { subject } : { raw: 'unexpected keys or values' };
    case 'matches':
      return isStrings(v) && others.every((k) => ['atLeast', 'withinDays'].includes(k) && isNumber(node[k])) ? { subject } : { raw: 'unexpected keys or values' };
    default:
      return isNumber(v) && others.every((k) => k === 'withinDays' && isNumber(node[k])) ? { subject } : { raw: 'unexpected keys or values' };
  }
}

/** A fresh leaf for a subject, carrying over what still fits from `old`. */
export function defaultLeaf(subject, old) {
  const shape = SUBJECTS[subject].shape;
  const oldSubject = old ? Object.keys(old).find((k) => k in SUBJECTS) : null;
  if (shape === 'patterns') {
    const carried = oldSubject && SUBJECTS[oldSubject].shape === 'patterns' && subject !== 'type' && oldSubject !== 'type' ? old[oldSubject] : '';
    return { [subject]: carried };
  }
  if (shape === 'named') {
    const leaf = { [subject]: oldSubject && SUBJECTS[oldSubject].shape === 'named' ? old[oldSubject] : subject === 'score' ? 'total' : '' };
    const tests = oldSubject && SUBJECTS[oldSubject].shape === 'named' ? Object.keys(old).filter((k) => k in TESTS && (subject !== 'score' || NUMERIC.includes(k))) : [];
    for (const k of tests) leaf[k] = old[k];
    if (tests.length === 0) Object.assign(leaf, subject === 'score' ? { gte: 50 } : { equals: '' });
    return leaf;
  }
  if (shape === 'flag') return { identified: true };
  if (shape === 'matches') return { matches: '', atLeast: 1, withinDays: 30 };
  return { visits: 2, withinDays: 30 };
}

/** The first leaf a new condition gets in a scope. */
export function newLeaf(scope) {
  return scope === 'behavior' ? { event: '' } : scope === 'stage' ? { score: 'total', gte: 50 } : { trait: '', equals: '' };
}

/** Converts a test's value when its operator changes, keeping what still makes sense. */
export function convertTestValue(value, op) {
  const first = Array.isArray(value) ? value[0] : value;
  switch (TESTS[op].kind) {
    case 'number': {
      const n = typeof first === 'number' ? first : Number(first);
      return first !== '' && first !== null && first !== undefined && Number.isFinite(n) ? n : null;
    }
    case 'bool': return true;
    case 'scalars': return Array.isArray(value) ? value : [first ?? ''];
    case 'strings': return Array.isArray(value) ? value.map((x) => String(x ?? '')) : String(first ?? '');
    case 'text': return first === null || first === undefined ? '' : String(first);
    default: return first ?? '';
  }
}

function valueText(v) {
  return Array.isArray(v) ? v.join(', ') : String(v ?? '');
}

/** A readable one-line summary of any condition (nested all/any/not included). */
export function summarize(when, top = true) {
  const c = classify(when);
  if (c.raw) return JSON.stringify(when);
  if (c.group === 'not') return `not ${summarize(when.not, false)}`;
  if (c.group) {
    const text = when[c.group].map((x) => summarize(x, false)).join(c.group === 'all' ? ' and ' : ' or ');
    return top || when[c.group].length < 2 ? text : `(${text})`;
  }
  const s = c.subject;
  const shape = SUBJECTS[s].shape;
  if (shape === 'patterns' || shape === 'flag') return `${s} = ${valueText(when[s])}`;
  if (shape === 'matches') return `matches ${valueText(when.matches)} ≥ ${when.atLeast ?? '?'}${when.withinDays ? ` in ${when.withinDays} d` : ''}`;
  if (shape === 'visits') return `visits ≥ ${when.visits}${when.withinDays ? ` in ${when.withinDays} d` : ''}`;
  const tests = Object.keys(when).filter((k) => k !== s).map((k) => `${TESTS[k].label} ${valueText(when[k])}`);
  return `${s} ${when[s]} ${tests.join(', ')}`;
}

/**
 * Builds the editor. `initial`: the condition JSON; `path`: its JSON path; `scope`: behavior, fit,
 * stage or routing (decides the subjects offered); `lists`: datalist ids for suggestions;
 * `onChange`: called after every edit. Returns `{ el, value() }`.
 */
export function conditionBuilder(initial, { path, scope = 'behavior', lists = {}, onChange = () => {} } = {}) {
  let root = initial === undefined ? newLeaf(scope) : structuredClone(initial);
  let asJson = false;
  const el = h('div', { class: 'bt-cond', dataset: { condPath: path, scope } });
  const changed = () => onChange(root);
  const redraw = () => {
    clear(el);
    const tools = h('div', { class: 'bt-cond-tools' },
      h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'cond-json', onclick: () => {
        if (asJson) {
          const ta = el.querySelector('textarea[name="cond-json-text"]');
          try {
            root = JSON.parse(ta.value);
          } catch (e) {
            el.querySelector('.bt-cond-json-error').textContent = `Not valid JSON: ${e.message}`;
            return;
          }
          changed();
        }
        asJson = !asJson;
        redraw();
      } }, asJson ? 'Back to the builder' : 'Edit as JSON'));
    el.append(tools);
    if (asJson) {
      el.append(h('textarea', { class: 'bt-textarea', name: 'cond-json-text', spellcheck: false, dataset: { path } }, JSON.stringify(root, null, 2)), h('div', { class: 'bt-error bt-cond-json-error' }));
      return;
    }
    el.append(renderNode({ get: () => root, set: (v) => { root = v; } }, path, true));
  };

  /**
   * `slot`: where the node lives — get/set, and for list members remove/move/out/insertAfter.
   */
  function renderNode(slot, p, isRoot) {
    const node = slot.get();
    const c = classify(node);
    const actions = nodeActions(slot, isRoot, c);
    if (c.raw) {
      const ta = h('textarea', { class: 'bt-textarea bt-cond-raw', name: 'cond-raw', spellcheck: false, dataset: { path: p } }, JSON.stringify(node, null, 2));
      const err = h('div', { class: 'bt-error' });
      ta.addEventListener('change', () => {
        try {
          slot.set(JSON.parse(ta.value));
          err.textContent = '';
          changed();
          redraw();
        } catch (e) {
          err.textContent = `Not valid JSON: ${e.message}`;
        }
      });
      return h('div', { class: 'bt-cond-node bt-cond-leaf', dataset: { nodePath: p } }, h('div', { class: 'bt-cond-row' }, h('span', { class: 'bt-muted' }, `Edit as JSON (${c.raw}):`), actions), ta, err);
    }
    if (c.group) return renderGroup(slot, p, c.group, actions);
    return h('div', { class: 'bt-cond-node bt-cond-leaf', dataset: { nodePath: p, path: p, subject: c.subject } }, h('div', { class: 'bt-cond-row' }, ...leafFields(node, c.subject, p, slot), actions));
  }

  function renderGroup(slot, p, op, actions) {
    const node = slot.get();
    const opSel = select(GROUPS.map((g) => [g, GROUP_LABELS[g]]), op, { name: 'group-op', path: p, onChange: (next) => {
      slot.set(regroup(node, op, next));
      changed();
      redraw();
    } });
    const head = h('div', { class: 'bt-cond-row bt-cond-head' }, opSel, h('span', { class: 'bt-muted' }, op === 'not' ? 'this condition holds' : 'these conditions hold'));
    const box = h('div', { class: `bt-cond-node bt-cond-group bt-cond-${op}`, dataset: { nodePath: p, group: op } }, head);
    if (op === 'not') {
      box.append(h('div', { class: 'bt-cond-children' }, renderNode({ get: () => node.not, set: (v) => { node.not = v; } }, `${p}.not`, false)));
    } else {
      const list = node[op];
      const kids = h('div', { class: 'bt-cond-children', dataset: { path: `${p}.${op}` } });
      list.forEach((_, k) => {
        kids.append(renderNode({
          get: () => list[k],
          set: (v) => { list[k] = v; },
          remove: () => list.splice(k, 1),
          move: (d) => { [list[k], list[k + d]] = [list[k + d], list[k]]; },
          first: k === 0,
          last: k === list.length - 1,
          out: slot.insertAfter ? () => { const [x] = list.splice(k, 1); slot.insertAfter(x); } : null,
          into: intoAbove(list, k),
          insertAfter: (v) => list.splice(k + 1, 0, v),
        }, `${p}.${op}[${k}]`, false));
      });
      if (list.length === 0) kids.append(h('div', { class: 'bt-muted' }, 'Empty group: add a condition.'));
      box.append(kids, h('div', { class: 'bt-cond-row bt-cond-add' },
        h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'add-condition', onclick: () => { list.push(newLeaf(scope)); changed(); redraw(); } }, '+ Condition'),
        h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'add-group', onclick: () => { list.push({ all: [newLeaf(scope)] }); changed(); redraw(); } }, '+ Group')));
    }
    head.append(actions);
    return box;
  }

  function nodeActions(slot, isRoot, c) {
    const act = (label, name, title, fn, disabled = false) => h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name, title, disabled, onclick: () => { fn(); changed(); redraw(); } }, label);
    const box = h('span', { class: 'bt-cond-actions' });
    if (slot.move) {
      box.append(act('↑', 'move-up', 'Move up', () => slot.move(-1), slot.first), act('↓', 'move-down', 'Move down', () => slot.move(1), slot.last));
    }
    if (slot.out) box.append(act('⇤', 'move-out', 'Move out of this group', () => slot.out()));
    if (slot.into) box.append(act('⇥', 'move-into', 'Move into the group above', () => slot.into()));
    if (!c.group) box.append(act('group', 'wrap', 'Turn into a group (all of this condition)', () => slot.set({ all: [slot.get()] })));
    if (c.group) {
      const node = slot.get();
      const only = c.group === 'not' ? node.not : node[c.group].length === 1 ? node[c.group][0] : undefined;
      if (only !== undefined) box.append(act('ungroup', 'unwrap', 'Ungroup (keep the one condition inside)', () => slot.set(only)));
    }
    if (slot.remove) box.append(act('×', 'remove', 'Remove', () => slot.remove()));
    return box;
  }

  function leafFields(node, subject, p, slot) {
    const subjects = Object.entries(SUBJECTS).filter(([s, d]) => d.scopes.includes(scope) || s === subject).map(([s, d]) => [s, d.label]);
    const subjectSel = select(subjects, subject, { name: 'subject', title: 'What to look at', onChange: (s) => {
      slot.set(defaultLeaf(s, node));
      changed();
      redraw();
    } });
    const shape = SUBJECTS[subject].shape;
    const fields = [subjectSel];
    if (shape === 'patterns') {
      const list = subject === 'type' ? lists.types : subject === 'event' ? lists.events : undefined;
      fields.push(listEditor(node[subject], { path: `${p}.${subject}`, name: 'pattern', list, placeholder: PATTERN_HINT[subject], addLabel: '+ or', onChange: (v) => { node[subject] = v; changed(); } }).el);
    } else if (shape === 'flag') {
      fields.push(select([['true', 'yes'], ['false', 'no']], String(node.identified ?? true), { name: 'flag', path: `${p}.identified`, onChange: (v) => { node.identified = v === 'true'; changed(); } }));
    } else if (shape === 'matches') {
      fields.push(listEditor(node.matches, { path: `${p}.matches`, name: 'rule', list: lists.rules, placeholder: 'rule id', addLabel: '+ or', onChange: (v) => { node.matches = v; changed(); } }).el,
        h('span', { class: 'bt-muted' }, 'at least'),
        numberInput(node.atLeast, { path: `${p}.atLeast`, name: 'atLeast', min: 1, step: 1, onChange: (v) => { putKey(node, 'atLeast', v); changed(); } }),
        h('span', { class: 'bt-muted' }, 'times within'),
        numberInput(node.withinDays, { path: `${p}.withinDays`, name: 'withinDays', placeholder: 'ever', onChange: (v) => { putKey(node, 'withinDays', v); changed(); } }),
        h('span', { class: 'bt-muted' }, 'days'));
    } else if (shape === 'visits') {
      fields.push(h('span', { class: 'bt-muted' }, 'at least'),
        numberInput(node.visits, { path: `${p}.visits`, name: 'visits', min: 1, step: 1, onChange: (v) => { node.visits = v ?? null; changed(); } }),
        h('span', { class: 'bt-muted' }, 'within'),
        numberInput(node.withinDays, { path: `${p}.withinDays`, name: 'withinDays', placeholder: 'ever', onChange: (v) => { putKey(node, 'withinDays', v); changed(); } }),
        h('span', { class: 'bt-muted' }, 'days'));
    } else {
      const nameList = subject === 'trait' ? lists.traits : subject === 'score' ? lists.scores : subject === 'property' ? lists.properties : undefined;
      fields.push(textInput(node[subject], { path: `${p}.${subject}`, name: 'name', list: nameList, placeholder: NAME_HINT[subject], onChange: (v) => { node[subject] = v; changed(); } }));
      const tests = h('span', { class: 'bt-tests' });
      const ops = Object.keys(node).filter((k) => k in TESTS);
      const offered = subject === 'score' ? NUMERIC : Object.keys(TESTS);
      ops.forEach((op, k) => {
        const opSel = select([...new Set([...offered, op])].map((o) => [o, TESTS[o].label]).map(([o, l]) => [o, l]), op, { name: 'op', title: 'Test', onChange: (next) => {
          if (next in node && next !== op) { opSel.value = op; return; } // one test of each kind
          renameKey(node, op, next, convertTestValue(node[op], next));
          changed();
          redraw();
        } });
        for (const o of opSel.options) o.disabled = o.value !== op && o.value in node;
        tests.append(h('span', { class: 'bt-test', dataset: { op } }, k > 0 ? h('span', { class: 'bt-muted' }, 'and') : null, opSel, testValue(node, op, `${p}.${op}`),
          ops.length > 1 ? h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name: 'remove-test', title: 'Remove this test', onclick: () => { delete node[op]; changed(); redraw(); } }, '×') : null));
      });
      const free = offered.filter((o) => !(o in node));
      if (free.length) {
        tests.append(h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'add-test', title: 'Add another test on the same value (all must hold)', onclick: () => {
          const op = free.find((o) => NUMERIC.includes(o) && ops.some((x) => NUMERIC.includes(x))) ?? free[0];
          node[op] = convertTestValue(null, op);
          changed();
          redraw();
        } }, '+ and'));
      }
      fields.push(tests);
    }
    return fields;
  }

  function testValue(node, op, p) {
    const kind = TESTS[op].kind;
    const set = (v) => { node[op] = v; changed(); };
    switch (kind) {
      case 'scalar': return scalarInput(node[op], { path: p, name: 'value', onChange: set });
      case 'scalars': return listEditor(node[op], { path: p, name: 'value', alwaysList: true, scalars: true, addLabel: '+ or', onChange: set }).el;
      case 'strings': return listEditor(node[op], { path: p, name: 'value', addLabel: '+ or', placeholder: 'word or phrase', onChange: set }).el;
      case 'number': return numberInput(node[op], { path: p, name: 'value', onChange: (v) => set(v ?? null) });
      case 'bool': return select([['true', 'yes'], ['false', 'no']], String(node[op] ?? true), { path: p, name: 'value', onChange: (v) => set(v === 'true') });
      default: return textInput(node[op], { path: p, name: 'value', onChange: set });
    }
  }

  redraw();
  return { el, value: () => structuredClone(root) };
}

/** Moving list[k] to the end of the all/any group just above it, when there is one. */
function intoAbove(list, k) {
  const above = k > 0 ? classify(list[k - 1]).group : null;
  if (above !== 'all' && above !== 'any') return null;
  return () => {
    const [x] = list.splice(k, 1);
    list[k - 1][above].push(x);
  };
}

/** Changes a group's combinator; `not` holds one condition, so several are grouped first. */
export function regroup(node, from, to) {
  if (from === to) return node;
  const kids = from === 'not' ? [node.not] : node[from];
  if (to === 'not') return { not: kids.length === 1 ? kids[0] : { [from]: kids } };
  return { [to]: kids };
}

function putKey(obj, key, v) {
  if (v === undefined) delete obj[key];
  else obj[key] = v;
}

/** Replaces `from` by `to` keeping the key's position (the JSON view stays in the same order). */
function renameKey(obj, from, to, value) {
  const entries = Object.entries(obj).map(([k, v]) => (k === from ? [to, value] : [k, v]));
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, Object.fromEntries(entries));
}
