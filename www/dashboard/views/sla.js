// SLA: time from MQL to the first sales touch against the follow-up SLA; the breach list.
import { h, fmt, table, card } from '../dom.js';

export async function render(root, ctx) {
  const model = ctx.model();
  const input = h('input', { class: 'bt-input', type: 'number', id: 'bt-sla-minutes', min: 1, value: model.handoff?.slaMinutes ?? 1440 });
  const out = h('div');
  const draw = async () => {
    const r = await ctx.call('sla', model, ctx.state.asOf, Number(input.value));
    out.replaceChildren(
      h('div', { class: 'bt-kpis' },
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.mqls)), h('div', { class: 'bt-kpi-label' }, 'MQLs')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-pos' }, fmt.int(r.met)), h('div', { class: 'bt-kpi-label' }, 'within SLA')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-neg' }, fmt.int(r.breached)), h('div', { class: 'bt-kpi-label' }, 'breached')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.pending)), h('div', { class: 'bt-kpi-label' }, 'waiting, in time')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.dur(r.medianResponseMs)), h('div', { class: 'bt-kpi-label' }, 'median response')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.dur(r.p90ResponseMs)), h('div', { class: 'bt-kpi-label' }, 'p90 response'))),
      h('div', { class: 'bt-grid' },
        card('By owner', table([
          { label: 'Owner', get: (o) => o[0] },
          { label: 'MQLs', class: 'bt-num', get: (o) => fmt.int(o[1]) },
          { label: 'Breached', class: 'bt-num', get: (o) => fmt.int(o[2]) },
          { label: 'Rate', class: 'bt-num', get: (o) => fmt.pct(o[1] ? o[2] / o[1] : null) },
        ], r.byOwner))),
      card(`Breaches (${fmt.int(r.breaches.length)})`, h('div', { id: 'bt-breaches' }, table([
        { label: 'Lead', get: (b) => b.name ?? b.email ?? b.leadId },
        { label: 'Company', get: (b) => b.company ?? '–' },
        { label: 'Owner', get: (b) => b.owner ?? '–' },
        { label: 'Source', get: (b) => b.source },
        { label: 'MQL at', get: (b) => fmt.date(b.mqlAt) },
        { label: 'Due', get: (b) => fmt.date(b.dueAt) },
        { label: 'Touched', get: (b) => (b.touchedAt ? fmt.date(b.touchedAt) : h('span', { class: 'bt-neg' }, 'not yet')) },
        { label: 'Late by', class: 'bt-num', get: (b) => fmt.dur(b.lateByMs) },
      ], r.breaches.slice(0, 300), { empty: 'No breaches.' }))));
  };
  input.addEventListener('change', draw);
  root.append(h('p', { class: 'bt-view-sub' }, 'Speed to lead: how fast sales touched each MQL, against the follow-up SLA.'),
    h('div', { class: 'bt-row' }, h('label', {}, 'SLA (minutes) '), input));
  root.append(out);
  await draw();
}
