// Rejected leads: reasons, and which sources and rules the rejected leads share.
import { h, fmt, table, card, bar } from '../dom.js';

function rateTable(rows, label) {
  return table([
    { label, get: (r) => h('span', { class: label === 'Rule' ? 'bt-mono' : '' }, r.key) },
    { label: 'MQLs', class: 'bt-num', get: (r) => fmt.int(r.mqls) },
    { label: 'Rejected', class: 'bt-num', get: (r) => fmt.int(r.rejected) },
    { label: 'Rate', class: 'bt-num', get: (r) => fmt.pct(r.rejectionRate) },
    { label: 'Lift', class: 'bt-num', get: (r) => (r.lift === null ? '–' : h('span', { class: r.lift > 1.2 ? 'bt-neg' : '' }, `${fmt.num(r.lift, 2)}×`)) },
    { label: 'Top reason', get: (r) => r.topReason ?? '–' },
  ], rows);
}

export async function render(root, ctx) {
  const r = await ctx.call('rejected', ctx.model(), ctx.state.asOf);
  const max = r.byReason[0]?.count ?? 0;
  const byRule = [...r.byRule].sort((a, b) => (b.lift ?? 0) - (a.lift ?? 0));
  root.append(h('p', { class: 'bt-view-sub' }, 'Review rejected leads for patterns: a rule or source with a lift above 1 sends sales more leads they turn down.'),
    h('div', { class: 'bt-kpis' },
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.mqls)), h('div', { class: 'bt-kpi-label' }, 'MQLs')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-neg' }, fmt.int(r.rejected)), h('div', { class: 'bt-kpi-label' }, 'rejected')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(r.rejectionRate)), h('div', { class: 'bt-kpi-label' }, 'rejection rate'))),
    h('div', { class: 'bt-grid' },
      card('Reasons', h('div', { id: 'bt-reasons' }, r.byReason.length ? r.byReason.map((x) => h('div', { class: 'bt-row', dataset: { reason: x.key } }, h('span', { style: 'min-width:160px' }, x.key), bar(x.count, max, fmt.int(x.count)))) : h('p', { class: 'bt-muted' }, 'No rejected leads.'))),
      card('By source', rateTable(r.bySource, 'Source'))),
    card('By rule (rules the rejected leads matched)', rateTable(byRule, 'Rule')));
}
