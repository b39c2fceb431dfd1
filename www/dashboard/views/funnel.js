// Funnel: MQL → SAL → SQL → Opportunity → Won; conversion, median and p90 time in each stage;
// split by first-touch source and campaign.
import { h, fmt, table, card, bar } from '../dom.js';

const NAMES = { mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won' };

function splitTable(rows) {
  return table([
    { label: 'Key', get: (r) => r.key },
    ...['MQL', 'SAL', 'SQL', 'Opp', 'Won'].map((label, i) => ({ label, class: 'bt-num', get: (r) => fmt.int(r.counts[i]) })),
    { label: 'MQL → Won', class: 'bt-num', get: (r) => fmt.pct(r.winRate) },
    { label: 'Won amount', class: 'bt-num', get: (r) => fmt.int(r.wonAmount) },
  ], rows);
}

export async function render(root, ctx) {
  const f = await ctx.call('funnel', ctx.model(), ctx.state.asOf);
  root.append(h('p', { class: 'bt-view-sub' }, 'Where handed-off leads go, and how long each step takes.'));
  const max = f.steps[0]?.count ?? 0;
  const steps = h('div', { id: 'bt-funnel' }, f.steps.map((s) => h('div', { class: 'bt-funnel-step', dataset: { stage: s.stage, count: s.count } },
    h('strong', {}, NAMES[s.stage]),
    bar(s.count, max, `${fmt.int(s.count)} · ${s.stage === 'mql' ? '100%' : fmt.pct(s.conversionFromPrevious)} of previous`),
    h('span', { class: 'bt-muted' }, s.medianMsInStage === null ? '' : `in stage: median ${fmt.dur(s.medianMsInStage)}, p90 ${fmt.dur(s.p90MsInStage)}`))));
  root.append(h('div', { class: 'bt-kpis' },
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(max)), h('div', { class: 'bt-kpi-label' }, 'MQLs')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(f.steps[4]?.conversionFromMql)), h('div', { class: 'bt-kpi-label' }, 'MQL → Won')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(f.lost)), h('div', { class: 'bt-kpi-label' }, 'lost')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-neg' }, fmt.int(f.rejected)), h('div', { class: 'bt-kpi-label' }, 'rejected'))),
  card('Stages', steps),
  h('div', { class: 'bt-grid' }, card('By source', splitTable(f.bySource)), card('By campaign', splitTable(f.byCampaign))));
}
