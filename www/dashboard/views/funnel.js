// Funnel: MQL → SAL → SQL → Opportunity → Won; conversion, median and p90 time in each stage;
// split by first-touch source and campaign. MQL: the model's, before sales acted (as the Backtest
// counts them); CRM leads without one are counted apart.
import { h, fmt, table, card, bar } from '../dom.js';

const NAMES = { mql: 'MQL (model)', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', won: 'Won' };

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
  root.append(h('p', { class: 'bt-view-sub' }, 'Where the model’s MQLs go, and how long each step takes. MQL here means qualified by the model before sales first touched the lead, as in the Backtest; CRM leads without one are counted apart.'));
  const max = f.steps[0]?.count ?? 0;
  const steps = h('div', { id: 'bt-funnel' }, f.steps.map((s) => h('div', { class: 'bt-funnel-step', dataset: { stage: s.stage, count: s.count } },
    h('strong', {}, NAMES[s.stage]),
    bar(s.count, max, `${fmt.int(s.count)} · ${s.stage === 'mql' ? '100%' : fmt.pct(s.conversionFromPrevious)} of previous`),
    h('span', { class: 'bt-muted' }, s.medianMsInStage === null ? '' : `in stage: median ${fmt.dur(s.medianMsInStage)}, p90 ${fmt.dur(s.p90MsInStage)}`))));
  root.append(h('div', { class: 'bt-kpis' },
    h('div', { class: 'bt-kpi', id: 'bt-funnel-mqls', dataset: { count: String(max) } }, h('div', { class: 'bt-kpi-value' }, fmt.int(max)), h('div', { class: 'bt-kpi-label' }, 'MQLs (model)')),
    h('div', { class: 'bt-kpi', id: 'bt-funnel-crm-only', dataset: { count: String(f.crmWithoutMql) }, title: 'Leads sales had in the CRM that the model did not qualify before sales first touched them: not in the funnel below.' }, h('div', { class: 'bt-kpi-value' }, fmt.int(f.crmWithoutMql)), h('div', { class: 'bt-kpi-label' }, 'in CRM without MQL')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(f.steps[4]?.conversionFromMql)), h('div', { class: 'bt-kpi-label' }, 'MQL → Won')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(f.lost)), h('div', { class: 'bt-kpi-label' }, 'lost')),
    h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-neg' }, fmt.int(f.rejected)), h('div', { class: 'bt-kpi-label' }, 'rejected'))),
  card('Stages', steps),
  h('div', { class: 'bt-grid' }, card('By source', splitTable(f.bySource)), card('By campaign', splitTable(f.byCampaign))));
}
