// Stages and their criteria as a form: one condition builder (stage scope: scores, rule matches,
// visits, traits) per stage, stages added and removed from the lifecycle's list.
import { h, clear } from '../dom.js';
import { conditionBuilder } from './condition-builder.js';
import { select } from './fields.js';

/** The lifecycle in order (src/stage.rs); `anonymous` takes no criteria. */
export const STAGES = ['known', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'rejected', 'recycled'];
const NEW_CRITERIA = { score: 'total', gte: 50 };

/** The stages card. `onApply(stages)` receives the edited `stages` object (or undefined). */
export function stagesForm(stages, { lists, onApply }) {
  const had = stages !== undefined;
  const entries = Object.entries(stages && typeof stages === 'object' && !Array.isArray(stages) ? stages : {}).map(([name, crit]) => ({ name, builder: conditionBuilder(crit, { path: `stages.${name}`, scope: 'stage', lists }) }));
  const card = h('section', { class: 'bt-card', id: 'bt-stages' }, h('h2', { class: 'bt-card-title' }, 'Stages and criteria'),
    h('p', { class: 'bt-muted' }, 'A visitor moves forward into every stage whose criteria hold. Without “known” criteria a visitor is known once identified or with an email.'));
  const list = h('div', { class: 'bt-stage-list' });
  const addRow = h('div', { class: 'bt-row' });
  const draw = () => {
    clear(list);
    entries.forEach((e, k) => {
      list.append(h('div', { class: 'bt-stage', dataset: { stage: e.name, path: `stages.${e.name}` } },
        h('div', { class: 'bt-row' }, h('span', { class: `bt-tag bt-tag-${e.name}` }, e.name),
          h('button', { class: 'bt-btn bt-btn-small bt-btn-danger', type: 'button', name: 'remove-stage', onclick: () => { entries.splice(k, 1); draw(); } }, 'Remove stage')),
        e.builder.el));
    });
    if (entries.length === 0) list.append(h('p', { class: 'bt-muted' }, 'No stage criteria: visitors become known when identified, and never an MQL.'));
    clear(addRow);
    const free = STAGES.filter((s) => !entries.some((e) => e.name === s));
    if (free.length) {
      const pick = select(free.map((s) => [s, s]), free.includes('mql') ? 'mql' : free[0], { name: 'new-stage' });
      addRow.append(pick, h('button', { class: 'bt-btn bt-btn-small', type: 'button', id: 'bt-stage-add', onclick: () => {
        entries.push({ name: pick.value, builder: conditionBuilder(NEW_CRITERIA, { path: `stages.${pick.value}`, scope: 'stage', lists }) });
        draw();
      } }, 'Add stage criteria'));
    }
  };
  draw();
  const read = () => {
    if (!had && entries.length === 0) return undefined;
    // Keep the stages' own order: the lifecycle decides precedence, not the key order.
    return Object.fromEntries(entries.map((e) => [e.name, e.builder.value()]));
  };
  card.append(list, addRow, h('div', { class: 'bt-row' }, h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-stages-apply', onclick: () => onApply(read()) }, 'Apply stages')));
  return card;
}
