// Handoff settings as a form: trigger stage, endpoint, follow-up SLA, payload parts, routing
// (ordered owner/team rules with a trait condition each, then the reps fallback) and the
// delivery retry policy. Starts from the handoff's own JSON and changes only what was edited.
import { h, clear } from '../dom.js';
import { conditionBuilder } from './condition-builder.js';
import { field, listEditor, numberInput, put, readNumber, select, textInput } from './fields.js';
import { STAGES } from './stages-form.js';

const PARTS = ['traits', 'attribution', 'ledger', 'history', 'stages'];
const RETRY = [
  ['maxAttempts', 'Max attempts', 8],
  ['maxAgeMinutes', 'Give up after (minutes)', 10080],
  ['baseDelaySeconds', 'First retry after (seconds)', 2],
  ['maxDelaySeconds', 'Longest wait (seconds)', 3600],
  ['leaseSeconds', 'Delivery lease (seconds)', 30],
];

/** The handoff card. `onApply(handoff)` receives the edited `handoff` object (or undefined). */
export function handoffForm(handoff, { lists, onApply }) {
  const card = h('section', { class: 'bt-card', id: 'bt-handoff' }, h('h2', { class: 'bt-card-title' }, 'Handoff'));
  if (handoff === null || typeof handoff !== 'object' || Array.isArray(handoff)) {
    // Absent, or not an object at all (only the JSON view can make that): start a fresh one.
    card.append(h('p', { class: 'bt-muted', dataset: { path: 'handoff' } }, 'No handoff: qualified visitors are scored but not sent anywhere.'),
      h('button', { class: 'bt-btn', type: 'button', id: 'bt-handoff-add', onclick: () => onApply({ stage: 'mql', endpoint: '' }) }, 'Add a handoff'));
    return card;
  }
  const ho = handoff;
  const stageEl = select([...new Set([...STAGES, ...(typeof ho.stage === 'string' ? [ho.stage] : [])])].map((s) => [s, s]), ho.stage, { path: 'handoff.stage', name: 'handoff-stage' });
  const endpointEl = textInput(ho.endpoint, { path: 'handoff.endpoint', name: 'endpoint', placeholder: 'https://crm.example.com/intake' });
  endpointEl.type = 'url';
  const slaEl = numberInput(ho.slaMinutes, { path: 'handoff.slaMinutes', name: 'slaMinutes', min: 1, step: 1, placeholder: '60' });
  const partEls = PARTS.map((part) => h('input', { type: 'checkbox', name: `include-${part}`, value: part, checked: !Array.isArray(ho.include) || ho.include.includes(part) }));
  const includeBox = h('div', { class: 'bt-row', dataset: { path: 'handoff.include' } }, PARTS.map((part, k) => h('label', { class: 'bt-inline' }, partEls[k], ` ${part}`)));
  card.append(h('div', { class: 'bt-grid' },
    field('Stage that triggers the handoff', stageEl), field('Endpoint (POST, text/plain JSON)', endpointEl),
    field('Follow-up SLA (minutes)', slaEl), field('Payload parts', includeBox)));

  // Routing: ordered rules, first match wins.
  const routing = ho.routing ?? {};
  const routes = (Array.isArray(routing.rules) ? routing.rules : []).map((r) => routeEntry(r));
  function routeEntry(r) {
    return { orig: r, builder: null, owner: null, team: null };
  }
  const routeList = h('div', { class: 'bt-route-list', dataset: { path: 'handoff.routing.rules' } });
  const drawRoutes = () => {
    clear(routeList);
    routes.forEach((r, k) => {
      const p = `handoff.routing.rules[${k}]`;
      // Rebuilt on every move so each field names its new index.
      const when = r.builder ? r.builder.value() : r.orig?.when;
      r.builder = conditionBuilder(when, { path: `${p}.when`, scope: 'routing', lists });
      const owner = r.owner?.value ?? r.orig?.owner;
      const team = r.team?.value ?? r.orig?.team;
      r.owner = textInput(owner, { path: `${p}.owner`, name: 'route-owner', placeholder: 'owner (email or name)' });
      r.team = textInput(team, { path: `${p}.team`, name: 'route-team', placeholder: 'team', list: lists.teams });
      routeList.append(h('div', { class: 'bt-route', dataset: { path: p, route: k } },
        h('div', { class: 'bt-row' }, h('strong', {}, `Rule ${k + 1}`), h('span', { class: 'bt-muted' }, 'assign'), r.owner, r.team, h('span', { class: 'bt-muted' }, 'when:'),
          h('span', { class: 'bt-cond-actions' },
            h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name: 'route-up', title: 'Move up', disabled: k === 0, onclick: () => { [routes[k - 1], routes[k]] = [routes[k], routes[k - 1]]; drawRoutes(); } }, '↑'),
            h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name: 'route-down', title: 'Move down', disabled: k === routes.length - 1, onclick: () => { [routes[k + 1], routes[k]] = [routes[k], routes[k + 1]]; drawRoutes(); } }, '↓'),
            h('button', { class: 'bt-btn bt-btn-icon', type: 'button', name: 'route-remove', title: 'Remove', onclick: () => { routes.splice(k, 1); drawRoutes(); } }, '×'))),
        r.builder.el));
    });
    if (routes.length === 0) routeList.append(h('p', { class: 'bt-muted' }, 'No routing rules: every lead goes to the reps below.'));
  };
  drawRoutes();
  const reps = listEditor(routing.reps, { path: 'handoff.routing.reps', name: 'rep', placeholder: 'rep@example.com', addLabel: '+ rep' });
  const teamEl = textInput(routing.team, { path: 'handoff.routing.team', name: 'routing-team', placeholder: 'team for the fallback', list: lists.teams });
  card.append(h('h3', { class: 'bt-sub' }, 'Routing'), h('p', { class: 'bt-muted' }, 'The first rule whose trait condition holds assigns the owner and team; otherwise a stable pick among the reps.'),
    routeList,
    h('button', { class: 'bt-btn bt-btn-small', type: 'button', id: 'bt-route-add', onclick: () => { routes.push(routeEntry({ when: { trait: 'country', in: [''] }, team: '' })); drawRoutes(); } }, '+ Routing rule'),
    h('div', { class: 'bt-grid', style: 'margin-top:10px' }, field('Fallback reps (round-robin by visitor)', reps.el), field('Fallback team', teamEl)));

  const retry = ho.retry ?? {};
  const retryEls = Object.fromEntries(RETRY.map(([k, , d]) => [k, numberInput(retry[k], { path: `handoff.retry.${k}`, name: `retry-${k}`, min: 1, step: 1, placeholder: `${d} (default)` })]));
  card.append(h('h3', { class: 'bt-sub' }, 'Delivery retry policy'),
    h('div', { class: 'bt-grid bt-grid-tight', dataset: { path: 'handoff.retry' } }, RETRY.map(([k, label]) => field(label, retryEls[k]))));

  const read = () => {
    const next = structuredClone(ho);
    next.stage = stageEl.value;
    next.endpoint = endpointEl.value;
    put(next, 'slaMinutes', readNumber(slaEl) ?? (ho.slaMinutes === null ? null : undefined));
    const checked = PARTS.filter((_, k) => partEls[k].checked);
    const same = Array.isArray(ho.include) ? checked.length === new Set(ho.include).size && ho.include.every((x) => checked.includes(x)) : checked.length === PARTS.length;
    put(next, 'include', same ? ho.include : checked);
    const nextRouting = structuredClone(routing);
    const nextRules = routes.map((r) => {
      const rule = structuredClone(r.orig ?? {});
      rule.when = r.builder.value();
      put(rule, 'owner', r.owner.value || (r.orig?.owner === '' ? '' : undefined));
      put(rule, 'team', r.team.value || (r.orig?.team === '' ? '' : undefined));
      return rule;
    });
    put(nextRouting, 'rules', nextRules.length || routing.rules !== undefined ? nextRules : undefined);
    const repsValue = reps.value();
    put(nextRouting, 'reps', (Array.isArray(repsValue) && repsValue.length === 0 && routing.reps === undefined) ? undefined : repsValue);
    put(nextRouting, 'team', teamEl.value || (routing.team === '' ? '' : undefined));
    put(next, 'routing', Object.keys(nextRouting).length || ho.routing !== undefined ? nextRouting : undefined);
    const nextRetry = structuredClone(retry);
    for (const [k] of RETRY) put(nextRetry, k, readNumber(retryEls[k]));
    put(next, 'retry', Object.keys(nextRetry).length || ho.retry !== undefined ? nextRetry : undefined);
    return next;
  };
  card.append(h('div', { class: 'bt-row', style: 'margin-top:10px' },
    h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-handoff-apply', onclick: () => onApply(read()) }, 'Apply handoff'),
    h('button', { class: 'bt-btn bt-btn-danger', type: 'button', id: 'bt-handoff-remove', onclick: () => onApply(undefined) }, 'Remove handoff')));
  return card;
}
